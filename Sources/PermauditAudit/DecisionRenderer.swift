import PermauditCore

/// Renders one access decision for a person (in the style of `namei -l`, with the verdict on each line)
/// or as JSON (the `explain --format json` contract: `granted`, `path`, `access`, `principal`, `evidence`).
public enum DecisionRenderer {
    public static func text(_ d: AccessDecision, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        // Paths and names come from the host: show control characters instead of sending them to the terminal.
        let v = { (s: String) in VisibleText.escape(s) }
        var lines: [String] = []
        let verdict: String
        switch d.verdict {
        case .granted: verdict = paint.green("GRANTED")
        case .denied: verdict = paint.red("DENIED") + (d.errno.map { " (\($0.name))" } ?? "")
        case .unknown: verdict = paint.yellow("UNKNOWN") + (d.errno.map { " (\($0.name))" } ?? "")
        }
        lines.append("\(d.access.rawValue) \(v(d.path)): \(verdict)")
        lines.append("  principal: \(v(d.principal.description))  [\(v(d.principal.origin))]")
        if let r = d.resolvedPath, r != d.path { lines.append("  resolves to: \(v(r))") }
        let width = d.evidence.map { ($0.mode ?? "").count }.max() ?? 0
        let ownerWidth = d.evidence.map { v("\($0.owner ?? "") \($0.group ?? "")").count }.max() ?? 0
        // Align the reasons while paths are short; a long path just pushes its own reason along.
        let pathWidth = min(48, d.evidence.map { v($0.path).count }.max() ?? 0)
        let decisive = d.verdict == .granted ? nil : ReportLayout.decisiveStep(d)
        for s in d.evidence {
            let mark = paint.mark(s.outcome)
            let mode = (s.mode ?? "").padding(width)
            let owner = v("\(s.owner ?? "") \(s.group ?? "")").padding(ownerWidth)
            var why = "\(s.check): \(v(s.because))"
            if let e = s.errno, s.outcome != .granted { why += " [\(e.name)]" }
            let here = s == decisive ? "  " + paint.bold("<- decided here") : ""
            lines.append("  \(mark)\(mode) \(owner) \(v(s.path).padding(pathWidth))  \(paint.dim(why))\(here)")
        }
        lines.append("  => \(v(d.reason))")
        for c in d.caveats { lines.append("  " + paint.yellow("note: ") + v(c)) }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ d: AccessDecision) -> String {
        JSONWriter.object(decisionObject(d)).rendered(pretty: true) + "\n"
    }

    public static func decisionObject(_ d: AccessDecision) -> [(String, JSONValue)] {
        [
            ("granted", d.granted.map(JSONValue.bool) ?? .null),
            ("verdict", .string(d.verdict.rawValue)),
            ("path", .string(d.path)),
            ("resolvedPath", d.resolvedPath.map(JSONValue.string) ?? .null),
            ("access", .string(d.access.rawValue)),
            ("principal", principalObject(d.principal)),
            ("errno", d.errno.map { JSONValue.string($0.name) } ?? .null),
            ("reason", .string(d.reason)),
            ("blockedAt", d.blockedAt.map(JSONValue.string) ?? .null),
            ("evidence", .array(d.evidence.map(evidenceObject))),
            ("caveats", .array(d.caveats.map(JSONValue.string))),
        ]
    }

    public static func principalObject(_ p: Principal) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("uid", .int(Int(p.uid))),
            ("user", p.userName.map(JSONValue.string) ?? .null),
            ("gid", .int(Int(p.gid))),
            ("groups", .array(p.allGroups.map { .int(Int($0)) })),
            ("groupNames", .array(p.allGroups.map { p.groupNames[$0].map(JSONValue.string) ?? .null })),
            ("capabilities", .array(p.capabilities.map { .string($0.name) })),
            ("origin", .string(p.origin)),
            ("planned", .bool(p.isPlanned)),
        ]
        if let sid = p.sid {
            fields.append(("sid", .string(sid)))
            fields.append(("groupSids", .array(p.groupSIDs.map(JSONValue.string))))
        }
        return .object(fields)
    }

    public static func evidenceObject(_ s: EvidenceStep) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("path", .string(s.path)), ("role", .string(s.role.rawValue)), ("check", .string(s.check)),
            ("outcome", .string(s.outcome.rawValue)), ("because", .string(s.because)),
        ]
        if let v = s.mode { fields.append(("mode", .string(v))) }
        if let v = s.owner { fields.append(("owner", .string(v))) }
        if let v = s.group { fields.append(("group", .string(v))) }
        if let v = s.matchedEntry { fields.append(("matchedEntry", .string(v))) }
        if let v = s.mask { fields.append(("mask", .string(v))) }
        if let v = s.capability { fields.append(("capability", .string(v))) }
        if let v = s.errno { fields.append(("errno", .string(v.name))) }
        return .object(fields)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

/// ANSI colour, only when the output is a terminal.
public struct Paint: Sendable {
    public let enabled: Bool
    public init(enabled: Bool) { self.enabled = enabled }
    func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func red(_ s: String) -> String { wrap(s, "1;31") }
    public func green(_ s: String) -> String { wrap(s, "32") }
    public func yellow(_ s: String) -> String { wrap(s, "33") }
    public func dim(_ s: String) -> String { wrap(s, "2") }
    public func bold(_ s: String) -> String { wrap(s, "1") }
    /// The mark before an evidence step, `namei -l` style: `ok `, `NO `, `?? `, `-> `.
    public func mark(_ outcome: EvidenceStep.Outcome) -> String {
        switch outcome {
        case .granted: green("ok ")
        case .denied: red("NO ")
        case .unknown: yellow("?? ")
        case .info: "-> "
        }
    }
}
