import PermauditCore

/// What every human-facing format agrees on: the order findings are shown in, the summary line,
/// and which evidence step decided a finding.
public enum ReportLayout {
    /// States in the order reports show them: what needs action first.
    public static let stateOrder: [Finding.State] = [.fail, .error, .unknown, .pass, .notApplicable]

    /// Findings sorted for display: by state (fail first), then severity (highest first), rule id and object.
    public static func ordered(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            let sx = stateOrder.firstIndex(of: x.state) ?? 0, sy = stateOrder.firstIndex(of: y.state) ?? 0
            if sx != sy { return sx < sy }
            if x.severity != y.severity { return x.severity > y.severity }
            if x.ruleID != y.ruleID { return x.ruleID < y.ruleID }
            if x.object != y.object { return x.object < y.object }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// `12 checks: 3 fail, 1 unknown, 7 pass, 1 not-applicable` (states with no findings are left out).
    public static func summaryLine(_ r: AuditReport) -> String {
        let c = r.counts
        let n = r.findings.count
        let parts = stateOrder.compactMap { s in c[s].map { "\($0) \(s.rawValue)" } }
        return "\(n) check\(n == 1 ? "" : "s")" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }

    /// The step that decided: the first refusal, else the first step that could not be looked at,
    /// else the step at `blockedAt`, else the target.
    public static func decisiveStep(_ d: AccessDecision) -> EvidenceStep? {
        d.evidence.first { $0.outcome == .denied }
            ?? d.evidence.first { $0.outcome == .unknown }
            ?? d.blockedAt.flatMap { b in d.evidence.last { $0.path == b } }
            ?? d.evidence.last { $0.role == .target }
            ?? d.evidence.last
    }

    /// `-rw-r----- root adm /var/log/auth.log  read: other --- [EACCES]`, like a line of `namei -l`.
    public static func nameiLine(_ s: EvidenceStep) -> String {
        var cols: [String] = []
        if let m = s.mode { cols.append(m) }
        if s.owner != nil || s.group != nil { cols.append("\(s.owner ?? "?") \(s.group ?? "?")") }
        cols.append(s.path)
        var why = "\(s.check): \(s.because)"
        if let e = s.errno, s.outcome != .granted { why += " [\(e.name)]" }
        return cols.joined(separator: " ") + "  " + why
    }

    /// True when the object names a path (the other objects are groups, capabilities, channels, keys).
    public static func isPath(_ object: String) -> Bool { object.hasPrefix("/") }

    /// The rule's family: its id without the last component (`linux.auth-log` for `linux.auth-log.read`).
    public static func family(_ ruleID: String) -> String {
        guard let dot = ruleID.lastIndex(of: ".") else { return ruleID }
        return String(ruleID[..<dot])
    }

    /// `AuthLogRead`-style name for formats that want an identifier (SARIF `name`).
    public static func identifierName(_ ruleID: String) -> String {
        ruleID.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Whether a finding needs the reader's attention (shown in full rather than collapsed).
    public static func needsAttention(_ f: Finding) -> Bool { f.state == .fail || f.state == .error || f.state == .unknown }

    /// Highest severity first.
    public static let severityOrder: [Severity] = Severity.allCases.reversed()

    /// The decisions' caveats (SELinux enforcing, AppArmor), each once, in the order first met: what the
    /// permission bits do not decide, said above every verdict so no pass reads as the whole story.
    static func caveats(_ r: AuditReport) -> [String] {
        var out: [String] = []
        for c in r.findings.compactMap(\.decision).flatMap(\.caveats) where !out.contains(c) { out.append(c) }
        return out
    }
}
