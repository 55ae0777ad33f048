/// The files of the cron audit job, as text: a oneshot systemd service and its timer (or a cron line),
/// and the logrotate stanza for the ECS NDJSON each run appends. Pure: nothing is written here.
struct ScheduleFiles {
    /// One file to install: where it goes and what it holds.
    struct File: Equatable {
        var path: String
        var text: String
    }

    var binary = "/usr/bin/permaudit"
    /// The audit's selection and principal words (`AuditArguments`).
    var auditWords: [String]
    /// Who runs the job: root (reads everything it must judge) or the agent's own user (reports unknown where it cannot look).
    var runAs = "root"
    var history = "/var/lib/permaudit/history.sqlite"
    var report = "/var/log/permaudit/findings.ndjson"
    var everyMinutes = 30
    var randomizedDelaySeconds = 300
    /// The group that may read the NDJSON (the shipper's; Filebeat as root needs none).
    var readerGroup = "root"
    var name = "permaudit-audit"

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }

    /// The audit's command words: record the run, report only what changed, as ECS lines on standard output.
    var command: [String] {
        [binary, "audit"] + auditWords + ["--record", history, "--changes-only", "--lock-wait", "60", "--format", "ecs"]
    }

    var servicePath: String { "/etc/systemd/system/\(name).service" }
    var timerPath: String { "/etc/systemd/system/\(name).timer" }
    var logrotatePath: String { "/etc/logrotate.d/\(name)" }
    var cronPath: String { "/etc/cron.d/\(name)" }

    var isRoot: Bool { runAs == "root" || runAs == "0" }

    /// `CAP_DAC_READ_SEARCH` lets root read every file, directory and ACL it judges without being able to
    /// change one (no `CAP_DAC_OVERRIDE`, no `CAP_FOWNER`): the audit only reads. Another user gets none.
    var capabilities: [String] { isRoot ? ["CAP_DAC_READ_SEARCH"] : [] }

    /// The folders the job writes: the history's and the report's.
    var writableDirectories: [String] {
        var unique: [String] = []
        for d in [Self.directory(of: history), Self.directory(of: report)] where !unique.contains(d) { unique.append(d) }
        return unique
    }

    /// systemd creates folders under /var/lib and /var/log itself, owned by `User=` (StateDirectory=, LogsDirectory=).
    var directoryDirectives: [String] {
        var out: [String] = []
        for d in writableDirectories {
            if d.hasPrefix("/var/lib/"), !d.dropFirst(9).isEmpty { out += ["StateDirectory=\(d.dropFirst(9))", "StateDirectoryMode=0750"] }
            if d.hasPrefix("/var/log/"), !d.dropFirst(9).isEmpty { out += ["LogsDirectory=\(d.dropFirst(9))", "LogsDirectoryMode=0750"] }
        }
        return out
    }

    /// A path in a systemd list setting: `%` doubled (specifiers), quoted when it holds a space or quote.
    static func systemdPath(_ path: String) -> String {
        let p = path.replacing("%", with: "%%")
        return AuditArguments.isPlain(path) ? p : "\"" + p.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    /// Folders systemd does not create (outside /var/lib and /var/log) must exist before the first run.
    var createFirst: String {
        let other = writableDirectories.filter { d in !(d.hasPrefix("/var/lib/") || d.hasPrefix("/var/log/")) }
        return other.isEmpty ? "" : "# Create first: install -d -m 0750 -o \(runAs) \(other.map(AuditArguments.sh).joined(separator: " "))\n"
    }

    var service: String {
        """
        [Unit]
        Description=permaudit: audit what the service account can reach (\(auditWords.joined(separator: " ")))
        Documentation=man:permaudit(1)
        After=local-fs.target

        [Service]
        Type=oneshot
        User=\(runAs)
        # Exit 1 means findings (the report says which); only 2, a usage or input error, fails the unit.
        SuccessExitStatus=1
        ExecStart=\(command.map(AuditArguments.systemd).joined(separator: " "))
        # Each run appends its changed findings, one ECS event a line, for Filebeat or Elastic Agent.
        StandardOutput=append:\(report.replacing("%", with: "%%"))
        StandardError=journal
        \(directoryDirectives.joined(separator: "\n"))
        \(createFirst)# Hardening: the audit reads the whole file system and writes only its history and its report.
        ProtectSystem=strict
        ReadWritePaths=\(writableDirectories.map(Self.systemdPath).joined(separator: " "))
        ProtectHome=read-only
        PrivateTmp=yes
        PrivateDevices=yes
        PrivateNetwork=yes
        NoNewPrivileges=yes
        CapabilityBoundingSet=\(capabilities.joined(separator: " "))
        AmbientCapabilities=
        ProtectKernelTunables=yes
        ProtectKernelModules=yes
        ProtectKernelLogs=yes
        ProtectControlGroups=yes
        ProtectClock=yes
        ProtectHostname=yes
        RestrictAddressFamilies=AF_UNIX
        RestrictNamespaces=yes
        RestrictRealtime=yes
        RestrictSUIDSGID=yes
        LockPersonality=yes
        SystemCallArchitectures=native
        UMask=0027
        Nice=10
        IOSchedulingClass=idle

        """
    }

    var timer: String {
        """
        [Unit]
        Description=permaudit audit every \(everyMinutes) minutes

        [Timer]
        OnCalendar=\(onCalendar)
        RandomizedDelaySec=\(randomizedDelaySeconds)
        # A run missed while the machine was off happens at the next boot.
        Persistent=true
        Unit=\(name).service

        [Install]
        WantedBy=timers.target

        """
    }

    /// `*:0/30` every 30 minutes; by the hour from 60 on; daily from 24 hours on.
    var onCalendar: String {
        if everyMinutes < 60 { return "*:0/\(everyMinutes)" }
        let hours = everyMinutes / 60
        return hours >= 24 ? "daily" : "0/\(hours):00"
    }

    var cronSchedule: String {
        if everyMinutes < 60 { return "*/\(everyMinutes) * * * *" }
        let hours = everyMinutes / 60
        return hours >= 24 ? "0 0 * * *" : "0 */\(hours) * * *"
    }

    /// One line of `/etc/cron.d` (with its user field). Exit 1 (findings) is data: the line exits 0 for it,
    /// so cron mails only usage and input errors.
    var cron: String {
        let dirs = writableDirectories.map(AuditArguments.sh).joined(separator: " ")
        return """
            # permaudit audit every \(everyMinutes) minutes; each run appends its changed findings as ECS lines.
            # Create the folders once: install -d -m 0750 -o \(runAs) -g \(readerGroup) \(dirs)
            \(cronSchedule) \(runAs) \(command.map(AuditArguments.sh).joined(separator: " ")) >> \(AuditArguments.sh(report)); [ $? -le 1 ]

            """
    }

    var logrotate: String {
        """
        # The ECS NDJSON the permaudit job appends; Filebeat's filestream input follows the rotation.
        \(report) {
            weekly
            rotate 8
            maxsize 50M
            missingok
            notifempty
            compress
            delaycompress
            create 0640 \(runAs) \(readerGroup)
        }

        """
    }

    func files(systemd: Bool) -> [File] {
        (systemd ? [File(path: servicePath, text: service), File(path: timerPath, text: timer)] : [File(path: cronPath, text: cron)])
            + [File(path: logrotatePath, text: logrotate)]
    }
}
