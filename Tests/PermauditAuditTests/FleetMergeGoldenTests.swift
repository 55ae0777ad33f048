import Foundation
import PermauditAudit
import Testing

/// `permaudit merge` on checked-in reports (`Tests/Fleet/reports/`: three hosts that disagree, one of
/// another schema version, one cut short, one listed in fleet-hosts.txt with no report) equals the
/// golden files `Reports/golden/fleet.*` in every format it prints, exits as `audit --fail-on`, and its
/// JSON meets `fleet.schema.json`, its HTML parses as strict HTML5.
/// Regenerate with `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter FleetMergeGoldenTests`.
@Suite struct FleetMergeGoldenTests {
    static let reports = "Tests/Fleet/reports"
    static var binary: String {
        ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] ?? ReportTestSupport.packageRoot.appendingPathComponent(".build/debug/permaudit").path
    }

    static func merge(_ args: [String]) throws -> ReportTestSupport.Output {
        // From the package root with relative paths, so the details name the same files on every machine.
        try ReportTestSupport.run("/usr/bin/env", ["-C", ReportTestSupport.packageRoot.path, "SOURCE_DATE_EPOCH=1793491200", binary, "merge"] + args)
    }

    static func ext(_ f: FleetReport.Format) -> String {
        switch f {
        case .text: "txt"
        case .json: "json"
        case .markdown: "md"
        case .html: "html"
        }
    }

    @Test(arguments: FleetReport.Format.allCases)
    func mergeMatchesGolden(_ format: FleetReport.Format) throws {
        let out = try Self.merge([Self.reports, "--format", format.rawValue])
        #expect(out.status == 1, "findings fail: exit 1, got \(out.status) \(out.stderr)")
        #expect(out.stderr.isEmpty, "\(out.stderr)")
        let golden = ReportTestSupport.goldenDir.appendingPathComponent("fleet.\(Self.ext(format))")
        if ReportTestSupport.updatingGolden {
            try Data(out.stdout.utf8).write(to: golden)
            return
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(out.stdout == expected, "Reports/golden/\(golden.lastPathComponent) is stale; rerun with PERMAUDIT_UPDATE_GOLDEN=1 and review git diff")
        // Every host is named: the three read, and the missing, cut-short and other-version ones.
        for host in ["web-1", "web-2", "db-1", "web-3", "web-4", "web-5"] { #expect(out.stdout.contains(host), "\(format) does not name \(host)") }
    }

    @Test func theViewCountsAndNamesEveryHost() throws {
        let out = try Self.merge([Self.reports, "--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let unusable = try #require(doc["unusable"] as? [[String: String]])
        #expect(unusable.map { [$0["name"] ?? "", $0["reason"] ?? ""] } == [["web-3", "missing"], ["web-4", "other-version"], ["web-5", "unreadable"]])
        let rules = try #require(doc["rules"] as? [[String: Any]])
        let auth = try #require(rules.first { $0["ruleId"] as? String == "linux.auth-log.read" })
        let hosts = try #require(auth["hosts"] as? [String: [String]])
        #expect(hosts["fail"] == ["web-1"] && hosts["pass"] == ["web-2"] && hosts["unknown"] == ["db-1"])
        #expect(auth["majority"] is NSNull, "a three-way split has no majority")
        let broad = try #require(rules.first { $0["ruleId"] as? String == "linux.groups.too-broad" })
        #expect(broad["majority"] as? String == "pass")
        #expect((broad["deviants"] as? [[String: Any]])?.map { $0["host"] as? String } == ["web-2"])
    }

    @Test(arguments: [("high", Int32(1)), ("critical", Int32(0))])
    func exitStatusFollowsFailOn(_ failOn: String, _ status: Int32) throws {
        #expect(try Self.merge([Self.reports, "--fail-on", failOn]).status == status)
    }

    @Test func unknownAndUnusableFailWithFailOnUnknown() throws {
        let only = Self.reports + "/web-1.json"
        #expect(try Self.merge([only, "--fail-on", "critical"]).status == 0)
        #expect(try Self.merge([only, "--fail-on", "critical", "--expect", "web-9", "--fail-on-unknown"]).status == 1)
        let none = try Self.merge([Self.reports + "/web-5.json"])
        #expect(none.status == 2 && none.stderr.contains("web-5 unreadable"), "\(none.stderr)")
    }

    @Test(.enabled(if: ReportTestSupport.pythonWithJSONSchema != nil, "python3 with jsonschema missing (apt-get install python3-jsonschema)"))
    func fleetJSONMeetsItsSchemaAndHTMLParses() throws {
        let dir = try ReportTestSupport.temporaryDirectory("fleet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = try ReportTestSupport.write(try Self.merge([Self.reports, "--format", "json"]).stdout, to: "fleet.json", in: dir)
        let v = try #require(try ReportTestSupport.validateJSON(schema: "fleet.schema.json", files: [json]))
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        let broken = try ReportTestSupport.write(try String(contentsOf: json, encoding: .utf8).replacing("\"other-version\"", with: "\"old\""), to: "broken.json", in: dir)
        #expect(try #require(try ReportTestSupport.validateJSON(schema: "fleet.schema.json", files: [broken])).status == 1)
        if let py = ReportTestSupport.python(with: "html5lib") {
            let html = try ReportTestSupport.write(try Self.merge([Self.reports, "--format", "html"]).stdout, to: "fleet.html", in: dir)
            let out = try ReportTestSupport.run(py, [ReportTestSupport.schemaDir.appendingPathComponent("validate_html.py").path, html.path])
            #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        }
    }
}
