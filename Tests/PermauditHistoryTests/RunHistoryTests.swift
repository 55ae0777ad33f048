import Foundation
import PermauditAudit
import PermauditCore
import PermauditHistory
import Testing

/// The cron job's memory: runs are recorded, and the drift between two runs names exactly what changed.
@Suite("Run history and drift")
struct RunHistoryTests {
    func report(_ states: [(String, String, Finding.State)], at time: String) -> AuditReport {
        AuditReport(
            host: .init(hostname: "web-1", root: "/", osID: "debian", osLike: []),
            principal: Principal(uid: 998, gid: 998, userName: "elastic-agent-user"), profile: "elastic-agent", generatedAt: time,
            findings: states.map { Finding(ruleID: $0.0, ruleTitle: $0.0, severity: .high, object: $0.1, state: $0.2, message: "m") })
    }

    func temporaryDatabase() -> String { NSTemporaryDirectory() + "permaudit-history-\(UUID().uuidString)/history.sqlite" }

    @Test("a recorded run comes back with its counts and findings")
    func recordsRuns() throws {
        let path = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let history = try RunHistory(path: path)
        let run = try history.record(report([("linux.auth-log.read", "/var/log/auth.log", .fail), ("linux.syslog.read", "/var/log/syslog", .pass)], at: "2026-11-23T10:00:00Z"))
        #expect(run.counts[.fail] == 1 && run.counts[.pass] == 1)
        let findings = try history.findings(of: run)
        #expect(findings.map(\.object) == ["/var/log/auth.log", "/var/log/syslog"])
        #expect(try history.runs().map(\.id) == [run.id])
    }

    @Test("drift names new failures, resolved ones and objects that went away; nothing when nothing changed")
    func driftBetweenRuns() throws {
        let path = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let history = try RunHistory(path: path)
        let first = try history.record(report([
            ("linux.auth-log.read", "/var/log/auth.log", .fail),
            ("linux.auth-log.read", "/var/log/auth.log.1", .pass),
            ("linux.syslog.read", "/var/log/syslog", .pass),
        ], at: "t1"))
        let second = try history.record(report([
            ("linux.auth-log.read", "/var/log/auth.log", .pass),
            ("linux.syslog.read", "/var/log/syslog", .fail),
            ("linux.auth-log.read", "/var/log/auth.log.2.gz", .fail),
        ], at: "t2"))
        #expect(try history.previous(to: second)?.id == first.id)
        let drift = try history.drift(from: first, to: second)
        #expect(drift.newFailures.map(\.finding.object) == ["/var/log/auth.log.2.gz", "/var/log/syslog"])
        #expect(drift.resolved.map(\.finding.object) == ["/var/log/auth.log"])
        #expect(drift.gone.map(\.object) == ["/var/log/auth.log.1"])
        let third = try history.record(report([
            ("linux.auth-log.read", "/var/log/auth.log", .pass),
            ("linux.syslog.read", "/var/log/syslog", .fail),
            ("linux.auth-log.read", "/var/log/auth.log.2.gz", .fail),
        ], at: "t3"))
        #expect(try history.drift(from: second, to: third).isEmpty)
    }

    @Test("an unusable database path is an error that names the path")
    func badPath() {
        #expect {
            _ = try RunHistory(path: "/proc/permaudit-cannot-be-here/history.sqlite")
        } throws: { error in
            "\(error)".contains("/proc/permaudit-cannot-be-here/history.sqlite")
        }
    }
}
