import Foundation
import Glibc
import Testing

/// permaudit run without privilege cannot look everywhere: what it cannot see is `unknown`, with the
/// reason and the path that stopped it — never a guess, never a pass.
@Suite(
    .enabled(if: getuid() == 0, "needs root to stage the example host and to run permaudit as another user"),
    .enabled(if: ReportTestSupport.which("setfacl") != nil && ReportTestSupport.which("setpriv") != nil, "needs setfacl and setpriv"))
struct AuditUnknownTests {
    @Test("an unprivileged audit reports the folder it cannot list as unknown, and --fail-on-unknown fails on it")
    func unlistableFolderIsUnknown() throws {
        let root = try ReportTestSupport.temporaryDirectory("unknown-host")
        defer { try? FileManager.default.removeItem(at: root) }
        chmod(root.path, 0o755)
        try stageExampleHost(at: root.appendingPathComponent("host"))
        // A copy every user can run (the build folder may sit under a private home).
        let binary = root.appendingPathComponent("permaudit").path
        try FileManager.default.copyItem(atPath: ExampleReportsTests.binary, toPath: binary)
        chmod(binary, 0o755)
        let asNobody = ["--reuid", "65534", "--regid", "65534", "--clear-groups", binary, "audit", "--root", root.appendingPathComponent("host").path]

        let r = try ReportTestSupport.run("/usr/bin/setpriv", asNobody + ["--format", "json", "--fail-on", "critical"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        let findings = (object["findings"] as? [[String: Any]]) ?? []
        let audit = try #require(findings.first { $0["ruleId"] as? String == "linux.audit-log.read" })
        #expect(audit["state"] as? String == "unknown")
        let message = audit["message"] as? String ?? ""
        #expect(message.contains("/var/log/audit") && message.contains("EACCES"), "\(message)")
        #expect(r.status == 0, "no critical failure and unknown not counted: \(r.stderr)")

        let strict = try ReportTestSupport.run("/usr/bin/setpriv", asNobody + ["--format", "json", "--fail-on", "medium", "--fail-on-unknown"])
        #expect(strict.status == 1, "an unknown medium finding fails with --fail-on-unknown")
    }
}
