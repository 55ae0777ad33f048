import PermauditAudit
import PermauditCore

/// Audit reports built by hand for the renderer tests: a realistic Debian host whose agent was added
/// to `adm` but not restarted, and a hostile one whose paths hold every byte that breaks a format.
enum ReportFixtures {
    static let agent = Principal(
        uid: 5101, gid: 6101, groups: [6101], userName: "elastic-agent-user",
        groupNames: [6101: "elastic-agent"], origin: "--pid 4242")

    static let host = AuditReport.HostInfo(hostname: "web-01.example.internal", root: "/", osID: "debian", osLike: [], kernel: "6.1.0-27-amd64")

    static func step(
        _ path: String, _ role: EvidenceStep.Role, _ check: String, _ outcome: EvidenceStep.Outcome, _ because: String,
        fileType: FileType? = nil, fileMode: FileMode? = nil, hasACL: Bool = false, owner: String? = nil, group: String? = nil, errno: Errno? = nil
    ) -> EvidenceStep {
        EvidenceStep(
            path: path, role: role, check: check, outcome: outcome, because: because, fileType: fileType, fileMode: fileMode, hasACL: hasACL,
            owner: owner, group: group, errno: errno)
    }

    /// `/`, `/var`, `/var/log` searchable by everyone, as on a stock Debian 12.
    static let varLogWalk = [
        step("/", .ancestor, "search", .granted, "other has r-x", fileType: .directory, fileMode: FileMode(0o755), owner: "root", group: "root"),
        step("/var", .ancestor, "search", .granted, "other has r-x", fileType: .directory, fileMode: FileMode(0o755), owner: "root", group: "root"),
        step("/var/log", .ancestor, "search", .granted, "other has r-x", fileType: .directory, fileMode: FileMode(0o755), owner: "root", group: "root"),
    ]

    static func logDecision(_ path: String) -> AccessDecision {
        AccessDecision(
            path: path, resolvedPath: path, access: .read, principal: agent, verdict: .denied, errno: .permissionDenied,
            reason: "read \(path): other has ---; uid 5101 is not the owner, not in group 4(adm), and no ACL entry names it",
            blockedAt: path,
            evidence: varLogWalk + [
                step(path, .target, "read", .denied, "other has ---",
                     fileType: .regular, fileMode: FileMode(0o640), owner: "root", group: "adm", errno: .permissionDenied),
            ],
            caveats: [])
    }

    static let authLogFix = """
        setfacl -m g:elastic-agent:r /var/log/auth.log /var/log/auth.log.1
        setfacl -m g:elastic-agent:r /var/log/auth.log.2.gz
        # logrotate's bare `create` (Debian's rsyslog rotation) copies
        # the ACL to each new auth.log: the grant survives rotation
        """
    static let admWarning = "The documented fix, adding elastic-agent-user to adm, also opens 23 other files "
        + "to the agent: /var/log/syslog, /var/log/kern.log, /var/log/apache2/access.log, /var/log/postgresql/"
        + "postgresql-15-main.log and more (permaudit fix --strategy group lists them)."

    static let gvfsDecision = AccessDecision(
        path: "/run/user/1000/gvfs", resolvedPath: "/run/user/1000/gvfs", access: .statfs, principal: agent,
        verdict: .denied, errno: .permissionDenied,
        reason: "/run/user/1000 is alice's 0700 directory, and the FUSE mount inside it refuses every other uid even past it, root included",
        blockedAt: "/run/user/1000",
        evidence: [
            step("/", .ancestor, "search", .granted, "other has r-x", fileType: .directory, fileMode: FileMode(0o755), owner: "root", group: "root"),
            step("/run", .ancestor, "search", .granted, "other has r-x", fileType: .directory, fileMode: FileMode(0o755), owner: "root", group: "root"),
            step("/run/user", .ancestor, "search", .granted, "other has r-x", fileType: .directory, fileMode: FileMode(0o755), owner: "root", group: "root"),
            step("/run/user/1000", .ancestor, "search", .denied, "other has ---",
                 fileType: .directory, fileMode: FileMode(0o700), owner: "alice", group: "alice", errno: .permissionDenied),
            step("/run/user/1000/gvfs", .mount, "statfs", .denied,
                 "fuse.gvfsd-fuse mounted with user_id=1000, no allow_other (fs/fuse fuse_allow_current_process)",
                 fileType: .directory, fileMode: FileMode(0o500), owner: "alice", group: "alice", errno: .permissionDenied),
        ],
        caveats: [])

    static let journalDecision = AccessDecision(
        path: "/var/log/journal", resolvedPath: "/var/log/journal", access: .list, principal: agent, verdict: .unknown,
        errno: .permissionDenied, reason: "the auditing process could not read the ACL of /var/log/journal/3f2a9c1e0b7d4e8f",
        blockedAt: "/var/log/journal/3f2a9c1e0b7d4e8f",
        evidence: varLogWalk + [
            step("/var/log/journal", .target, "list", .granted, "other has r-x",
                 fileType: .directory, fileMode: FileMode(0o2755), hasACL: true, owner: "root", group: "systemd-journal"),
            step("/var/log/journal/3f2a9c1e0b7d4e8f", .ancestor, "search", .unknown,
                 "the auditing process got EACCES reading this directory's ACL", errno: .permissionDenied),
        ],
        caveats: ["AppArmor is enabled; its profiles are not modelled"])

    static let example = AuditReport(
        host: host, principal: agent, profile: "elastic-agent", generatedAt: "2026-11-23T12:00:00Z",
        findings: [
            Finding(
                ruleID: "linux.auth-log.read", ruleTitle: "The agent can read the authentication log",
                severity: .high, object: "/var/log/auth.log", access: .read, state: .fail,
                message: "elastic-agent-user cannot read /var/log/auth.log: it is root:adm 0640 and the agent does not hold adm.",
                symptom: "Harvester could not be started on new file: /var/log/auth.log, Err: error setting up harvester: "
                    + "Harvester setup failed. Unexpected file opening error: Failed opening /var/log/auth.log: "
                    + "open /var/log/auth.log: permission denied",
                decision: logDecision("/var/log/auth.log"),
                documentedFix: "Add elastic-agent-user to the adm group.",
                leastPrivilegeFix: authLogFix, warning: admWarning, integrations: ["system.auth"]),
            Finding(
                ruleID: "linux.auth-log.read", ruleTitle: "The agent can read the authentication log",
                severity: .high, object: "/var/log/auth.log.1", access: .read, state: .fail,
                message: "elastic-agent-user cannot read the rotated /var/log/auth.log.1.",
                symptom: "Harvester could not be started on new file: /var/log/auth.log.1, Err: error setting up harvester: "
                    + "Harvester setup failed. Unexpected file opening error: Failed opening /var/log/auth.log.1: "
                    + "open /var/log/auth.log.1: permission denied",
                decision: logDecision("/var/log/auth.log.1"),
                documentedFix: "Add elastic-agent-user to the adm group.",
                leastPrivilegeFix: authLogFix, warning: admWarning, integrations: ["system.auth"]),
            Finding(
                ruleID: "linux.gvfs.statfs", ruleTitle: "Filesystem metrics can statfs every mount",
                severity: .medium, object: "/run/user/1000/gvfs", access: .statfs, state: .fail,
                message: "statfs on /run/user/1000/gvfs is refused: it is alice's FUSE mount without allow_other.",
                symptom: "error getting filesystem usage for /run/user/1000/gvfs: error in Statfs syscall: permission denied",
                decision: gvfsDecision,
                documentedFix: "Add elastic-agent-user to the adm group.",
                leastPrivilegeFix: "# System integration, filesystem metrics (system.filesystem):\nfilesystem.ignore_types: [fuse.gvfsd-fuse]",
                warning: "Adding elastic-agent-user to adm does not help: no group, mode or capability opens another "
                    + "user's FUSE mount. Leave the mount out of the metrics instead.",
                integrations: ["system.filesystem"]),
            Finding(
                ruleID: "linux.groups.too-broad", ruleTitle: "The agent is not in a broad group",
                severity: .medium, object: "adm", state: .fail,
                message: "elastic-agent-user is listed in adm (gid 4), which opens 23 files the profile does not need.",
                evidence: [
                    "/etc/group: adm:x:4:syslog,elastic-agent-user",
                    "adm opens /var/log/syslog, /var/log/kern.log, /var/log/apache2/access.log and 20 more",
                    "the running agent (pid 4242) does not hold gid 4 yet: it started before the change",
                ],
                documentedFix: "Add elastic-agent-user to the adm group.",
                leastPrivilegeFix: "gpasswd -d elastic-agent-user adm   # once the narrow ACLs above are in place",
                warning: "adm is the log-reading group of every Debian service: membership is a standing grant "
                    + "on logs that have nothing to do with the agent.",
                definedAt: SourceLocation(base: .host, path: "/etc/group", line: 5)),
            Finding(
                ruleID: "linux.audit-log.read", ruleTitle: "The agent can read the audit log", severity: .medium,
                object: "/var/log/audit/audit.log", access: .read, state: .error,
                message: "could not read /etc/audit/auditd.conf to find log_group: EIO (Input/output error)",
                integrations: ["auditd.log"]),
            Finding(
                ruleID: "linux.journal.read", ruleTitle: "The agent can read the systemd journal", severity: .medium,
                object: "/var/log/journal", access: .list, state: .unknown,
                message: "could not look inside /var/log/journal/3f2a9c1e0b7d4e8f: run the audit as root to decide.",
                symptom: "none: journalctl silently reads nothing and no error reaches the agent",
                decision: journalDecision,
                leastPrivilegeFix: "# systemd drop-in for elastic-agent.service\n[Service]\nSupplementaryGroups=systemd-journal",
                warning: "adm and wheel also read the journal on Debian but open far more."),
            Finding(
                ruleID: "linux.install-dir.search", ruleTitle: "Every directory above the agent can be searched",
                severity: .critical, object: "/opt/Elastic/Agent", access: .search, state: .pass,
                message: "/, /opt, /opt/Elastic and /opt/Elastic/Agent are searchable by elastic-agent-user."),
            Finding(
                ruleID: "linux.control-socket.connect", ruleTitle: "Operators can reach the agent's control socket",
                severity: .low, object: "/opt/Elastic/Agent/elastic-agent.sock", access: .write, state: .pass,
                message: "the socket is elastic-agent-user:elastic-agent 0660."),
            Finding(
                ruleID: "linux.proc.hidepid", ruleTitle: "Other users' processes are visible", severity: .medium,
                object: "/proc", state: .pass, message: "/proc is mounted without hidepid."),
            Finding(
                ruleID: "linux.docker-socket.connect", ruleTitle: "Docker metadata through the socket", severity: .low,
                object: "/var/run/docker.sock", access: .write, state: .notApplicable,
                message: "no such file on this host: Docker is not installed."),
            Finding(
                ruleID: "macos.system-log.read", ruleTitle: "The agent can read /var/log/system.log", severity: .high,
                object: "/var/log/system.log", access: .read, state: .notApplicable, message: "macOS rule on a Linux host."),
            Finding(
                ruleID: "windows.eventlog.security", ruleTitle: "The agent can read the Security event log",
                severity: .high, object: "Security", state: .notApplicable, message: "Windows rule on a Linux host."),
            Finding(
                ruleID: "windows.partmgr.registry", ruleTitle: "The agent can set EnableCounterForIoctl on PartMgr",
                severity: .medium, object: #"HKLM\SYSTEM\CurrentControlSet\Services\PartMgr"#, state: .notApplicable,
                message: "Windows rule on a Linux host."),
        ])

    /// Names that break naive renderers: table pipes, backticks, markup, newlines, ESC, bidi overrides,
    /// a NUL-adjacent control, `%`, `#`, `?`, spaces, non-ASCII and XML's forbidden characters.
    static let hostilePath = "/var/log/evil|`x`<script>alert(1)</script>&amp;\n\u{1B}[31mred\u{7}\u{202E}gol.txt\u{85} 100% #?журнал\u{1}\u{FFFE}.log"

    static let hostile = AuditReport(
        host: AuditReport.HostInfo(hostname: "host<&>\"'|`", root: "/mnt/image root", osID: "debian", osLike: ["x|y"]),
        principal: Principal(uid: 1, gid: 2, groups: [3], capabilities: CapabilitySet([.dacReadSearch, Capability(number: 45)]), userName: "u\u{1B}]0;owned\u{7}", groupNames: [2: "g|`<"], origin: "--user"),
        profile: "p\"rofile<", generatedAt: "2026-11-23T12:00:00Z",
        findings: [
            Finding(
                ruleID: "linux.auth-log.read", ruleTitle: "Title with | pipe and `tick` and <b>tag</b>", severity: .high,
                object: hostilePath, access: .read, state: .fail, message: "message\nwith newline | pipe ``` fence",
                symptom: "open \(hostilePath): permission denied",
                decision: AccessDecision(
                    path: hostilePath, resolvedPath: hostilePath, access: .read, principal: agent, verdict: .denied,
                    errno: .permissionDenied, reason: "because <&>", blockedAt: hostilePath,
                    evidence: [step(hostilePath, .target, "read", .denied, "other has ---", fileType: .regular, fileMode: FileMode(0o600), owner: "ro`ot", group: "a|dm", errno: .permissionDenied)],
                    caveats: ["caveat ]]> cdata end"]),
                evidence: ["line ]]> with </system-out> close"],
                documentedFix: "```\nrm -rf /\n```",
                leastPrivilegeFix: "setfacl -m g:x:r -- '\(hostilePath)'\n```\n", warning: "<img src=x onerror=alert(1)>",
                integrations: ["a|b"]),
            Finding(
                ruleID: "x.unknown", ruleTitle: "u", severity: .info, object: "group\u{0}name", state: .unknown, message: "?"),
            Finding(ruleID: "x.error", ruleTitle: "e", severity: .low, object: "/", state: .error, message: "]]>"),
            Finding(ruleID: "x.pass", ruleTitle: "p", severity: .low, object: "/p|a`s<s>", state: .pass, message: "ok <fine>"),
            Finding(ruleID: "x.na", ruleTitle: "n", severity: .low, object: "C:\\Windows", state: .notApplicable, message: "n/a"),
        ])

    static let empty = AuditReport(host: host, principal: agent, profile: "empty", generatedAt: "2026-11-23T12:00:00Z", findings: [])

    static let all: [(String, AuditReport)] = [("example", example), ("hostile", hostile), ("empty", empty)]
}
