import Foundation
import Glibc
import Testing

/// The cron audit job through the built binary, on the example host: the first run reports everything,
/// a run with nothing changed prints nothing, a changed permission prints exactly its finding, `history`
/// lists the runs, `diff` names the drift, and a second run never starts while one holds the lock.
@Suite(
    .serialized,
    .enabled(if: getuid() == 0, "needs root to stage the example host (chown to other users)"),
    .enabled(if: ReportTestSupport.which("setfacl") != nil, "needs setfacl to stage the example host (apt-get install acl)"))
struct CronAuditTests {
    static var binary: String { ExampleReportsTests.binary }

    struct Cron {
        let root: URL
        let db: String

        init() throws {
            root = try ReportTestSupport.temporaryDirectory("cron-host")
            try stageExampleHost(at: root)
            db = try ReportTestSupport.temporaryDirectory("cron-db").appendingPathComponent("history.sqlite").path
        }

        func remove() {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(atPath: (db as NSString).deletingLastPathComponent)
        }

        func audit(_ extra: [String] = []) throws -> ReportTestSupport.Output {
            try ReportTestSupport.run(CronAuditTests.binary, ["audit", "--root", root.path, "--record", db, "--changes-only", "--format", "json"] + extra)
        }

        func ruleStates(_ out: ReportTestSupport.Output) throws -> [String] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "not JSON: \(out.stdout.prefix(200)) \(out.stderr)")
            return ((object["findings"] as? [[String: Any]]) ?? []).map { "\($0["ruleId"] ?? "") \($0["object"] ?? "") \($0["state"] ?? "")" }
        }
    }

    @Test("quiet when nothing changed, exactly the drift when something did")
    func quietThenDrift() throws {
        let cron = try Cron()
        defer { cron.remove() }

        let first = try cron.audit()
        #expect(first.status == 1, "the example host fails findings: \(first.stderr)")
        #expect(try cron.ruleStates(first).count > 20, "the first run has nothing to compare with: it reports every finding")

        let second = try cron.audit()
        #expect(second.status == 1, "the exit status still says what fails, even when nothing is printed")
        #expect(second.stdout.isEmpty, "nothing changed, nothing printed: \(second.stdout.prefix(300))")

        // The admin opens syslog to everyone: the next run reports that finding and nothing else.
        #expect(chmod(cron.root.appendingPathComponent("var/log/syslog").path, 0o644) == 0)
        let third = try cron.audit()
        #expect(try cron.ruleStates(third) == ["linux.syslog.read /var/log/syslog pass"])

        let history = try ReportTestSupport.run(Self.binary, ["history", "--record", cron.db])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.split(separator: "\n").filter { $0.hasPrefix("#") }.count == 3, "\(history.stdout)")

        let diff = try ReportTestSupport.run(Self.binary, ["diff", "--record", cron.db])
        #expect(diff.status == 1, "diff exits 1 when something changed: \(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.contains("linux.syslog.read"), "\(diff.stdout)")
        #expect(!diff.stdout.contains("linux.auth-log.read"), "only what changed: \(diff.stdout)")
    }

    @Test("a second run does not start while another holds the lock, and says how to wait")
    func lockKeepsRunsApart() throws {
        let cron = try Cron()
        defer { cron.remove() }
        let fd = open(cron.db + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        let blocked = try cron.audit()
        #expect(blocked.status == 2, "\(blocked.stderr)")
        #expect(blocked.stderr.contains("another permaudit run holds") && blocked.stderr.contains("--lock-wait"), "\(blocked.stderr)")
        #expect(blocked.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cron.db), "a blocked run records nothing")
        flock(fd, LOCK_UN)
        #expect(try cron.audit().status == 1)
    }
}
