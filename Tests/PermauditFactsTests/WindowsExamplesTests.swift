import Foundation
import PermauditAudit
import Testing

/// `Reports/examples/` holds two Windows facts files (a host with the documented failures, and the
/// same host fixed) with every report and the PowerShell fix permaudit makes from them: the product's
/// own output, never stale.
///
/// Regenerate after a deliberate change with `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter WindowsExamples`
/// and review `git diff Reports/examples`.
@Suite(.serialized) struct WindowsExamplesTests {
    static let hosts = ["windows-host", "windows-host-fixed"]

    static func check(_ text: String, against name: String) throws {
        let file = FactsTestSupport.examples.appendingPathComponent(name)
        if FactsTestSupport.updatingGolden {
            try Data(text.utf8).write(to: file)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "Reports/examples/\(name) is stale at \(FactsTestSupport.firstDifference(text, expected)); rerun with PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter WindowsExamples")
    }

    @Test(arguments: hosts, ReportFormat.allCases)
    func reportIsCurrent(_ host: String, _ format: ReportFormat) throws {
        let r = try FactsTestSupport.permaudit(["audit", "--facts", "\(host).facts.json", "--format", format.rawValue], cwd: FactsTestSupport.examples.path)
        // Volume and other users' processes have no safe grant: both hosts fail them (low), exit 1.
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        try Self.check(r.stdout, against: "\(host).\(ReportRenderer.fileExtension(format))")
    }

    @Test(arguments: hosts)
    func fixScriptsAreCurrent(_ host: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("win-fix-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = FactsTestSupport.examples.appendingPathComponent("\(host).facts.json").path
        let r = try FactsTestSupport.permaudit(["fix", "--facts", facts, "--emit", "powershell", "-o", "\(host).fix.ps1"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let script = try String(contentsOf: dir.appendingPathComponent("\(host).fix.ps1"), encoding: .utf8)
        let rollback = try String(contentsOf: dir.appendingPathComponent("\(host).fix.rollback.ps1"), encoding: .utf8)
        try Self.check(script, against: "\(host).fix.ps1")
        try Self.check(rollback, against: "\(host).fix.rollback.ps1")
        if FactsTestSupport.hasTreeSitter {
            let problems = try FactsTestSupport.powerShellProblems([dir.appendingPathComponent("\(host).fix.ps1").path, dir.appendingPathComponent("\(host).fix.rollback.ps1").path])
            #expect(problems == nil, "\(problems ?? "")")
        }
    }

    /// The failing host fails the Event Log Readers, PartMgr and volume rules with their evidence; the
    /// fixed one passes the first two (the volume has no safe grant: only an administrator opens it).
    @Test func theDocumentedFailuresAndTheirFix() throws {
        func findings(_ host: String) throws -> [String: [String: Any]] {
            let r = try FactsTestSupport.permaudit(["audit", "--facts", "\(host).facts.json", "--format", "json"], cwd: FactsTestSupport.examples.path)
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let list = try #require(doc["findings"] as? [[String: Any]])
            return Dictionary(list.map { ($0["ruleId"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        }
        let bad = try findings("windows-host")
        let good = try findings("windows-host-fixed")
        for rule in ["windows.security-log.read", "windows.partmgr.registry", "windows.volume.open", "windows.sysmon-channel.read", "windows.perf-counters.read"] {
            #expect(bad[rule]?["state"] as? String == "fail", "\(rule) on the failing host")
            let evidence = (bad[rule]?["evidence"] as? [String]) ?? []
            #expect(evidence.count > 1, "\(rule) has evidence")
        }
        for rule in ["windows.security-log.read", "windows.partmgr.registry", "windows.sysmon-channel.read", "windows.perf-counters.read"] {
            #expect(good[rule]?["state"] as? String == "pass", "\(rule) on the fixed host")
        }
        #expect(good["windows.volume.open"]?["state"] as? String == "fail")
        let partmgr = (bad["windows.partmgr.registry"]?["evidence"] as? [String]) ?? []
        #expect(partmgr.contains { $0.hasPrefix("NO set-value,create-sub-key: no ACE grants it") })
    }

    @Test(.enabled(if: FactsTestSupport.hasJSONSchema, "needs python3-jsonschema"))
    func factsAndReportsMeetTheirSchemas() throws {
        let validate = FactsTestSupport.packageRoot.appendingPathComponent("Reports/schema/validate_json.py").path
        let schemas = FactsTestSupport.packageRoot.appendingPathComponent("Reports/schema")
        let facts = try FactsTestSupport.run("/usr/bin/python3", [validate, schemas.appendingPathComponent("facts.schema.json").path] + Self.hosts.map { FactsTestSupport.examples.appendingPathComponent("\($0).facts.json").path })
        #expect(facts.status == 0, "\(facts.stdout)\(facts.stderr)")
        let reports = try FactsTestSupport.run("/usr/bin/python3", [validate, schemas.appendingPathComponent("report.schema.json").path] + Self.hosts.map { FactsTestSupport.examples.appendingPathComponent("\($0).json").path })
        #expect(reports.status == 0, "\(reports.stdout)\(reports.stderr)")
        let sarif = try FactsTestSupport.run("/usr/bin/python3", [validate, schemas.appendingPathComponent("sarif-2.1.0-subset.schema.json").path] + Self.hosts.map { FactsTestSupport.examples.appendingPathComponent("\($0).sarif").path })
        #expect(sarif.status == 0, "\(sarif.stdout)\(sarif.stderr)")
        let ecs = try FactsTestSupport.run("/usr/bin/python3", [validate, "--ndjson", schemas.appendingPathComponent("ecs-event.schema.json").path] + Self.hosts.map { FactsTestSupport.examples.appendingPathComponent("\($0).ecs.ndjson").path })
        #expect(ecs.status == 0, "\(ecs.stdout)\(ecs.stderr)")
        // The schema must be able to fail: a facts file of another version is refused.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("win-schema-\(UInt32.random(in: 0...UInt32.max)).json")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOf: FactsTestSupport.examples.appendingPathComponent("windows-host.facts.json"), encoding: .utf8)
        try Data(text.replacing("permaudit/facts/v1", with: "permaudit/facts/v9").utf8).write(to: dir)
        #expect(try FactsTestSupport.run("/usr/bin/python3", [validate, schemas.appendingPathComponent("facts.schema.json").path, dir.path]).status != 0)
    }
}
