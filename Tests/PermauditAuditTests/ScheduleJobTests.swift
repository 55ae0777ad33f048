import Foundation
import Glibc
import PermauditAudit
import Testing

/// `permaudit schedule`: the units pass `systemd-analyze verify` (offline, on the unit files: PID 1 need
/// not be systemd), the logrotate stanza passes `logrotate -d`, and the job's own command works as the
/// agent's user, reporting unknown where that user cannot look.
@Suite struct ScheduleJobTests {
    static var binary: String {
        ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] ?? ReportTestSupport.packageRoot.appendingPathComponent(".build/debug/permaudit").path
    }
    static let analyze = ReportTestSupport.which("systemd-analyze")
    static let logrotate = ReportTestSupport.which("logrotate") ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/logrotate") ? "/usr/sbin/logrotate" : nil)

    /// `schedule --install-root DIR` with these options; the files it wrote.
    func install(_ options: [String], in dir: URL) throws -> [String: String] {
        let out = try ReportTestSupport.run(Self.binary, ["schedule", "--install-root", dir.path, "--binary", Self.binary] + options)
        try #require(out.status == 0, "schedule \(options): \(out.stderr)")
        var files: [String: String] = [:]
        for path in out.stdout.split(separator: "\n").map(String.init) {
            files[String(path.dropFirst(dir.path.count))] = try String(contentsOfFile: path, encoding: .utf8)
        }
        return files
    }

    static let variants: [[String]] = [
        [],
        ["--run-as", "elastic-agent-user", "--every", "15", "--record", "/srv/audit state/h.sqlite", "--report", "/srv/audit state/f.ndjson"],
        ["--user", "elastic-agent-user", "--integration", "system,docker", "--every", "120", "--randomized-delay", "0"],
    ]

    @Test(.enabled(if: analyze != nil, "systemd-analyze missing (apt-get install systemd)"), arguments: variants)
    func unitsPassSystemdAnalyzeVerify(_ options: [String]) throws {
        let dir = try ReportTestSupport.temporaryDirectory("schedule")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try install(options, in: dir)
        let service = try #require(files["/etc/systemd/system/permaudit-audit.service"])
        let timer = try #require(files["/etc/systemd/system/permaudit-audit.timer"])
        for line in ["Type=oneshot", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "SuccessExitStatus=1"] {
            #expect(service.contains("\n" + line + "\n"), "\(line) missing")
        }
        for line in ["Persistent=true", "WantedBy=timers.target"] { #expect(timer.contains("\n" + line + "\n"), "\(line) missing") }
        #expect(timer.contains("\nRandomizedDelaySec="))
        let rw = try #require(service.split(separator: "\n").first { $0.hasPrefix("ReadWritePaths=") })
        #expect(rw == "ReadWritePaths=" + (options.contains("--record") ? "\"/srv/audit state\"" : "/var/lib/permaudit /var/log/permaudit"))
        let caps = try #require(service.split(separator: "\n").first { $0.hasPrefix("CapabilityBoundingSet=") })
        #expect(caps == (options.contains("elastic-agent-user") && options.contains("--run-as") ? "CapabilityBoundingSet=" : "CapabilityBoundingSet=CAP_DAC_READ_SEARCH"))
        let unitDir = dir.appendingPathComponent("etc/systemd/system")
        // --man=no: the man page is installed by the package, not on a build machine.
        let out = try ReportTestSupport.run(try #require(Self.analyze), [
            "verify", "--man=no", unitDir.appendingPathComponent("permaudit-audit.service").path, unitDir.appendingPathComponent("permaudit-audit.timer").path,
        ])
        #expect(out.status == 0 && out.stderr.isEmpty && out.stdout.isEmpty, "systemd-analyze verify: \(out.stdout)\(out.stderr)\n\(service)")
        let security = try ReportTestSupport.run(try #require(Self.analyze), ["security", "--offline=yes", unitDir.appendingPathComponent("permaudit-audit.service").path])
        let level = security.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") }
        let score = level.flatMap { Double($0.split(separator: ":").last?.split(separator: " ").first ?? "") }
        #expect(score.map { $0 <= 3.5 } == true, "systemd-analyze security: \(level ?? "no score")")
    }

    /// verify can fail: an unknown key or a bad value is reported.
    @Test(.enabled(if: analyze != nil, "systemd-analyze missing (apt-get install systemd)"),
          arguments: [("Persistent=true", "Persistentt=true", "timer"), ("ProtectSystem=strict", "ProtectSystem=sometimes", "service")])
    func systemdAnalyzeRefusesABrokenUnit(_ from: String, _ to: String, _ kind: String) throws {
        let dir = try ReportTestSupport.temporaryDirectory("schedule-broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try install([], in: dir)
        let file = dir.appendingPathComponent("etc/systemd/system/permaudit-audit.\(kind)")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(from))
        try Data(text.replacing(from, with: to).utf8).write(to: file)
        let out = try ReportTestSupport.run(try #require(Self.analyze), ["verify", "--man=no", file.path])
        #expect(!(out.stderr + out.stdout).isEmpty, "systemd-analyze verify accepted \(to)")
    }

    @Test(.enabled(if: logrotate != nil, "logrotate missing (apt-get install logrotate)"), arguments: [false, true])
    func logrotateStanzaPassesLogrotateDebug(_ broken: Bool) throws {
        let dir = try ReportTestSupport.temporaryDirectory("schedule-logrotate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("log/findings.ndjson").path
        let files = try install(["--emit", "cron", "--report", report, "--record", dir.appendingPathComponent("h.sqlite").path], in: dir)
        #expect(files.keys.sorted() == ["/etc/cron.d/permaudit-audit", "/etc/logrotate.d/permaudit-audit"])
        let cron = try #require(files["/etc/cron.d/permaudit-audit"])
        #expect(cron.contains("*/30 * * * * root \(Self.binary) audit --profile elastic-agent --record "))
        let conf = dir.appendingPathComponent("etc/logrotate.d/permaudit-audit")
        if broken {
            try Data((files["/etc/logrotate.d/permaudit-audit"] ?? "").replacing("weekly", with: "weeklyy").utf8).write(to: conf)
        }
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("log").path, withIntermediateDirectories: true)
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: report))
        let out = try ReportTestSupport.run(try #require(Self.logrotate), ["-d", "-s", dir.appendingPathComponent("state").path, conf.path])
        let text = out.stdout + out.stderr
        if broken {
            #expect(out.status != 0 || text.contains("error"), "logrotate -d accepted weeklyy:\n\(text)")
        } else {
            #expect(out.status == 0 && !text.contains("error"), "logrotate -d:\n\(text)")
            #expect(text.contains("considering log \(report)"), "\(text)")
        }
    }

    /// The unit's own command, run as a user that is not root (as `--run-as` makes it): it records, reports
    /// ECS lines, exits 0 or 1, and says unknown where that user cannot look.
    @Test(.enabled(if: getuid() == 0 && ReportTestSupport.which("setfacl") != nil && ReportTestSupport.which("setpriv") != nil,
                   "needs root, setfacl (to stage the example host) and setpriv (to run as nobody)"))
    func theJobRunsAsAnotherUserAndSaysUnknownWhereItCannotLook() throws {
        let dir = try ReportTestSupport.temporaryDirectory("schedule-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        #expect(chown(state.path, 65534, 65534) == 0)
        let host = dir.appendingPathComponent("host")
        try stageExampleHost(at: host)
        // A folder of the agent's own (0700): the agent reads it, the job's user cannot look inside.
        let own = host.appendingPathComponent("var/log/nginx")
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: own.appendingPathComponent("access.log"))
        #expect(chown(own.path, 5101, 6101) == 0 && chmod(own.path, 0o700) == 0)
        let files = try install(["--run-as", "nobody", "--record", state.appendingPathComponent("h.sqlite").path, "--report", state.appendingPathComponent("f.ndjson").path], in: dir.appendingPathComponent("units"))
        let service = try #require(files["/etc/systemd/system/permaudit-audit.service"])
        let exec = try #require(service.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        let words = exec.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        #expect(service.contains("\nUser=nobody\n"))
        let setpriv = try #require(ReportTestSupport.which("setpriv"))
        for run in 1...2 {
            let out = try ReportTestSupport.run(setpriv, ["--reuid", "65534", "--regid", "65534", "--clear-groups", "--inh-caps=-all"] + words + ["--root", host.path])
            #expect(out.status == 1, "run \(run): \(out.stderr)")
            let lines = out.stdout.split(separator: "\n")
            if run == 1 {
                #expect(lines.count > 10 && lines.allSatisfy { $0.hasPrefix("{\"@timestamp\"") })
                #expect(lines.contains { $0.contains("\"state\":\"unknown\"") && $0.contains("/var/log/nginx") }, "no unknown finding as nobody:\n\(out.stdout.prefix(2000))")
            } else {
                #expect(lines.isEmpty, "the second run reports only changes, and nothing changed")
            }
        }
    }
}
