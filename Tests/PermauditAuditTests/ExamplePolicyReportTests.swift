import Foundation
import Glibc
import Testing

/// `Reports/examples/example-host.policy.*`: the example host audited with the System integration's default
/// policy (`Reports/examples/system-default.policy.yml`): auth.log and auth.log.1 judged, auth.log.2.gz not
/// (the policy's `exclude_files: ['\.gz$']`), PostgreSQL and the rest of the catalog not judged.
/// Regenerate with `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter ExamplePolicyReport`.
@Suite(
    .serialized,
    .enabled(if: getuid() == 0, "needs root to stage the example host (chown to other users)"),
    .enabled(if: ReportTestSupport.which("setfacl") != nil, "needs setfacl to stage the example host (apt-get install acl)"))
struct ExamplePolicyReportTests {
    /// Not ExampleReportsTests' folder: the suites run side by side.
    static let stagingRoot = URL(fileURLWithPath: "/tmp/permaudit-example-host-policy")

    @Test("the example host audited with the default System policy equals the checked-in example", arguments: ["txt", "json"])
    func exampleIsCurrent(_ ext: String) throws {
        try? FileManager.default.removeItem(at: Self.stagingRoot)
        try stageExampleHost(at: Self.stagingRoot)
        defer { try? FileManager.default.removeItem(at: Self.stagingRoot) }
        let examples = ReportTestSupport.packageRoot.appendingPathComponent("Reports/examples")
        // From the package folder, so the report names the policy as Reports/examples/system-default.policy.yml.
        let r = try ReportTestSupport.run("/bin/sh", [
            "-c", "cd \"$0\" && exec env SOURCE_DATE_EPOCH=\(ExampleReportsTests.sourceDateEpoch) \"$1\" audit --root \"$2\" --agent-policy Reports/examples/system-default.policy.yml --format \"$3\"",
            ReportTestSupport.packageRoot.path, ExampleReportsTests.binary, Self.stagingRoot.path, ext == "txt" ? "text" : "json",
        ])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("/var/log/auth.log.1") && !r.stdout.contains("\"object\" : \"/var/log/auth.log.2.gz\""))
        let file = examples.appendingPathComponent("example-host.policy." + ext)
        if ReportTestSupport.updatingGolden {
            try Data(r.stdout.utf8).write(to: file)
            return
        }
        #expect(r.stdout == (try String(contentsOf: file, encoding: .utf8)), "Reports/examples/\(file.lastPathComponent) is stale: rerun with PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter ExamplePolicyReport")
    }
}
