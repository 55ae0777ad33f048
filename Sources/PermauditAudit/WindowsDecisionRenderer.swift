import PermauditCore

/// Renders one Windows access decision for a person, or as JSON (`explain --sddl` and `explain --facts`:
/// `granted`, `grantedMask`, `evidence`, as `DecisionRenderer` does for Linux).
public enum WindowsDecisionRenderer {
    public static func text(_ d: WindowsAccessDecision, token: WindowsToken, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        let v = { (s: String) in VisibleText.escape(s) }
        let verdict: String
        switch d.verdict {
        case .granted: verdict = paint.green("GRANTED")
        case .denied: verdict = paint.red("DENIED") + " (ERROR_ACCESS_DENIED)"
        case .unknown: verdict = paint.yellow("UNKNOWN")
        }
        var lines = ["\(WindowsRights.hex(d.requested)) (\(WindowsRights.names(of: d.desired, for: d.kind))) on \(d.kind.rawValue) \(v(d.object)): \(verdict)"]
        lines.append("  token: \(v(token.label(token.user))) groups=\(token.groups.map { v(token.label($0)) }.joined(separator: ","))")
        if !token.privileges.isEmpty { lines.append("  privileges: \(token.privileges.sorted().joined(separator: ","))") }
        if let owner = d.evidence.first?.owner { lines.append("  owner: \(v(owner))") }
        let width = min(48, d.evidence.map(\.check.count).max() ?? 0)
        for s in d.evidence {
            let mark: String
            switch s.outcome {
            case .granted: mark = paint.green("ok ")
            case .denied: mark = paint.red("NO ")
            case .unknown: mark = paint.yellow("?? ")
            case .info: mark = "-> "
            }
            let entry = s.matchedEntry.map { " " + paint.dim(v($0)) } ?? ""
            lines.append("  \(mark)\(s.check.padding(width))  \(v(s.because))\(entry)")
        }
        lines.append("  => \(v(d.reason)); granted \(WindowsRights.hex(d.grantedMask))")
        for c in d.caveats { lines.append("  " + paint.yellow("note: ") + v(c)) }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ d: WindowsAccessDecision, token: WindowsToken) -> String {
        JSONValue.object(object(d, token: token)).rendered(pretty: true) + "\n"
    }

    public static func object(_ d: WindowsAccessDecision, token: WindowsToken) -> [(String, JSONValue)] {
        [
            ("granted", d.granted.map(JSONValue.bool) ?? .null),
            ("verdict", .string(d.verdict.rawValue)),
            ("object", .string(d.object)),
            // `path` and `access` as in the Linux explain contract.
            ("path", .string(d.object)),
            ("access", .string(WindowsRights.names(of: d.desired, for: d.kind))),
            ("objectKind", .string(d.kind.rawValue)),
            ("requested", .int(Int(d.requested))),
            ("desired", .int(Int(d.desired))),
            ("desiredRights", .string(WindowsRights.names(of: d.desired, for: d.kind))),
            ("grantedMask", .int(Int(d.grantedMask))),
            ("grantedRights", .string(WindowsRights.names(of: d.grantedMask, for: d.kind))),
            ("token", .object([
                ("sid", .string(token.user.description)),
                ("groups", .array(token.groups.map { .string($0.description) })),
                ("privileges", .array(token.privileges.sorted().map(JSONValue.string))),
            ])),
            ("reason", .string(d.reason)),
            ("evidence", .array(d.evidence.map(DecisionRenderer.evidenceObject))),
            ("caveats", .array(d.caveats.map(JSONValue.string))),
        ]
    }

    /// The evidence as report lines: `ok query-value,notify: ACE #1 allows it to S-1-5-32-545 (BU) (A;CIID;KR;;;BU)`.
    public static func lines(_ d: WindowsAccessDecision) -> [String] {
        var out = d.evidence.map { s in
            let mark = s.outcome == .granted ? "ok" : s.outcome == .denied ? "NO" : s.outcome == .unknown ? "??" : "->"
            return "\(mark) \(s.check): \(s.because)" + (s.matchedEntry.map { " \($0)" } ?? "")
        }
        out += d.caveats.map { "note: " + $0 }
        return out
    }
}
