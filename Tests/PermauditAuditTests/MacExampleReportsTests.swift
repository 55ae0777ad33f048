import Foundation
import PermauditAudit
import Testing

/// `Reports/examples/macos-system-log-*`: what the built `permaudit` prints for the macOS example facts (the
/// collector's own output against the stand-ins, see `MacCollectorTests`): the failing host's audit in every
/// format, its `explain`, its fix and rollback, and the fixed host's audit. A test fails when any is stale.
/// Regenerate: `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter MacExampleReports`, then review `git diff Reports/examples`.
@Suite(.serialized)
struct MacExampleReportsTests {
    static let examples = ReportTestSupport.packageRoot.appendingPathComponent("Reports/examples")
    static let failure = examples.appendingPathComponent("macos-system-log-failure.facts.json").path
    static let fixed = examples.appendingPathComponent("macos-system-log-fixed.facts.json").path
    static var binary: String {
        ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] ?? ReportTestSupport.packageRoot.appendingPathComponent(".build/debug/permaudit").path
    }

    static func check(_ text: String, _ name: String) throws {
        let file = examples.appendingPathComponent(name)
        if ReportTestSupport.updatingGolden { try Data(text.utf8).write(to: file) }
        #expect(text == (try String(contentsOf: file, encoding: .utf8)), "\(name) is stale: PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter MacExampleReports")
    }

    static func permaudit(_ args: [String]) throws -> ReportTestSupport.Output {
        try ReportTestSupport.run("/usr/bin/env", ["SOURCE_DATE_EPOCH=1793491200", binary] + args)
    }

    @Test("the failing Mac's audit, in every format, equals the example", arguments: ReportFormat.allCases)
    func failingAudit(_ format: ReportFormat) throws {
        let r = try Self.permaudit(["audit", "--facts", Self.failure, "--format", format.rawValue])
        #expect(r.status == 1, "macos.system-log.read fails (high): exit 1. \(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        try Self.check(r.stdout, "macos-system-log-failure." + ReportRenderer.fileExtension(format))
    }

    @Test("the failing Mac's JSON report: macos.system-log.read fails with its evidence")
    func failingEvidence() throws {
        let r = try Self.permaudit(["audit", "--facts", Self.failure, "--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let findings = try #require(doc["findings"] as? [[String: Any]])
        let f = try #require(findings.first { $0["ruleId"] as? String == "macos.system-log.read" })
        #expect(f["state"] as? String == "fail")
        let decision = try #require(f["decision"] as? [String: Any])
        let steps = try #require(decision["evidence"] as? [[String: Any]])
        #expect(steps.last?["because"] as? String == "no extended ACL; mode: other has ---")
        #expect(steps.last?["mode"] as? String == "-rw-r-----")
        #expect(steps.last?["group"] as? String == "admin")
    }

    @Test("explain --facts FILE /var/log/system.log --access read explains the denial (exit 1), text and json")
    func explain() throws {
        let text = try Self.permaudit(["explain", "--facts", Self.failure, "/var/log/system.log", "--access", "read"])
        #expect(text.status == 1, "\(text.stderr)")
        try Self.check(text.stdout, "macos-system-log-failure.explain.txt")
        let json = try Self.permaudit(["explain", "--facts", Self.failure, "/var/log/system.log", "--access", "read", "--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(doc["granted"] as? Bool == false)
        #expect(doc["path"] as? String == "/var/log/system.log")
        let granted = try Self.permaudit(["explain", "--facts", Self.fixed, "/var/log/system.log", "--access", "read"])
        #expect(granted.status == 0, "\(granted.stdout)\(granted.stderr)")
        #expect(granted.stdout.contains("group:elastic-agent allow read"))
    }

    @Test("the failing Mac's fix and rollback equal the examples")
    func fix() throws {
        let dir = try ReportTestSupport.temporaryDirectory("mac-fix")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("macos-system-log-failure.fix.sh").path
        let r = try Self.permaudit(["fix", "--facts", Self.failure, "--emit", "sh", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        try Self.check(try String(contentsOfFile: out, encoding: .utf8), "macos-system-log-failure.fix.sh")
        try Self.check(try String(contentsOfFile: dir.appendingPathComponent("macos-system-log-failure.fix.rollback.sh").path, encoding: .utf8), "macos-system-log-failure.fix.rollback.sh")
    }

    @Test("the fixed Mac passes macos.system-log.read (text report equals the example)")
    func fixedAudit() throws {
        let r = try Self.permaudit(["audit", "--facts", Self.fixed, "--format", "text", "--fail-on", "high"])
        #expect(r.status == 0, "only the medium processes rule still fails: exit 0 at --fail-on high. \(r.stderr)")
        #expect(r.stdout.contains("PASS (1)\n  macos.system-log.read  /var/log/system.log"))
        try Self.check(r.stdout, "macos-system-log-fixed.txt")
    }

    @Test("the macOS reports validate against their schemas (JSON, SARIF, ECS)",
          .enabled(if: ReportTestSupport.pythonWithJSONSchema != nil, "needs python3 with jsonschema"))
    func schemas() throws {
        for (schema, ext, ndjson) in [("report.schema.json", "json", false), ("sarif-2.1.0-subset.schema.json", "sarif", false), ("ecs-event.schema.json", "ecs.ndjson", true)] {
            let file = Self.examples.appendingPathComponent("macos-system-log-failure." + ext)
            let r = try #require(try ReportTestSupport.validateJSON(schema: schema, files: [file], ndjson: ndjson))
            #expect(r.status == 0, "\(ext): \(r.stdout)\(r.stderr)")
        }
    }
}
