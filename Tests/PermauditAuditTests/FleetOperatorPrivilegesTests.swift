import Foundation
import Glibc
import PermauditAudit
import PermauditCore
import Testing

/// `permaudit merge` compares the Elasticsearch nodes' operator privileges (issue 16): the node reports in
/// `Tests/Fleet/es-nodes/` were written by the real binary (`audit --profile elasticsearch-node --root IMAGE
/// --format json`) on the images `layouts` stages; `nodeReportsAreWhatTheBinaryWrites` regenerates them and
/// fails when their `elasticsearch` object is stale. `es-3` has the feature off where `es-1` and `es-2` have it
/// on (the same operator_users.yml); `app-1` is a host that is no node (audited with the agent's profile). Golden files:
/// `Reports/golden/fleet-es-split.*` (the whole folder) and `fleet-es-agree.*` (es-1 and es-2 only).
/// Regenerate as root with `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter FleetOperatorPrivileges`.
@Suite(.serialized) struct FleetOperatorPrivilegesTests {
    static let dir = "Tests/Fleet/es-nodes"
    static let operatorUsers = "operator:\n  - usernames: [ops]\n    realm_type: file\n    auth_type: realm\n"
    static let otherOperatorUsers = "operator:\n  - usernames: [ops, backup]\n    realm_type: file\n    auth_type: realm\n"

    /// node → (elasticsearch.yml, operator_users.yml or nil).
    static let layouts: [(String, String, String?)] = [
        ("es-1", "cluster.name: prod\nxpack.security.operator_privileges.enabled: true\n", operatorUsers),
        ("es-2", "cluster.name: prod\nxpack.security.operator_privileges.enabled: true\n", operatorUsers),
        ("es-3", "cluster.name: prod\nxpack.security.operator_privileges.enabled: false\n", operatorUsers),
    ]

    /// An image folder with the node's user (901) and its config folder, owned root:elasticsearch 0750/0640.
    static func image(in parent: URL, _ name: String, _ yml: String, _ operatorUsers: String?) throws -> URL {
        let root = parent.appendingPathComponent(name)
        let conf = root.appendingPathComponent("etc/elasticsearch")
        try FileManager.default.createDirectory(at: conf, withIntermediateDirectories: true)
        try "root:x:0:0::/root:/bin/sh\nelasticsearch:x:901:901::/nonexistent:/bin/false\n".write(to: root.appendingPathComponent("etc/passwd"), atomically: true, encoding: .utf8)
        try "root:x:0:\nelasticsearch:x:901:\n".write(to: root.appendingPathComponent("etc/group"), atomically: true, encoding: .utf8)
        var files = [("elasticsearch.yml", yml)]
        if let operatorUsers { files.append(("operator_users.yml", operatorUsers)) }
        for (file, text) in files {
            let url = conf.appendingPathComponent(file)
            try text.write(to: url, atomically: false, encoding: .utf8)
            chmod(url.path, 0o640)
            if geteuid() == 0 { chown(url.path, 0, 901) }
        }
        chmod(conf.path, 0o750)
        if geteuid() == 0 { chown(conf.path, 0, 901) }
        return root
    }

    /// The real binary's JSON report of one staged node; the image's temporary path reads `/srv/images/NAME`
    /// so the checked-in reports stay the same from one regeneration to the next.
    static func audit(_ root: URL, as name: String, _ selection: [String] = ["--profile", "elasticsearch-node"]) throws -> String {
        let out = try ReportTestSupport.run("/usr/bin/env", ["SOURCE_DATE_EPOCH=1793491200", FleetMergeGoldenTests.binary, "audit"]
                                                + selection + ["--root", root.path, "--format", "json"])
        #expect(out.status == 0 || out.status == 1, "audit \(name): \(out.status) \(out.stderr)")
        return out.stdout.replacing(root.path, with: "/srv/images/\(name)")
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func operatorPrivileges(_ doc: [String: Any]) throws -> [String: Any] {
        try #require((doc["elasticsearch"] as? [String: Any])?["operatorPrivileges"] as? [String: Any])
    }

    @Test func nodeReportsAreWhatTheBinaryWrites() throws {
        let tmp = try ReportTestSupport.temporaryDirectory("digest-images")
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (name, yml, users) in Self.layouts {
            let report = try Self.audit(try Self.image(in: tmp, name, yml, users), as: name)
            let file = ReportTestSupport.packageRoot.appendingPathComponent("\(Self.dir)/\(name).json")
            if ReportTestSupport.updatingGolden {
                try Data(report.utf8).write(to: file)
                continue
            }
            let fresh = try Self.json(report)["elasticsearch"] as? NSDictionary
            let checkedIn = try Self.json(try String(contentsOf: file, encoding: .utf8))["elasticsearch"] as? NSDictionary
            #expect(fresh != nil && fresh == checkedIn, "\(Self.dir)/\(name).json is stale; rerun as root with PERMAUDIT_UPDATE_GOLDEN=1")
        }
        // app-1: a host audited with the agent's profile (as the image's elasticsearch user): no elasticsearch object.
        let app = try Self.audit(try Self.image(in: tmp, "app-1", "cluster.name: prod\n", nil), as: "app-1", ["--user", "elasticsearch"])
        #expect(try Self.json(app)["elasticsearch"] == nil)
        if ReportTestSupport.updatingGolden {
            try Data(app.utf8).write(to: ReportTestSupport.packageRoot.appendingPathComponent("\(Self.dir)/app-1.json"))
        }
    }

    static let cases: [(golden: String, args: [String], differing: [String])] = [
        ("fleet-es-split", [dir], ["es-3"]),
        ("fleet-es-agree", [dir + "/es-1.json", dir + "/es-2.json"], []),
    ]

    @Test(arguments: FleetReport.Format.allCases)
    func mergeMatchesGolden(_ format: FleetReport.Format) throws {
        for c in Self.cases {
            // --fail-on high: no finding of the node reports fails at high or above, so only the split decides.
            let out = try FleetMergeGoldenTests.merge(c.args + ["--format", format.rawValue, "--fail-on", "high"])
            #expect(out.stderr.isEmpty, "\(out.stderr)")
            #expect(out.status == (c.differing.isEmpty ? 0 : 1), "\(c.golden): exit \(out.status)")
            let golden = ReportTestSupport.goldenDir.appendingPathComponent("\(c.golden).\(FleetMergeGoldenTests.ext(format))")
            if ReportTestSupport.updatingGolden {
                try Data(out.stdout.utf8).write(to: golden)
                continue
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            #expect(out.stdout == expected, "Reports/golden/\(golden.lastPathComponent) is stale; rerun with PERMAUDIT_UPDATE_GOLDEN=1 and review git diff")
            #expect(out.stdout.contains("Elasticsearch operator privileges") || out.stdout.contains("ELASTICSEARCH OPERATOR PRIVILEGES") || format == .json)
            for node in c.differing { #expect(out.stdout.contains("DIFFERS \(node)") || format != .text, "\(out.stdout)") }
            if c.differing.isEmpty { #expect(!out.stdout.contains("DIFFERS") && !out.stdout.contains("disagree: a high finding"), "\(c.golden) \(format)") }
        }
    }

    @Test func theSplitFleetNamesTheNodeAndWhatDiffersAndExitsOne() throws {
        let split = try FleetMergeGoldenTests.merge([Self.dir, "--format", "json", "--fail-on", "high"])
        #expect(split.status == 1, "nodes disagree: exit 1, got \(split.status)")
        let op = try Self.operatorPrivileges(try Self.json(split.stdout))
        #expect(op["agree"] as? Bool == false && op["nodes"] as? Int == 3)
        #expect(op["hostsWithoutNode"] as? [String] == ["app-1"])
        let differing = try #require(op["differing"] as? [[String: Any]])
        #expect(differing.map { $0["node"] as? String } == ["es-3"])
        #expect(differing.first?["differs"] as? [String] == ["setting"], "the same operator_users.yml: only the setting differs")
        let groups = try #require(op["groups"] as? [[String: Any]])
        #expect(groups.map { $0["nodes"] as? [String] ?? [] } == [["es-1", "es-2"], ["es-3"]])
        #expect(op["majority"] as? String == groups.first?["digest"] as? String)

        let agree = try FleetMergeGoldenTests.merge([Self.dir + "/es-1.json", Self.dir + "/es-2.json", "--format", "json", "--fail-on", "high"])
        #expect(agree.status == 0, "nodes agree: exit 0, got \(agree.status) \(agree.stderr)")
        let ok = try Self.operatorPrivileges(try Self.json(agree.stdout))
        #expect(ok["agree"] as? Bool == true && (ok["differing"] as? [Any])?.isEmpty == true)
        // A split weighs as a high finding: --fail-on high counts it, critical does not, and the help says so.
        #expect(try FleetMergeGoldenTests.merge([Self.dir + "/es-2.json", Self.dir + "/es-3.json", "--fail-on", "high"]).status == 1)
        #expect(try FleetMergeGoldenTests.merge([Self.dir + "/es-2.json", Self.dir + "/es-3.json", "--fail-on", "critical"]).status == 0)
        let help = try FleetMergeGoldenTests.merge(["--help"])
        #expect(help.stdout.contains("disagree on operator privileges"), "\(help.stdout)")
        // The fleet of the other golden files has no node: no section, no elasticsearch object.
        let plain = try Self.json(try FleetMergeGoldenTests.merge([FleetMergeGoldenTests.reports, "--format", "json"]).stdout)
        #expect(plain["elasticsearch"] == nil)
    }

    @Test(.enabled(if: ReportTestSupport.pythonWithJSONSchema != nil, "python3 with jsonschema missing (apt-get install python3-jsonschema)"))
    func theJSONMeetsTheFleetSchema() throws {
        let tmp = try ReportTestSupport.temporaryDirectory("digest-schema")
        defer { try? FileManager.default.removeItem(at: tmp) }
        var files: [URL] = []
        for c in Self.cases {
            files.append(try ReportTestSupport.write(try FleetMergeGoldenTests.merge(c.args + ["--format", "json"]).stdout, to: "\(c.golden).json", in: tmp))
        }
        let v = try #require(try ReportTestSupport.validateJSON(schema: "fleet.schema.json", files: files))
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        let broken = try ReportTestSupport.write(try String(contentsOf: files[0], encoding: .utf8).replacing("\"setting\"\n", with: "\"settings\"\n"), to: "broken.json", in: tmp)
        #expect(try #require(try ReportTestSupport.validateJSON(schema: "fleet.schema.json", files: [broken])).status == 1, "the schema must refuse an unknown aspect")
        if let py = ReportTestSupport.python(with: "html5lib") {
            let html = try ReportTestSupport.write(try FleetMergeGoldenTests.merge([Self.dir, "--format", "html"]).stdout, to: "split.html", in: tmp)
            let out = try ReportTestSupport.run(py, [ReportTestSupport.schemaDir.appendingPathComponent("validate_html.py").path, html.path])
            #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        }
    }

    @Test func aMalformedElasticsearchObjectIsNamedNotDropped() throws {
        let tmp = try ReportTestSupport.temporaryDirectory("digest-malformed")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let good = try String(contentsOf: ReportTestSupport.packageRoot.appendingPathComponent("\(Self.dir)/es-1.json"), encoding: .utf8)
        var doc = try Self.json(good)
        doc["elasticsearch"] = ["configDir": "/etc/elasticsearch", "operatorPrivileges": ["enabled": true]]
        let bad = try ReportTestSupport.write(String(decoding: try JSONSerialization.data(withJSONObject: doc), as: UTF8.self), to: "es-9.json", in: tmp)
        let out = try FleetMergeGoldenTests.merge([Self.dir + "/es-1.json", bad.path, "--format", "json"])
        let unusable = try #require(try Self.json(out.stdout)["unusable"] as? [[String: String]])
        #expect(unusable.first?["name"] == "es-9" && unusable.first?["reason"] == "unreadable", "\(unusable)")
        #expect(unusable.first?["detail"]?.contains("elasticsearch.operatorPrivileges lacks digest") == true, "\(unusable)")
    }

    /// Live: reports the binary writes now, for nodes whose operator_users.yml differs (or is missing), merged.
    @Test func freshReportsOfNodesWithDifferentFilesAreFlagged() throws {
        let tmp = try ReportTestSupport.temporaryDirectory("digest-live")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let reports = tmp.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        let on = "xpack.security.operator_privileges.enabled: true\n"
        for (name, users) in [("n1", Self.operatorUsers), ("n2", Self.operatorUsers), ("n3", Self.otherOperatorUsers), ("n4", nil)] {
            let report = try Self.audit(try Self.image(in: tmp, name, on, users), as: name)
            _ = try ReportTestSupport.write(report, to: "\(name).json", in: reports)
        }
        let out = try FleetMergeGoldenTests.merge([reports.path, "--format", "json", "--fail-on", "high"])
        #expect(out.status == 1)
        let op = try Self.operatorPrivileges(try Self.json(out.stdout))
        let differing = try #require(op["differing"] as? [[String: Any]])
        #expect(differing.map { $0["node"] as? String } == ["n3", "n4"])
        #expect(differing.allSatisfy { $0["differs"] as? [String] == ["file"] }, "\(differing)")
        #expect(differing.last?["operatorUsersFile"] as? String == "absent")
    }
}

/// The grouping itself, on nodes made up here: majority, ties, what differs.
@Suite struct OperatorPrivilegesAcrossNodesTests {
    static func node(_ enabled: Bool, _ sha: String?) -> NodeOperatorPrivileges {
        // The digest stands for (enabled, file) as OperatorPrivilegesDigest makes it.
        NodeOperatorPrivileges(configDir: "/etc/elasticsearch", setting: enabled ? "true" : nil, enabled: enabled,
                               operatorUsersFile: sha == nil ? "absent" : "present", operatorUsersSHA256: sha, digest: "d-\(enabled)-\(sha ?? "absent")")
    }

    static func view(_ nodes: [(String, NodeOperatorPrivileges?)]) -> OperatorPrivilegesAcrossNodes {
        OperatorPrivilegesAcrossNodes(hosts: nodes.map { name, e in
            FleetView.HostReport(name: name, hostname: name, root: "/", osID: "debian", principal: "elasticsearch", profile: "elasticsearch-node",
                                 generatedAt: "", schemaVersion: "1.1", findings: [], elasticsearch: e)
        })
    }

    static let table: [(label: String, nodes: [(String, NodeOperatorPrivileges?)], differing: [String: [OperatorPrivilegesAcrossNodes.Aspect]], majority: Bool)] = [
        ("all agree", [("a", node(true, "x")), ("b", node(true, "x")), ("web", nil)], [:], true),
        ("one node", [("a", node(false, nil))], [:], true),
        ("file differs", [("a", node(true, "x")), ("b", node(true, "x")), ("c", node(true, "y"))], ["c": [.file]], true),
        ("setting and file", [("a", node(true, "x")), ("b", node(true, "x")), ("c", node(false, nil))], ["c": [.setting, .file]], true),
        ("tie: every node named", [("a", node(true, "x")), ("b", node(false, "x"))], ["a": [.setting], "b": [.setting]], false),
    ]

    @Test(arguments: table.indices)
    func groupsAndDifferingNodes(_ i: Int) {
        let c = Self.table[i]
        let v = Self.view(c.nodes)
        #expect(Dictionary(uniqueKeysWithValues: v.differing.map { ($0.node, $0.differs) }) == c.differing, "\(c.label)")
        #expect((v.majority != nil) == c.majority, "\(c.label)")
        #expect(v.agree == c.differing.isEmpty, "\(c.label)")
        #expect(v.notNodes == c.nodes.filter { $0.1 == nil }.map(\.0), "\(c.label)")
        #expect(v.groups.map(\.nodes.count).reduce(0, +) == c.nodes.filter { $0.1 != nil }.count, "\(c.label)")
    }

    @Test func aSplitFleetFailsLikeAHighFinding() {
        let split = [("a", Self.node(true, "x")), ("b", Self.node(false, "x"))].map { name, e in
            FleetView.HostReport(name: name, hostname: name, root: "/", osID: "", principal: "", profile: "", generatedAt: "", schemaVersion: "1.1", findings: [], elasticsearch: e)
        }
        let v = FleetView(hosts: split, unusable: [], generatedAt: "")
        #expect(v.exitStatus(failOn: .high, failOnUnknown: false) == 1)
        #expect(v.exitStatus(failOn: .critical, failOnUnknown: false) == 0)
        #expect(v.summaryLine.hasSuffix("2 Elasticsearch nodes, 2 differ on operator privileges"), "\(v.summaryLine)")
    }
}
