import Foundation
import Glibc
import PermauditAudit
import Testing

/// `Reports/examples/` holds what `permaudit audit --root` really prints for the example host
/// (`Tests/ExampleHost/`), in every format: the reports a reader of the repository sees are the
/// product's own output, never hand-made, and never stale.
///
/// Regenerate after a deliberate change with `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter ExampleReports`
/// and review `git diff Reports/examples`.
@Suite(
    .serialized,
    .enabled(if: getuid() == 0, "needs root to stage the example host (chown to other users)"),
    .enabled(if: ReportTestSupport.which("setfacl") != nil, "needs setfacl to stage the example host (apt-get install acl)"))
struct ExampleReportsTests {
    /// A fixed place, so the report's `root` is the same on every machine.
    static let stagingRoot = URL(fileURLWithPath: "/tmp/permaudit-example-host")
    static let examplesDir = ReportTestSupport.packageRoot.appendingPathComponent("Reports/examples")
    /// 2026-11-01T00:00:00Z: the reports' date.
    static let sourceDateEpoch = "1793491200"

    static var binary: String {
        ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] ?? ReportTestSupport.packageRoot.appendingPathComponent(".build/debug/permaudit").path
    }

    @Test("every format of the example host's audit equals the checked-in example", arguments: ReportFormat.allCases)
    func exampleIsCurrent(_ format: ReportFormat) throws {
        try? FileManager.default.removeItem(at: Self.stagingRoot)
        try stageExampleHost(at: Self.stagingRoot)
        defer { try? FileManager.default.removeItem(at: Self.stagingRoot) }
        let r = try ReportTestSupport.run("/usr/bin/env", [
            "SOURCE_DATE_EPOCH=\(Self.sourceDateEpoch)", Self.binary, "audit", "--root", Self.stagingRoot.path, "--format", format.rawValue,
        ])
        // The example host fails high findings: exit 1 is the contract, and nothing goes to stderr.
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let file = Self.examplesDir.appendingPathComponent("example-host." + ReportRenderer.fileExtension(format))
        if ReportTestSupport.updatingGolden {
            try FileManager.default.createDirectory(at: Self.examplesDir, withIntermediateDirectories: true)
            try Data(r.stdout.utf8).write(to: file)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        if r.stdout != expected {
            let got = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<max(got.count, want.count)).first { $0 >= got.count || $0 >= want.count || got[$0] != want[$0] } ?? 0
            Issue.record("""
                Reports/examples/\(file.lastPathComponent) is stale at line \(line + 1):
                  checked in: \(line < want.count ? String(want[line]) : "<end>")
                  audit says: \(line < got.count ? String(got[line]) : "<end>")
                rerun with PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter ExampleReports and review `git diff Reports/examples`
                """)
        }
    }

    @Test("the audit only reads: every object's metadata, ACL and change time is the same afterwards")
    func auditChangesNothing() throws {
        try? FileManager.default.removeItem(at: Self.stagingRoot)
        try stageExampleHost(at: Self.stagingRoot)
        defer { try? FileManager.default.removeItem(at: Self.stagingRoot) }
        let root = Self.stagingRoot.path
        // ctime moves on any chmod, chown, setfacl, xattr or content change; getfacl shows every ACL.
        let snapshot = {
            try ReportTestSupport.run("/bin/sh", ["-c", "find \(root) -printf '%p %y %M %U %G %i %s %C@\\n' | sort; getfacl -R -p -n \(root)"]).stdout
        }
        let before = try snapshot()
        for format in ReportFormat.allCases {
            _ = try ReportTestSupport.run(Self.binary, ["audit", "--root", root, "--format", format.rawValue])
        }
        #expect(before.count > 1_000, "the snapshot must cover the tree")
        #expect(try snapshot() == before)
    }

    @Test("the example JSON and SARIF meet their schemas", .enabled(if: ReportTestSupport.pythonWithJSONSchema != nil, "python3 with jsonschema missing (apt-get install python3-jsonschema)"))
    func examplesMeetTheirSchemas() throws {
        for (schema, name) in [("report.schema.json", "example-host.json"), ("sarif-2.1.0-subset.schema.json", "example-host.sarif")] {
            let out = try #require(try ReportTestSupport.validateJSON(schema: schema, files: [Self.examplesDir.appendingPathComponent(name)]))
            #expect(out.status == 0, "\(name): \(out.stdout)\(out.stderr)")
        }
        let ecs = try #require(try ReportTestSupport.validateJSON(
            schema: "ecs-event.schema.json", files: [Self.examplesDir.appendingPathComponent("example-host.ecs.ndjson")], ndjson: true))
        #expect(ecs.status == 0, "\(ecs.stdout)\(ecs.stderr)")
    }
}
