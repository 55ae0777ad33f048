import PermauditCore

/// The report for people in a terminal: failures first, grouped by severity, each with what the agent
/// would log, the decisive step and the narrowest fix; passes counted; a summary line last.
public enum TextReport {
    public static func render(_ r: AuditReport, color: Bool) -> String {
        let paint = Paint(enabled: color)
        var out: [String] = []
        let who = r.principal.userName.map { "\($0) (\(r.principal.userLabel))" } ?? r.principal.userLabel
        out.append(paint.bold("permaudit audit") + " of \(r.host.hostname)\(r.host.root == "/" ? "" : " (root \(r.host.root))") for \(who), profile \(r.profile)")
        out.append("  principal: \(r.principal)  [\(r.principal.origin)]")
        if r.principal.isPlanned { out.append("  " + paint.yellow("preflight:") + " the user does not exist yet; judged as the installer will create it (a new user in a new group)") }
        out.append("")
        let order: [Finding.State] = [.fail, .error, .unknown]
        for severity in Severity.allCases.reversed() {
            let group = r.findings.filter { $0.severity == severity && order.contains($0.state) }
            guard !group.isEmpty else { continue }
            out.append(paint.bold(severity.rawValue.uppercased()))
            for f in group.sorted(by: { (order.firstIndex(of: $0.state) ?? 0, $0.ruleID, $0.object) < (order.firstIndex(of: $1.state) ?? 0, $1.ruleID, $1.object) }) {
                let mark = f.state == .fail ? paint.red("FAIL") : f.state == .error ? paint.red("ERROR") : paint.yellow("UNKNOWN")
                out.append("  \(mark) \(f.ruleID)  \(f.object)")
                out.append("       \(f.message)")
                if let d = f.decision, let step = d.evidence.last(where: { $0.outcome != .granted && $0.outcome != .info }) ?? d.evidence.last {
                    out.append("       " + paint.dim("at \(step.path): \(step.mode.map { "\($0) \(step.owner ?? "") \(step.group ?? "") " } ?? "")\(step.check): \(step.because)"))
                }
                for e in f.evidence { out.append("       " + paint.dim(e)) }
                if f.state == .fail, let s = f.symptom { out.append("       agent log: " + s) }
                if f.state == .fail, let fix = f.leastPrivilegeFix { out.append("       fix: " + fix) }
                if f.state == .fail, let w = f.warning { out.append("       " + paint.yellow("beware: ") + w) }
            }
            out.append("")
        }
        let passes = r.findings.filter { $0.state == .pass }
        if !passes.isEmpty {
            out.append(paint.green("PASS") + " \(passes.count): " + Set(passes.map(\.ruleID)).sorted().joined(separator: ", "))
        }
        let na = r.findings.filter { $0.state == .notApplicable }
        if !na.isEmpty { out.append("not applicable \(na.count): " + Set(na.map(\.ruleID)).sorted().joined(separator: ", ")) }
        out.append(summary(r))
        return out.joined(separator: "\n") + "\n"
    }

    /// `31 checks: 3 fail, 1 unknown, 7 pass, 20 not-applicable`.
    public static func summary(_ r: AuditReport) -> String {
        let c = r.counts
        let parts = [Finding.State.fail, .error, .unknown, .pass, .notApplicable].compactMap { s in (c[s] ?? 0) > 0 ? "\(c[s] ?? 0) \(s.rawValue)" : nil }
        return "\(r.findings.count) checks: " + parts.joined(separator: ", ")
    }
}
