import PermauditCore

/// SARIF 2.1.0 for code-scanning UIs (GitHub, Azure DevOps, VS Code's SARIF viewer).
///
/// - `tool.driver.rules`: every rule the report evaluated, with its fix as `help`, a default level
///   from its severity and `security-severity` for GitHub.
/// - `results`: `fail` findings (`kind: fail`, level from severity) and `unknown` ones (`kind: review`,
///   level `none`, as §3.27.9 requires for a kind other than fail). `pass` and `not-applicable` are
///   not results (they would show as alerts in most UIs); their counts are in `run.properties`.
/// - `error` findings are `toolExecutionNotifications` of the invocation: the rule could not run.
/// - Path objects are `artifactLocation`s relative to the audited root (`uriBaseId: HOSTROOT`,
///   declared in `originalUriBaseIds` as the root's `file://` URI), so `--root /mnt/img` points at
///   the image and not at the auditing machine. Other objects point at the file that defines them
///   (`/etc/group`, a unit file, the rule file under `PERMAUDITRULES`), with a `region.startLine` where
///   the line is known, and keep the object as a logical location.
/// - `partialFingerprints`: `primaryLocationLineHash` (GitHub's key for tracking a result across runs) and
///   `permaudit/ruleObject/v1`, both from `Finding.fingerprint`: stable per rule and object.
public enum SARIFReport {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let fingerprintKey = "permaudit/ruleObject/v1"
    public static let rootBaseID = "HOSTROOT"
    public static let rulesBaseID = "PERMAUDITRULES"

    public static func render(_ r: AuditReport) -> String { value(r).rendered(pretty: true) + "\n" }

    public static func value(_ r: AuditReport) -> JSONValue {
        let rules = ruleOrder(r.findings)
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1, $0) })
        let ordered = ReportLayout.ordered(r.findings)
        let results = ordered.filter { $0.state == .fail || $0.state == .unknown }.map { result($0, index: index[$0.ruleID] ?? -1) }
        let notifications = ordered.filter { $0.state == .error }.map { notification($0, index: index[$0.ruleID] ?? -1) }
        var invocation: [(String, JSONValue)] = [
            ("executionSuccessful", .bool(true)),
            ("endTimeUtc", .string(r.generatedAt)),
        ]
        if !notifications.isEmpty { invocation.append(("toolExecutionNotifications", .array(notifications))) }
        let c = r.counts
        let run: [(String, JSONValue)] = [
            ("tool", .object([("driver", .object([
                ("name", .string("permaudit")),
                ("semanticVersion", .string(AuditReport.toolVersion)),
                ("version", .string(AuditReport.toolVersion)),
                ("rules", .array(rules.map { id in rule(id, r.findings.filter { $0.ruleID == id }) })),
            ]))])),
            ("invocations", .array([.object(invocation)])),
            ("originalUriBaseIds", .object([(rootBaseID, .object([
                ("uri", .string(FileURI.directory(r.host.root))),
                ("description", .object([("text", .string("The root of the audited host's file system."))])),
            ])), (rulesBaseID, .object([
                ("description", .object([("text", .string("The Rules/ folder of permaudit's source, the catalog compiled into the binary."))])),
            ]))])),
            ("automationDetails", .object([("id", .string("permaudit/\(r.profile)/"))])),
            ("columnKind", .string("unicodeCodePoints")),
            ("results", .array(results)),
            ("properties", .object([
                ("host", .object([
                    ("hostname", .string(r.host.hostname)), ("root", .string(r.host.root)),
                    ("osId", .string(r.host.osID)), ("osLike", .array(r.host.osLike.map(JSONValue.string))),
                ])),
                ("principal", DecisionRenderer.principalObject(r.principal)),
                ("profile", .string(r.profile)),
                ("generatedAt", .string(r.generatedAt)),
                ("summary", .object(Finding.State.allCases.map { ($0.jsonKey, .int(c[$0] ?? 0)) } + [("total", .int(r.findings.count))])),
            ])),
        ]
        return .object([
            ("$schema", .string(schemaURI)),
            ("version", .string("2.1.0")),
            ("runs", .array([.object(run)])),
        ])
    }

    /// Rule ids in the order of first appearance in display order, so `ruleIndex` is stable.
    static func ruleOrder(_ findings: [Finding]) -> [String] {
        var seen: Set<String> = []
        return ReportLayout.ordered(findings).map(\.ruleID).filter { seen.insert($0).inserted }
    }

    public static func level(_ s: Severity) -> String {
        switch s {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    /// GitHub's `security-severity` (0.0–10.0: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0).
    static func securitySeverity(_ s: Severity) -> String {
        switch s {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        case .info: "0.0"
        }
    }

    static func rule(_ id: String, _ findings: [Finding]) -> JSONValue {
        let first = findings.first { $0.leastPrivilegeFix != nil } ?? findings[0]
        let title = first.ruleTitle
        var full = title.hasSuffix(".") ? title : title + "."
        if let s = findings.compactMap(\.symptom).first { full += " When it fails the agent logs: \(s)" }
        var helpText: [String] = []
        var helpMarkdown: [String] = []
        if let fix = first.leastPrivilegeFix {
            helpText.append("Least-privilege fix: \(fix)")
            helpMarkdown.append("**Least-privilege fix:**\n\n" + MarkdownReport.fence(fix, info: "sh").joined(separator: "\n"))
        }
        if let doc = first.documentedFix {
            helpText.append("Documented fix: \(doc)")
            helpMarkdown.append("Documented fix: " + MarkdownReport.text(doc))
        }
        if let w = first.warning {
            helpText.append("Warning: \(w)")
            helpMarkdown.append("> **Warning:** " + MarkdownReport.text(w))
        }
        if helpText.isEmpty { helpText.append(title) ; helpMarkdown.append(MarkdownReport.text(title)) }
        let tags = ["security", "permissions", ReportLayout.family(id)] + first.integrations
        var uniqueTags: [String] = []
        for t in tags where !uniqueTags.contains(t) { uniqueTags.append(t) }
        return .object([
            ("id", .string(id)),
            ("name", .string(ReportLayout.identifierName(id))),
            ("shortDescription", .object([("text", .string(title))])),
            ("fullDescription", .object([("text", .string(full))])),
            ("help", .object([("text", .string(helpText.joined(separator: "\n"))), ("markdown", .string(helpMarkdown.joined(separator: "\n\n")))])),
            ("defaultConfiguration", .object([("level", .string(level(first.severity)))])),
            ("properties", .object([
                ("tags", .array(uniqueTags.map(JSONValue.string))),
                ("severity", .string(first.severity.rawValue)),
                ("security-severity", .string(securitySeverity(first.severity))),
                ("integrations", .array(first.integrations.map(JSONValue.string))),
            ])),
        ])
    }

    /// Every result points at a file (GitHub code scanning refuses one without `artifactLocation.uri`):
    /// a path object at itself; any other object at the file that defines it (`Finding.definedAt`:
    /// `/etc/group`, the unit file, the rule file), with the object kept as a logical location.
    static func location(_ f: Finding) -> JSONValue {
        if ReportLayout.isPath(f.object) {
            return .object([("physicalLocation", .object([("artifactLocation", .object([
                ("uri", .string(FileURI.relative(f.object))), ("uriBaseId", .string(rootBaseID)),
            ]))]))])
        }
        let at = f.definedAt ?? fallbackLocation(f)
        var physical: [(String, JSONValue)] = [("artifactLocation", .object(artifactLocation(at)))]
        if let line = at.line, line > 0 { physical.append(("region", .object([("startLine", .int(line))]))) }
        return .object([
            ("physicalLocation", .object(physical)),
            ("logicalLocations", .array([.object([
                ("name", .string(f.object)), ("fullyQualifiedName", .string(f.object)), ("kind", .string("resource")),
            ])])),
        ])
    }

    static func artifactLocation(_ at: SourceLocation) -> [(String, JSONValue)] {
        switch at.base {
        case .host: [("uri", .string(FileURI.relative(at.path))), ("uriBaseId", .string(rootBaseID))]
        case .catalog: [("uri", .string(FileURI.encodePath(at.path))), ("uriBaseId", .string(rulesBaseID))]
        case .local: [("uri", .string(FileURI.absolute(at.path)))]
        }
    }

    /// For findings built without `definedAt` (reports from elsewhere): a group's `/etc/group`, else the catalog's index.
    static func fallbackLocation(_ f: Finding) -> SourceLocation {
        if f.object.hasPrefix("group") || f.remedy == .leaveGroup || f.remedy == .supplementaryGroup {
            return SourceLocation(base: .host, path: "/etc/group")
        }
        return SourceLocation(base: .catalog, path: "README.md")
    }

    /// GitHub's `primaryLocationLineHash`: the finding's stable fingerprint, `:1` for its first occurrence.
    static func primaryLocationLineHash(_ f: Finding) -> String { f.fingerprint + ":1" }

    static func result(_ f: Finding, index: Int) -> JSONValue {
        var props: [(String, JSONValue)] = [
            ("state", .string(f.state.rawValue)),
            ("severity", .string(f.severity.rawValue)),
            ("object", .string(f.object)),
            ("access", f.access.map { .string($0.rawValue) } ?? .null),
            ("symptom", f.symptom.map(JSONValue.string) ?? .null),
            ("evidence", .array(f.evidence.map(JSONValue.string))),
        ]
        if let d = f.decision { props.append(("decision", .object(DecisionRenderer.decisionObject(d)))) }
        if let fix = f.leastPrivilegeFix { props.append(("leastPrivilegeFix", .string(fix))) }
        if let w = f.warning { props.append(("warning", .string(w))) }
        let isFail = f.state == .fail
        return .object([
            ("ruleId", .string(f.ruleID)),
            ("ruleIndex", .int(index)),
            ("kind", .string(isFail ? "fail" : "review")),
            ("level", .string(isFail ? level(f.severity) : "none")),
            ("message", .object([("text", .string(f.message))])),
            ("locations", .array([location(f)])),
            ("partialFingerprints", .object([
                ("primaryLocationLineHash", .string(primaryLocationLineHash(f))), (fingerprintKey, .string(f.fingerprint)),
            ])),
            ("properties", .object(props)),
        ])
    }

    static func notification(_ f: Finding, index: Int) -> JSONValue {
        .object([
            ("level", .string("error")),
            ("message", .object([("text", .string("\(f.ruleID) on \(f.object): \(f.message)"))])),
            ("locations", .array([location(f)])),
            ("associatedRule", .object([("id", .string(f.ruleID)), ("index", .int(index))])),
        ])
    }
}
