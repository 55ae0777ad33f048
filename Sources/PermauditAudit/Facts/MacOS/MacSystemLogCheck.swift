import PermauditCore
import PermauditRules

/// `macos-path` rules judged from macOS facts: the file's ACL then its mode, as macOS decides
/// (`MacAccessCheck`), and whether the next file the logger creates keeps the grant.
public enum MacSystemLogCheck {
    public static func run(_ rule: Rule, path: String, access: Access, facts: MacHostFacts) -> Finding {
        func make(_ state: Finding.State, _ message: String, decision: AccessDecision? = nil, evidence: [String] = []) -> Finding {
            Finding(
                ruleID: rule.id, ruleTitle: rule.title, severity: rule.severity, object: path, access: access, state: state,
                message: message, symptom: rule.symptom, decision: decision, evidence: evidence, documentedFix: rule.documentedFix,
                leastPrivilegeFix: rule.leastPrivilegeFix, warning: rule.warning, integrations: rule.integrations,
                remedy: rule.remedy)
        }
        guard path == "/var/log/system.log" else {
            return make(.unknown, "the macOS collector gathers /var/log/system.log only; \(path) is not in the facts")
        }
        let file: MacFileFacts
        switch facts.systemLog {
        case .value(let f): file = f
        case .missing(let why):
            if why.contains("No such file") { return make(.notApplicable, "\(path) does not exist on this Mac (\(why))") }
            return make(.unknown, "the collector could not read \(path): \(why)")
        }
        guard let who = facts.identity else {
            return make(.unknown, "the collector could not read the agent's user: \(facts.agentUser.problem ?? "absent")")
        }
        let d = MacAccessCheck.decide(file, access, for: who)
        var evidence = rotationEvidence(facts, who: who)
        if case .value(let rotated) = facts.rotatedLogs {
            for r in rotated {
                let rd = MacAccessCheck.decide(r, access, for: who)
                evidence.append("rotated copy \(r.path): \(rd.verdict.rawValue) (\(rd.reason))")
            }
        }
        switch d.verdict {
        case .granted:
            return make(.pass, "\(who.principal.userLabel) can \(access.rawValue) \(path): \(d.reason)", decision: d, evidence: evidence)
        case .denied:
            return make(.fail, "\(who.principal.userLabel) cannot \(access.rawValue) \(path): \(d.reason)", decision: d, evidence: evidence)
        case .unknown:
            return make(.unknown, "cannot tell whether \(who.principal.userLabel) can \(access.rawValue) \(path): \(d.reason)", decision: d, evidence: evidence)
        }
    }

    /// What the configuration says the next system.log will look like.
    static func rotationEvidence(_ facts: MacHostFacts, who: MacIdentity) -> [String] {
        let asl = facts.aslConfig.value ?? []
        let news = facts.newsyslogConfig.value ?? []
        let group = facts.agentGroup.value
        let gid = group?.gid ?? who.principal.gid
        let edits = MacRotationRoute.edits(asl: asl, newsyslog: news, agentGroup: group?.name ?? "elastic-agent", gid: gid)
        if edits.isEmpty {
            return ["rotation: no line of /etc/asl.conf or /etc/newsyslog.d names system.log in the facts"
                + (facts.aslConfig.problem.map { " (asl-config: \($0))" } ?? "")]
        }
        return edits.map { e in
            "rotation: \(e.path):\(e.line): `\(e.before)`: "
                + (e.after == nil ? "keeps the grant: \(e.effect)" : "the next file will not carry an ACL for gid \(gid)")
        }
    }
}
