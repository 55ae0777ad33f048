import Foundation
import PermauditAudit
import PermauditCore

/// Reads the hosts' JSON reports for `merge`: every `*.json` of a folder (or the files given), and the
/// folder's `fleet-hosts.txt` (the hosts the playbook ran on, one a line) so a host whose report never
/// came back is named as missing. A report that does not parse, is not a permaudit report, or has
/// another major schema version is named too; none is dropped in silence. A report with an `elasticsearch`
/// object (an `elasticsearch-node` audit) brings the node's operator-privileges digest.
struct FleetReportReader {
    /// The list of expected hosts the playbook leaves beside the reports.
    static let expectedHostsFile = "fleet-hosts.txt"

    var hosts: [FleetView.HostReport] = []
    var unusable: [FleetView.Unusable] = []

    init(paths: [String], expected: [String]) throws {
        var expectedNames = expected
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                unusable.append(.init(name: Self.hostName(path), reason: .missing, detail: "\(path): no such file"))
                continue
            }
            if isDir.boolValue {
                guard let names = try? fm.contentsOfDirectory(atPath: path) else { throw InputError("\(path): cannot list the folder (check its permissions)") }
                files += names.filter { $0.hasSuffix(".json") }.sorted().map { (path as NSString).appendingPathComponent($0) }
                let list = (path as NSString).appendingPathComponent(Self.expectedHostsFile)
                if let text = try? String(contentsOfFile: list, encoding: .utf8) {
                    expectedNames += text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
                }
            } else {
                files.append(path)
            }
        }
        for file in files { read(file) }
        let seen = Set(hosts.map(\.name) + unusable.map(\.name))
        var named: Set<String> = []
        for name in expectedNames where !seen.contains(name) && named.insert(name).inserted {
            unusable.append(.init(name: name, reason: .missing, detail: "no \(name).json: the host's audit did not run or its report was not fetched"))
        }
    }

    /// `web-1.json` → `web-1`.
    static func hostName(_ path: String) -> String {
        let base = (path as NSString).lastPathComponent
        return base.hasSuffix(".json") ? String(base.dropLast(5)) : base
    }

    mutating func read(_ file: String) {
        let name = Self.hostName(file)
        func bad(_ why: String) { unusable.append(.init(name: name, reason: .unreadable, detail: "\(file): \(why)")) }
        guard let data = FileManager.default.contents(atPath: file) else { return bad("cannot read the file") }
        guard let any = try? JSONSerialization.jsonObject(with: data), let doc = any as? [String: Any] else {
            return bad(data.isEmpty ? "empty file" : "not JSON")
        }
        guard let version = doc["schemaVersion"] as? String, (doc["tool"] as? [String: Any])?["name"] as? String == "permaudit" else {
            return bad("not a permaudit JSON report (no schemaVersion and tool.name permaudit)")
        }
        let major = version.split(separator: ".").first.map(String.init)
        let ours = AuditReport.schemaVersion.split(separator: ".").first.map(String.init)
        guard major == ours else {
            unusable.append(.init(name: name, reason: .otherVersion, detail: "\(file): report schema \(version), this permaudit reads \(AuditReport.schemaVersion)"))
            return
        }
        guard let host = doc["host"] as? [String: Any], let list = doc["findings"] as? [[String: Any]] else {
            return bad("no host or findings")
        }
        var findings: [FleetView.HostFinding] = []
        for (i, f) in list.enumerated() {
            guard let rule = f["ruleId"] as? String, let s = f["state"] as? String, let state = Finding.State(rawValue: s),
                  let sev = f["severity"] as? String, let severity = Severity(rawValue: sev) else {
                return bad("findings[\(i)] lacks ruleId, a known state or a known severity")
            }
            findings.append(.init(ruleID: rule, title: f["title"] as? String ?? rule, severity: severity, object: f["object"] as? String ?? "", state: state))
        }
        var node: NodeOperatorPrivileges?
        if let es = doc["elasticsearch"] {
            guard let e = es as? [String: Any], let op = e["operatorPrivileges"] as? [String: Any],
                  let digest = op["digest"] as? String, let enabled = op["enabled"] as? Bool, let file = op["operatorUsersFile"] as? String else {
                return bad("elasticsearch.operatorPrivileges lacks digest, enabled or operatorUsersFile (regenerate the report with `permaudit audit --profile elasticsearch-node --format json`)")
            }
            node = NodeOperatorPrivileges(configDir: e["configDir"] as? String ?? "", setting: op["setting"] as? String, enabled: enabled,
                                          operatorUsersFile: file, operatorUsersSHA256: op["operatorUsersSha256"] as? String, digest: digest)
        }
        let p = doc["principal"] as? [String: Any]
        let who = (p?["user"] as? String).map { "\($0) (uid \(p?["uid"] as? Int ?? -1))" } ?? "uid \(p?["uid"] as? Int ?? -1)"
        hosts.append(.init(
            name: name, hostname: host["hostname"] as? String ?? "", root: host["root"] as? String ?? "", osID: host["osId"] as? String ?? "",
            principal: who, profile: doc["profile"] as? String ?? "", generatedAt: doc["generatedAt"] as? String ?? "",
            schemaVersion: version, findings: findings, elasticsearch: node))
    }
}
