import ArgumentParser
import Foundation

extension Permaudit {
    /// `permaudit schedule`: the cron audit job as a systemd service and timer (or a cron line), with
    /// its logrotate stanza; printed, or written under a folder (`/` installs it).
    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Print (or install) the cron audit job: a hardened oneshot service and timer, or a cron line, and its logrotate stanza.",
            discussion: """
                Each run records itself in the history, appends only the findings that changed to an ECS NDJSON file \
                for Filebeat or Elastic Agent to ship, and never overlaps another run. --install-root / writes the files \
                where they go (then: systemctl daemon-reload && systemctl enable --now permaudit-audit.timer).
                """)

        enum Emit: String, ExpressibleByArgument, CaseIterable { case systemd, cron }

        @Option(name: .long, help: "systemd (a service and a timer) or cron (a line for /etc/cron.d).")
        var emit: Emit = .systemd

        @OptionGroup(title: "Selection (as audit)")
        var selection: AuditSelection

        @OptionGroup(title: "Principal judged (as audit; default: the profile's)")
        var principal: PrincipalOptions

        @Option(name: .customLong("run-as"), help: "Who runs the job: root, or the agent's own user (it then reports unknown where it cannot look).")
        var runAs = "root"

        @Option(name: .long, help: "Minutes between runs.")
        var every = 30

        @Option(name: .customLong("randomized-delay"), help: "Seconds of random delay per run, so a fleet does not audit at once.")
        var randomizedDelay = 300

        @Option(name: .long, help: ArgumentHelp("The run history (SQLite).", valueName: "DB"))
        var record = "/var/lib/permaudit/history.sqlite"

        @Option(name: .long, help: ArgumentHelp("The ECS NDJSON each run appends.", valueName: "FILE"))
        var report = "/var/log/permaudit/findings.ndjson"

        @Option(name: .customLong("reader-group"), help: "The group that may read the report (the shipper's).")
        var readerGroup = "root"

        @Option(name: .long, help: ArgumentHelp("The permaudit the job runs.", valueName: "PATH"))
        var binary = "/usr/bin/permaudit"

        @Option(name: .customLong("install-root"), help: ArgumentHelp("Write the files under DIR (etc/systemd/system/…, etc/logrotate.d/…) instead of printing them; / installs.", valueName: "DIR"))
        var installRoot: String?

        func validate() throws {
            if every < 1 || every > 1440 { throw ValidationError("--every takes minutes from 1 to 1440") }
            if every < 60 ? 60 % every != 0 : every % 60 != 0 {
                throw ValidationError("--every \(every): give a divisor of 60 (5, 10, 15, 30) or whole hours (60, 120, …, 1440)")
            }
            if randomizedDelay < 0 { throw ValidationError("--randomized-delay takes seconds, 0 or more") }
            for (flag, path) in [("--record", record), ("--report", report), ("--binary", binary)] where !path.hasPrefix("/") {
                throw ValidationError("\(flag) \(path): give an absolute path (systemd and cron run from /)")
            }
        }

        var files: ScheduleFiles {
            ScheduleFiles(
                binary: binary, auditWords: AuditArguments(selection: selection, principal: principal).words, runAs: runAs,
                history: record, report: report, everyMinutes: every, randomizedDelaySeconds: randomizedDelay, readerGroup: readerGroup)
        }

        func run() throws {
            let list = files.files(systemd: emit == .systemd)
            guard let installRoot else {
                print(list.map { "# \($0.path)\n" + $0.text }.joined(separator: "\n"), terminator: "")
                return
            }
            for f in list {
                let path = (installRoot.hasSuffix("/") ? String(installRoot.dropLast()) : installRoot) + f.path
                do {
                    try FileManager.default.createDirectory(atPath: ScheduleFiles.directory(of: path), withIntermediateDirectories: true)
                    try AtomicFile.write(f.text, to: path)
                } catch {
                    throw InputError("--install-root: cannot write \(path): \(error)")
                }
                print(path)
            }
        }
    }
}
