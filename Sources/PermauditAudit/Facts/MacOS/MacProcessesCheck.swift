import PermauditCore
import PermauditRules

/// `macos-processes`: an unprivileged process on macOS gets other users' process details (CPU, memory,
/// arguments) only as root; the documented workaround is the `admin` group, a local administrator.
/// The finding passes when the agent is in the group the rule names (with the rule's warning), and fails
/// otherwise with what it will miss.
public enum MacProcessesCheck {
    public static func run(_ rule: Rule, group: String, facts: MacHostFacts) -> Finding {
        func make(_ state: Finding.State, _ message: String, evidence: [String]) -> Finding {
            Finding(
                ruleID: rule.id, ruleTitle: rule.title, severity: rule.severity, object: "group " + group, state: state,
                message: message, symptom: rule.symptom, evidence: evidence, documentedFix: rule.documentedFix,
                leastPrivilegeFix: rule.leastPrivilegeFix, warning: rule.warning, integrations: rule.integrations,
                remedy: rule.remedy, grants: [group])
        }
        guard let who = facts.identity else {
            return make(.unknown, "the collector could not read the agent's user: \(facts.agentUser.problem ?? "absent")", evidence: [])
        }
        let p = who.principal
        if p.uid == 0 { return make(.pass, "the agent runs as root and sees every process", evidence: ["uid 0"]) }
        let groupFacts = facts.adminGroup.value
        let direct = groupFacts?.members.contains(p.userName ?? "") ?? false
        let byID = p.allGroups.contains { p.groupNames[$0] == group }
        let nested = groupFacts?.agentIsMember
        var evidence = ["\(p.userLabel) groups: " + p.allGroups.map(p.name(ofGroup:)).joined(separator: ",")]
        if let g = groupFacts { evidence.append("dscl: \(group) members: " + (g.members.isEmpty ? "(none)" : g.members.joined(separator: ", "))) }
        if let n = nested { evidence.append("dseditgroup -o checkmember: \(n ? "yes" : "no")") }
        if direct || byID || nested == true {
            return make(.pass, "\(p.userLabel) is in \(group) and sees other users' processes (a local administrator)", evidence: evidence)
        }
        if groupFacts == nil, nested == nil, !byID, facts.adminGroup.problem != nil {
            return make(.unknown, "the collector could not read the \(group) group: \(facts.adminGroup.problem ?? "")", evidence: evidence)
        }
        return make(.fail, "\(p.userLabel) is not in \(group): only its own processes' CPU and memory appear", evidence: evidence)
    }
}
