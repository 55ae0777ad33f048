import PermauditAudit
import PermauditCore
import PermauditHost

/// Makes a grant survive a rotation that does not copy it: a small helper that re-applies the grant,
/// called from the stanza's `postrotate` (after the stanza's own commands, so the writer has reopened).
struct RotationHook {
    let planner: FixPlanner
    let file: String
    let stanzas: [LogrotateConfig.Stanza]
    let grants: [(path: RawPath, entry: ACLEntry)]
    let config: LogrotateConfig

    static let helperFolder = "/usr/local/sbin"

    func steps(startingAt number: Int) -> [FixStep] {
        guard let text = config.files[file] else { return [] }
        // Only the live files: rotated copies keep their ACL when renamed.
        let live = grants.filter { g in stanzas.contains { s in s.patterns.contains { PathPattern.matches(Array($0.utf8), g.path.bytes) } } }
        guard !live.isEmpty else { return [] }
        let id = String(Fingerprint.fnv1a64(file + "\n" + live.map { $0.path.hex }.joined(separator: "\n")).prefix(10))
        let where_ = stanzas.map { "\(file):\($0.line)" }.joined(separator: ", ")
        let helper = RawPath("\(Self.helperFolder)/permaudit-reapply-\(id)")
        var body = """
            #!/bin/bash
            # Written by permaudit fix: re-applies the agent's ACL grant after logrotate recreates these logs
            # (logrotate \(BashQuote.commentText(where_))). Removed by the plan's rollback.
            set -u
            status=0

            """
        for g in live {
            let q = BashQuote.quote(g.path)
            let e = (g.entry.tag == .user ? "u:" : "g:") + "\(g.entry.qualifier ?? 0):\(g.entry.permissions)"
            body += """
                # A writer that recreates the file (rsyslog after its HUP) may do so a moment later.
                for _ in 1 2 3 4 5 6 7 8 9 10; do [[ -e \(q) ]] && break; sleep 0.5; done
                if [[ -f \(q) && ! -L \(q) ]]; then
                  setfacl -P -m \(e) -- \(q) || status=1
                fi

                """
        }
        body += "exit \"$status\"\n"

        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let call = "\t\t\(helper.display)"
        // Bottom up, so the line numbers of the stanzas above stay valid.
        for stanza in stanzas.sorted(by: { $0.line > $1.line }) {
            if let end = stanza.endscriptLine, end - 1 < lines.count {
                lines.insert(call, at: end - 1)
            } else if stanza.closingLine - 1 < lines.count {
                lines.insert(contentsOf: ["\tpostrotate", call, "\tendscript"], at: stanza.closingLine - 1)
            } else {
                return []
            }
        }
        let edited = lines.joined(separator: "\n")
        let paths = live.map { $0.path.display }.joined(separator: ", ")
        return [
            FixStep(
                number: number, action: .writeFile(NewFile(path: helper, content: Array(body.utf8), mode: 0o755)),
                why: "the rotation of \(paths) does not keep the ACL (\(where_))",
                change: "write \(helper.display) (mode 0755): re-applies the grant to \(paths) when they exist and are not symlinks",
                blastRadius: BlastRadius(notes: ["none by itself: it only re-applies the grants of this plan to the files logrotate recreates; `setfacl -m` there computes the mask as the union of the new file's group class, which on a freshly created log holds no other named entries"]),
                persistence: nil, followUp: nil),
            FixStep(
                number: number + 1, action: .editFile(FileEdit(path: RawPath(file), before: Array(text.utf8), after: Array(edited.utf8))),
                why: "run the re-apply after every rotation of \(paths)",
                change: "add `\(helper.display)` to the postrotate script of the stanza(s) at \(where_)",
                blastRadius: BlastRadius(notes: ["none: logrotate runs the helper as root after rotating; it changes only the files named in it"]),
                persistence: "the grant is re-applied after each rotation of the stanza", followUp: nil),
        ]
    }
}
