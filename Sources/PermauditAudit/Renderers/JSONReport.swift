import PermauditCore

/// The versioned JSON report (schema: `Reports/schema/report.schema.json`).
public enum JSONReport {
    public static func render(_ r: AuditReport) -> String {
        reportValue(r).rendered(pretty: true) + "\n"
    }

    public static func reportValue(_ r: AuditReport) -> JSONValue {
        let c = r.counts
        var fields: [(String, JSONValue)] = [
            ("schemaVersion", .string(AuditReport.schemaVersion)),
            ("tool", .object([("name", .string("permaudit")), ("version", .string(AuditReport.toolVersion))])),
            ("generatedAt", .string(r.generatedAt)),
            ("host", .object([
                ("hostname", .string(r.host.hostname)), ("root", .string(r.host.root)), ("osId", .string(r.host.osID)),
                ("osLike", .array(r.host.osLike.map(JSONValue.string))), ("kernel", r.host.kernel.map(JSONValue.string) ?? .null),
            ])),
            ("principal", DecisionRenderer.principalObject(r.principal)),
            ("profile", .string(r.profile)),
            ("summary", .object(Finding.State.allCases.map { ($0.jsonKey, .int(c[$0] ?? 0)) } + [("total", .int(r.findings.count))])),
            ("findings", .array(r.findings.map(findingValue))),
        ]
        if let p = r.agentPolicy { fields.insert(("agentPolicy", agentPolicyValue(p)), at: 6) }
        if let d = r.elasticsearch { fields.append(("elasticsearch", elasticsearchValue(d))) }
        return .object(fields)
    }

    /// The node's operator-privileges digest: `merge` compares `elasticsearch.operatorPrivileges.digest` across nodes.
    static func elasticsearchValue(_ d: OperatorPrivilegesDigest) -> JSONValue {
        .object([
            ("configDir", .string(d.configDir)),
            ("operatorPrivileges", .object([
                ("setting", d.setting.map(JSONValue.string) ?? .null),
                ("enabled", .bool(d.enabled)),
                ("operatorUsersFile", .string(d.operatorUsersFile)),
                ("operatorUsersSha256", d.operatorUsersSHA256.map(JSONValue.string) ?? .null),
                ("digest", .string(d.digest)),
            ])),
        ])
    }

    /// Which agent policy the audit followed.
    static func agentPolicyValue(_ p: AgentPolicyUse) -> JSONValue {
        .object([
            ("status", .string(p.status.rawValue)), ("path", p.path.map(JSONValue.string) ?? .null), ("message", .string(p.message)),
            ("notJudged", .array(p.notJudged.map(JSONValue.string))), ("notInterpreted", .array(p.notInterpreted.map(JSONValue.string))),
        ])
    }

    public static func findingValue(_ f: Finding) -> JSONValue {
        .object([
            ("ruleId", .string(f.ruleID)),
            ("title", .string(f.ruleTitle)),
            ("severity", .string(f.severity.rawValue)),
            ("object", .string(f.object)),
            ("access", f.access.map { .string($0.rawValue) } ?? .null),
            ("state", .string(f.state.rawValue)),
            ("message", .string(f.message)),
            ("symptom", f.symptom.map(JSONValue.string) ?? .null),
            ("fingerprint", .string(f.fingerprint)),
            ("evidence", .array(f.evidence.map(JSONValue.string))),
            ("decision", f.decision.map { .object(DecisionRenderer.decisionObject($0)) } ?? .null),
            ("fix", fixObject(f)),
            ("integrations", .array(f.integrations.map(JSONValue.string))),
        ])
    }

    /// A finding's fixes: the documented one, the narrowest one, the warning, and what `fix` can do.
    static func fixObject(_ f: Finding) -> JSONValue {
        .object([
            ("documented", f.documentedFix.map(JSONValue.string) ?? .null),
            ("leastPrivilege", f.leastPrivilegeFix.map(JSONValue.string) ?? .null),
            ("warning", f.warning.map(JSONValue.string) ?? .null),
            ("remedy", f.remedy.map { .string($0.rawValue) } ?? .null),
            ("grants", .array(f.grants.map(JSONValue.string))),
        ])
    }
}

extension Finding.State {
    /// The summary key: `notApplicable` in JSON, as the state's words are `not-applicable`.
    public var jsonKey: String { self == .notApplicable ? "notApplicable" : rawValue }
}
