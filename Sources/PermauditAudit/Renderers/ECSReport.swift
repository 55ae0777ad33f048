import PermauditCore

/// NDJSON in Elastic Common Schema: one event per finding, one line each, for Filebeat's `filestream`
/// input with the `ndjson` parser or Elastic Agent's custom logs integration.
///
/// Every field outside `permaudit.*` is an ECS field: `@timestamp`, `ecs.version`, `message`, `tags`,
/// `event.*` (kind `alert` for a failure, `state` otherwise; category `configuration`, type `info`;
/// outcome `failure`/`success`/`unknown`), `rule.*`, `host.*`, `user.*` (the principal judged),
/// `file.*` (path objects, with the target's mode, owner and group when read) and `error.message`.
/// The evidence, the fix and the fingerprint are in `permaudit.*`.
public enum ECSReport {
    /// The ECS version whose published field definitions the events are checked against (`PublishedSchemaTests`).
    public static let ecsVersion = "8.11.0"
    public static let dataset = "permaudit.finding"

    public static func render(_ r: AuditReport) -> String {
        ReportLayout.ordered(r.findings).map { event($0, r).rendered(pretty: false) + "\n" }.joined()
    }

    public static func event(_ f: Finding, _ r: AuditReport) -> JSONValue {
        var doc: [(String, JSONValue)] = [
            ("@timestamp", .string(r.generatedAt)),
            ("ecs", .object([("version", .string(ecsVersion))])),
            ("message", .string("\(f.ruleID) \(f.state.rawValue) on \(f.object): \(f.message)")),
            ("tags", .array([.string("permaudit"), .string(f.state.rawValue), .string(r.profile)])),
            ("event", .object([
                ("kind", .string(f.state == .fail ? "alert" : "state")),
                ("category", .array([.string("configuration")])),
                ("type", .array([.string("info")])),
                ("outcome", .string(outcome(f.state))),
                ("module", .string("permaudit")),
                ("dataset", .string(dataset)),
                ("provider", .string("permaudit")),
                ("id", .string(Fingerprint.fnv1a64(f.fingerprint + "\u{0}" + r.generatedAt))),
                ("created", .string(r.generatedAt)),
                ("severity", .int(eventSeverity(f.severity))),
                ("risk_score", .double(riskScore(f.severity))),
                ("reason", .string(f.message)),
            ])),
            ("rule", .object([
                ("id", .string(f.ruleID)),
                ("name", .string(f.ruleTitle)),
                ("category", .string(ReportLayout.family(f.ruleID))),
                ("ruleset", .string(r.profile)),
                ("description", .string(f.ruleTitle)),
            ])),
            ("host", .object(hostFields(r.host))),
            ("user", .object(userFields(r.principal))),
        ]
        if ReportLayout.isPath(f.object) { doc.append(("file", .object(fileFields(f)))) }
        if f.state == .error { doc.append(("error", .object([("message", .string(f.message))]))) }
        doc.append(("permaudit", .object(permauditFields(f, r))))
        return .object(doc)
    }

    static func outcome(_ s: Finding.State) -> String {
        switch s {
        case .pass: "success"
        case .fail: "failure"
        case .unknown, .notApplicable, .error: "unknown"
        }
    }

    /// `event.severity` is the source's own number: info 0 up to critical 4.
    static func eventSeverity(_ s: Severity) -> Int { Severity.allCases.firstIndex(of: s) ?? 0 }

    /// `event.risk_score` on the scale Elastic Security's rules use (low 21, medium 47, high 73, critical 99).
    static func riskScore(_ s: Severity) -> Double {
        switch s {
        case .info: 0
        case .low: 21
        case .medium: 47
        case .high: 73
        case .critical: 99
        }
    }

    static func hostFields(_ h: AuditReport.HostInfo) -> [(String, JSONValue)] {
        var os: [(String, JSONValue)] = [
            ("type", .string(osType(h))),
            ("platform", .string(h.osID)),
            ("family", .string(h.osLike.first ?? h.osID)),
        ]
        if let k = h.kernel { os.append(("kernel", .string(k))) }
        return [("hostname", .string(h.hostname)), ("name", .string(h.hostname)), ("os", .object(os))]
    }

    /// ECS `host.os.type`: linux, macos or windows (facts files come from macOS and Windows collectors).
    static func osType(_ h: AuditReport.HostInfo) -> String {
        let ids = ([h.osID] + h.osLike).map { $0.lowercased() }
        if ids.contains(where: { $0 == "macos" || $0 == "darwin" }) { return "macos" }
        if ids.contains(where: { $0.hasPrefix("windows") }) { return "windows" }
        return "linux"
    }

    static func userFields(_ p: Principal) -> [(String, JSONValue)] {
        // A Windows account from a facts file: ECS user.id is its SID.
        if let sid = p.sid { return [("id", .string(sid))] + (p.userName.map { [("name", .string($0))] } ?? []) }
        var user: [(String, JSONValue)] = [("id", .string(String(p.uid)))]
        if let n = p.userName { user.append(("name", .string(n))) }
        var group: [(String, JSONValue)] = [("id", .string(String(p.gid)))]
        if let n = p.groupNames[p.gid] { group.append(("name", .string(n))) }
        user.append(("group", .object(group)))
        return user
    }

    static func fileFields(_ f: Finding) -> [(String, JSONValue)] {
        var file: [(String, JSONValue)] = [("path", .string(f.object))]
        let name = f.object.split(separator: "/").last.map(String.init) ?? "/"
        file.append(("name", .string(name)))
        if let slash = f.object.lastIndex(of: "/") {
            let dir = String(f.object[..<slash])
            file.append(("directory", .string(dir.isEmpty ? "/" : dir)))
        }
        let target = f.decision?.evidence.last { $0.role == .target && $0.path == (f.decision?.resolvedPath ?? f.object) }
            ?? f.decision?.evidence.last { $0.role == .target }
        if let t = target {
            if let m = t.fileMode, t.fileType != nil { file.append(("mode", .string(octalMode(m)))) }
            if let type = t.fileType, t.fileMode != nil { file.append(("type", .string(fileType(type)))) }
            if let o = t.owner { file.append(("owner", .string(o))) }
            if let g = t.group { file.append(("group", .string(g))) }
        }
        return file
    }

    /// ECS `file.mode` is octal text: `0640`, `2755`.
    public static func octalMode(_ mode: FileMode) -> String {
        let s = String(mode.bits, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// ECS `file.type`: file, dir or symlink (and the other kinds by name).
    static func fileType(_ type: FileType) -> String {
        switch type {
        case .regular: "file"
        case .directory: "dir"
        case .symlink: "symlink"
        case .socket: "socket"
        case .fifo: "fifo"
        case .characterDevice: "char_device"
        case .blockDevice: "block_device"
        }
    }

    static func permauditFields(_ f: Finding, _ r: AuditReport) -> [(String, JSONValue)] {
        [
            ("schemaVersion", .string(AuditReport.schemaVersion)),
            ("state", .string(f.state.rawValue)),
            ("severity", .string(f.severity.rawValue)),
            ("object", .string(f.object)),
            ("access", f.access.map { .string($0.rawValue) } ?? .null),
            ("fingerprint", .string(f.fingerprint)),
            ("symptom", f.symptom.map(JSONValue.string) ?? .null),
            ("evidence", .array(f.evidence.map(JSONValue.string))),
            ("decision", f.decision.map { .object(DecisionRenderer.decisionObject($0)) } ?? .null),
            ("fix", JSONReport.fixObject(f)),
            ("integrations", .array(f.integrations.map(JSONValue.string))),
            ("principal", DecisionRenderer.principalObject(r.principal)),
            ("root", .string(r.host.root)),
            ("profile", .string(r.profile)),
        ]
    }
}
