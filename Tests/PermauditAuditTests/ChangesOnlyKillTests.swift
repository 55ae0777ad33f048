import Foundation
import Glibc
import Testing

/// `audit --record DB --changes-only -o FILE`, killed at every write, rename, sync and unlink it makes (SQLite commits with pwrite64, fdatasync and unlink of its journal)
/// (`strace -e inject=SYSCALL:signal=SIGKILL:when=N`), then run again: the change made before the killed
/// run is in the report afterwards, every time (delivered by the killed run, or again by the next one),
/// and no temporary report file is left behind.
@Suite(
    .serialized,
    .enabled(if: getuid() == 0, "needs root to stage the example host (chown to other users)"),
    .enabled(if: ReportTestSupport.which("setfacl") != nil, "needs setfacl to stage the example host (apt-get install acl)"),
    .enabled(if: ReportTestSupport.which("strace") != nil, "needs strace to kill at each step (apt-get install strace)"))
struct ChangesOnlyKillTests {
    static let syscalls = ["write", "pwrite64", "rename", "fsync", "fdatasync", "unlink"]

    @Test("killed at the Nth call of each step, for every N until a run completes: no change is ever lost", arguments: syscalls)
    func killedAtEveryStep(_ syscall: String) throws {
        let cron = try CronAuditTests.Cron()
        defer { cron.remove() }
        let folder = (cron.db as NSString).deletingLastPathComponent
        let report = folder + "/report.json"
        let args = ["audit", "--root", cron.root.path, "--record", cron.db, "--changes-only", "--format", "json", "-o", report]
        let first = try ReportTestSupport.run(CronAuditTests.binary, args)
        try #require(first.status == 1, "\(first.stderr)")
        let syslog = cron.root.appendingPathComponent("var/log/syslog").path
        var open = false
        var killed = 0
        for n in 1...400 {
            // One change since the last delivered report: syslog opened to everyone, or closed again.
            open.toggle()
            #expect(chmod(syslog, open ? 0o644 : 0o640) == 0)
            let expected = "linux.syslog.read /var/log/syslog \(open ? "pass" : "fail")"
            let run = try ReportTestSupport.run("/usr/bin/strace", ["-f", "-o", "/dev/null", "-e", "trace=\(syscall)", "-e", "inject=\(syscall):signal=SIGKILL:when=\(n)", CronAuditTests.binary] + args)
            let wasKilled = run.status == 9
            if wasKilled {
                killed += 1
                let next = try ReportTestSupport.run(CronAuditTests.binary, args)
                #expect(next.status == 1, "after a kill at \(syscall) #\(n): \(next.stderr)")
            } else {
                #expect(run.status == 1, "\(syscall) #\(n) not killed: \(run.stderr)")
            }
            let states = try Self.states(report)
            #expect(states.contains(expected), "killed at \(syscall) #\(n): the change is lost; the report says \(states)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".report.json.") }
            #expect(leftovers.isEmpty, "killed at \(syscall) #\(n): temporary files left: \(leftovers)")
            if !wasKilled { break }
        }
        if ["write", "rename", "fsync"].contains(syscall) { #expect(killed > 0, "never killed at \(syscall): the test proves nothing") }
    }

    static func states(_ report: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: report))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return ((object["findings"] as? [[String: Any]]) ?? []).map { "\($0["ruleId"] ?? "") \($0["object"] ?? "") \($0["state"] ?? "")" }
    }
}
