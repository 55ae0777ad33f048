import PermauditCore
import PermauditFacts
import PermauditRules

/// The Windows rules judged from a facts file: each `windows-*` check kind has its own file in
/// `Facts/Windows/`; this one decodes the facts, builds the principal and dispatches.
struct WindowsFactsAuditor {
    let facts: FactsFile
    let profile: Profile
    let integrations: Set<String>?

    func run(_ rules: [Rule]) throws(FactsFileError) -> FactsAuditOutcome {
        let windows = try WindowsFacts(facts)
        var findings: [Finding] = []
        for rule in rules where profile.includes(ruleID: rule.id) {
            if let why = FactsAudit.notApplicable(rule, platform: .windows, integrations: integrations) {
                findings.append(FactsAudit.finding(rule, object: Self.objectName(rule), state: .notApplicable, message: why))
                continue
            }
            guard case .windows(let kind, let fields) = rule.check else {
                findings.append(FactsAudit.finding(rule, object: Self.objectName(rule), state: .notApplicable, message: "not a Windows check (\(rule.check.kind))"))
                continue
            }
            let context = WindowsRuleContext(rule: rule, fields: fields, facts: windows)
            findings.append(try Self.evaluate(kind, context))
        }
        return FactsAuditOutcome(principal: Self.principal(windows, profile: profile), host: FactsAudit.hostInfo(facts), findings: findings)
    }

    static func evaluate(_ kind: WindowsCheckKind, _ c: WindowsRuleContext) throws(FactsFileError) -> Finding {
        switch kind {
        case .eventChannel: try EventChannelCheck.run(c)
        case .registryKey: try RegistryKeyCheck.run(c)
        case .volume: VolumeCheck.run(c)
        case .process: ProcessCheck.run(c)
        case .namedPipe: try NamedPipeCheck.run(c)
        case .perfCounters: PerfCountersCheck.run(c)
        }
    }

    static func objectName(_ rule: Rule) -> String {
        guard case .windows(_, let f) = rule.check else { return rule.id }
        return f["channel"] ?? f["key"] ?? f["volume"] ?? f["privilege"] ?? f["pipe"].map { "\\\\.\\pipe\\" + $0 } ?? f["group-sid"] ?? rule.id
    }

    /// The account as a principal (its SID and token SIDs); the profile's user name when the facts lack it.
    static func principal(_ w: WindowsFacts, profile: Profile) -> Principal {
        switch w.account {
        case .success(let a):
            var names: [String: String] = [a.sid: a.name]
            for g in a.groups { if let n = g.name { names[g.sid] = n } }
            return Principal(
                uid: 0, gid: 0, userName: a.name, origin: "facts: account \(a.name) (groups from the \(a.groupsSource))",
                sid: a.sid, groupSIDs: a.groups.map(\.sid), sidNames: names)
        case .failure(let p):
            return Principal(uid: 0, gid: 0, userName: profile.user, origin: "facts: \(p)", sid: "S-1-0-0", groupSIDs: [])
        }
    }
}

/// What one Windows check needs: the rule, its fields, the decoded facts.
struct WindowsRuleContext {
    let rule: Rule
    let fields: [String: String]
    let facts: WindowsFacts

    var object: String { WindowsFactsAuditor.objectName(rule) }

    func finding(_ state: Finding.State, _ message: String, evidence: [String] = []) -> Finding {
        FactsAudit.finding(rule, object: object, state: state, message: message, evidence: evidence)
    }

    /// An `unknown` finding naming the item and why the collector could not read it.
    func unknown(_ problem: FactsItemProblem) -> Finding { finding(.unknown, problem.description) }
}

extension WindowsFactsAuditor {
    /// One object of the facts (`HKLM\...\PartMgr`, `Security`, or an item name `channel:Security`),
    /// explained for one access.
    func explain(object: String, access: String, color: Bool) throws -> FactsExplanation {
        let windows = try WindowsFacts(facts)
        let wanted = object.lowercased()
        let items = windows.securedItems
        guard let item = items.first(where: { $0.lowercased() == wanted }) ?? items.first(where: { $0.split(separator: ":", maxSplits: 1).last.map { $0.lowercased() == wanted } ?? false }),
            let kind = SecuredObjectCheck.kind(ofItem: item)
        else {
            throw FactsQueryError("explain --facts \(facts.file): no object '\(object)' in the facts; they hold: \(items.joined(separator: ", "))")
        }
        let desired: UInt32
        switch WindowsRights.parse(access, for: kind) {
        case .success(let m): desired = m
        case .failure(let e): throw FactsQueryError(e.description)
        }
        switch try SecuredObjectCheck.judge(windows, item: item, kind: kind, desired: desired) {
        case .failure(let p):
            let text = "\(object): UNKNOWN\n  => \(p)\n"
            let json = JSONValue.object([("granted", .null), ("verdict", .string("unknown")), ("object", .string(object)), ("reason", .string(p.description)), ("evidence", .array([]))]).rendered(pretty: true) + "\n"
            return FactsExplanation(verdict: .unknown, text: text, json: json)
        case .success(let j):
            return FactsExplanation(
                verdict: j.decision.verdict, text: WindowsDecisionRenderer.text(j.decision, token: j.token, color: color),
                json: WindowsDecisionRenderer.json(j.decision, token: j.token))
        }
    }
}
