import PermauditCore
import PermauditFacts
import PermauditRules

/// The macOS rules judged from a facts file: decodes the items (`MacFactsDecoder`) and dispatches each
/// `macos-*` check kind to its evaluator in `Facts/MacOS/`.
struct MacFactsAuditor {
    let facts: FactsFile
    let profile: Profile
    let integrations: Set<String>?

    func run(_ rules: [Rule]) throws(FactsFileError) -> FactsAuditOutcome {
        let mac = try MacFactsDecoder.decode(facts)
        var findings: [Finding] = []
        for rule in rules where profile.includes(ruleID: rule.id) {
            if let why = FactsAudit.notApplicable(rule, platform: .macos, integrations: integrations) {
                findings.append(FactsAudit.finding(rule, object: Self.objectName(rule), state: .notApplicable, message: why))
                continue
            }
            guard case .macos(let kind, let fields) = rule.check else {
                findings.append(FactsAudit.finding(rule, object: Self.objectName(rule), state: .notApplicable, message: "not a macOS check (\(rule.check.kind))"))
                continue
            }
            switch kind {
            case .path:
                let access = fields["access"].flatMap(Access.init(rawValue:)) ?? .read
                findings.append(MacSystemLogCheck.run(rule, path: fields["path"] ?? "", access: access, facts: mac))
            case .processes:
                findings.append(MacProcessesCheck.run(rule, group: fields["group"] ?? "admin", facts: mac))
            }
        }
        return FactsAuditOutcome(principal: Self.principal(mac, profile: profile), host: FactsAudit.hostInfo(facts), findings: findings)
    }

    func explain(object: String, access: String, color: Bool) throws -> FactsExplanation {
        let mac = try MacFactsDecoder.decode(facts)
        guard let wanted = Access(rawValue: access), MacRights.needed(for: wanted) != nil else {
            throw FactsQueryError("explain --facts on macOS: --access must be read, write or execute (got '\(access)')")
        }
        var files: [MacFileFacts] = []
        if let f = mac.systemLog.value { files.append(f) }
        files += mac.rotatedLogs.value ?? []
        guard let file = files.first(where: { $0.path == object }) else {
            if object == "/var/log/system.log", let why = mac.systemLog.problem { throw FactsQueryError("\(facts.file): the collector could not read \(object): \(why)") }
            throw FactsQueryError("\(facts.file) holds no facts about \(object); it holds: \(files.map(\.path).joined(separator: ", "))")
        }
        guard let who = mac.identity else {
            throw FactsQueryError("\(facts.file): the collector could not read the agent's user: \(mac.agentUser.problem ?? "absent")")
        }
        let d = MacAccessCheck.decide(file, wanted, for: who)
        return FactsExplanation(verdict: d.verdict, text: DecisionRenderer.text(d, color: color), json: DecisionRenderer.json(d))
    }

    static func objectName(_ rule: Rule) -> String {
        guard case .macos(_, let f) = rule.check else { return rule.id }
        return f["path"] ?? f["group"].map { "group " + $0 } ?? rule.id
    }

    static func principal(_ mac: MacHostFacts, profile: Profile) -> Principal {
        mac.identity?.principal ?? Principal(uid: 0, gid: 0, userName: profile.user, origin: "macOS facts: \(mac.agentUser.problem ?? "no agent-user item")")
    }
}
