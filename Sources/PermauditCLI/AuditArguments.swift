/// The `audit` selection and principal options given to `schedule` and `fleet playbook`, as the
/// argument words of the `audit` they schedule or run on each host: the same selection everywhere.
struct AuditArguments {
    var words: [String]

    init(selection: AuditSelection, principal: PrincipalOptions) {
        var w: [String] = ["--profile", selection.profile]
        if let i = selection.integration { w += ["--integration", i] }
        if let r = selection.rules { w += ["--rules", r] }
        if let u = principal.user { w += ["--user", u] }
        if let g = principal.group { w += ["--group", g] }
        if let g = principal.groups { w += ["--groups", g] }
        if let c = principal.caps { w += ["--caps", c] }
        if let p = principal.pid { w += ["--pid", String(p)] }
        if let u = principal.unit { w += ["--unit", u] }
        if principal.planned { w.append("--planned") }
        words = w
    }

    /// Words that need no quoting in sh, systemd or YAML.
    static func isPlain(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || "_./:,=@+-".utf8.contains(b)
        }
    }

    /// POSIX sh: plain words as they are, the rest in single quotes.
    static func sh(_ word: String) -> String {
        isPlain(word) ? word : "'" + word.replacing("'", with: "'\\''") + "'"
    }

    /// systemd's `ExecStart=` word: double quotes with `\\` and `\"` escaped, `%` as `%%` (a specifier
    /// otherwise) and `$` as `$$` (a variable otherwise).
    static func systemd(_ word: String) -> String {
        let escaped = word.replacing("%", with: "%%").replacing("$", with: "$$")
        if isPlain(word) { return escaped }
        return "\"" + escaped.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
