import Foundation
import Glibc
import Testing

/// The audit on a real staged host, through the built binary: an rsyslogd of the test's own writes an
/// auth.log into a log folder of the test's own, logrotate rotates it, a desktop user's FUSE mount sits
/// under /run/user/UID/gvfs, the agent's user and group are created for real — and the JSON report says
/// what the kernel will do to the agent.
///
/// Nothing of the host's own is used or changed: the agent, its group, the broad group and the desktop
/// user have names of this test's own (so an installed `elastic-agent-user` is never touched); a test
/// profile (`--rules`) points the audit at them and at the test's log folder; the host's rsyslog, its
/// /dev/log and /var/log/auth.log are left alone. `.accountsUntouched` checks that no account the test did
/// not create changed.
@Suite("audit on a staged host", .serialized, .accountsUntouched)
struct AuditEndToEndTests {
    static let isRoot = getuid() == 0
    static let tools = ["/usr/sbin/rsyslogd", "/usr/sbin/logrotate", "/usr/bin/bindfs", "/usr/sbin/useradd", "/usr/bin/logger"]
    static let ready = isRoot && tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } && FileManager.default.fileExists(atPath: "/dev/fuse")

    @Test("auth.log and gvfs fail before install and after; the fix planned from the audit opens auth.log, survives rotation and rolls back; the broad group is flagged", .enabled(if: ready, "needs root, /dev/fuse, and rsyslog, logrotate, bindfs, useradd (CI installs them)"))
    func stagedHost() throws {
        var stage = try StagedHost()
        defer { stage.tearDown() }
        try stage.startRsyslog()
        try stage.writeAuthLogAndRotate()
        let gvfs = try stage.mountDesktopGvfs()
        let auth = [stage.logDir + "/auth.log", stage.logDir + "/auth.log.1"]

        // Preflight: the agent's user does not exist yet.
        let preflight = try auditJSON(stage)
        #expect(preflight.principal["planned"] as? Bool == true)
        try expectAuthLogFails(preflight, objects: auth, in: stage.logDir)
        try expectGvfsFails(preflight, mountPoint: gvfs)

        // Installed: the same failures, now for the real user.
        try stage.createAgentUser()
        let installed = try auditJSON(stage)
        #expect(installed.principal["planned"] as? Bool == false)
        #expect(installed.principal["user"] as? String == stage.agent)
        try expectAuthLogFails(installed, objects: auth, in: stage.logDir)
        try expectGvfsFails(installed, mountPoint: gvfs)
        #expect(installed.finding("linux.groups.too-broad", "groups")?["state"] as? String == "pass")

        // The narrow fix, planned from the same audit: a script, clean under shellcheck, that grants the
        // agent's group read on auth.log and its rotated copies; gvfs is listed as not fixable by a permission.
        let before = try stage.agentReadable()
        let aclsBefore = try stage.acls()
        let script = stage.scratch + "/fix.sh", rollback = stage.scratch + "/fix.rollback.sh"
        let planned = try PermauditRun.run(["fix", "-o", script] + stage.selection)
        try #require(planned.status == 0, "\(planned.stderr)")
        let plan = try PermauditRun.run(["fix", "--emit", "json"] + stage.selection)
        let planObject = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let planGained = Set(((planObject["gained"] as? [[String: Any]]) ?? []).filter { $0["access"] as? String == "read" }.compactMap { $0["object"] as? String })
        #expect(planGained.isSuperset(of: auth), "\(planGained.sorted())")
        #expect(planned.stderr.contains("not fixed by a permission: statfs \(gvfs)"), "\(planned.stderr)")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/shellcheck") {
            let lint = try PermauditRun.runProcess("/usr/bin/shellcheck", [script, rollback])
            #expect(lint.status == 0, "\(lint.stdout)")
        }
        let applied = try PermauditRun.runProcess("/bin/bash", [script])
        try #require(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let fixed = try auditJSON(stage)
        for object in auth {
            #expect(fixed.finding("linux.auth-log.read", object)?["state"] as? String == "pass", "\(object) after the fix")
        }
        try expectGvfsFails(fixed, mountPoint: gvfs)
        // The kernel agrees, and nothing else under /var/log opened: what the agent gained is exactly the
        // planned objects.
        let after = try stage.agentReadable()
        #expect(after.subtracting(before) == planGained.filter { $0.hasPrefix("/var/log/") }, "gained: \(after.subtracting(before).sorted())")

        // Real rotation (rsyslog reopens on HUP): the files logrotate makes are still readable.
        try stage.rotate(marker: "permaudit-e2e-rotated")
        let rotated = try stage.agentReadable()
        #expect(rotated.isSuperset(of: auth), "after rotation: \(rotated.sorted())")

        // Again: nothing to change. Then the rollback: the agent is refused again.
        let again = try PermauditRun.runProcess("/bin/bash", [script])
        #expect(again.status == 0 && again.stdout.contains("nothing to change"), "\(again.stdout)\(again.stderr)")
        let undone = try PermauditRun.runProcess("/bin/bash", [rollback])
        #expect(undone.status == 0, "\(undone.stdout)\(undone.stderr)")
        let readableAfterRollback = try stage.agentReadable()
        #expect(readableAfterRollback.isSubset(of: before), "the rollback must take every grant back, rotated copies included: \(readableAfterRollback.subtracting(before).sorted())")
        let aclsAfter = try stage.acls()
        // Every object that was there before has its ACL back byte for byte (getfacl -n), auth.log and its
        // rotated copies included; no object, new rotated copies included, keeps an entry for the agent.
        for (path, acl) in aclsBefore { #expect(aclsAfter[path] == acl, "\(path): the ACL differs after the rollback") }
        let uid = try StagedHost.sh("id -u \(stage.agent)").trimmingCharacters(in: .whitespacesAndNewlines)
        let gid = try StagedHost.sh("id -g \(stage.agent)").trimmingCharacters(in: .whitespacesAndNewlines)
        for (path, acl) in aclsAfter { #expect(!acl.contains("group:\(gid):") && !acl.contains("user:\(uid):"), "\(path) keeps a grant: \(acl)") }

        // The documented broad fix (adm, here a stand-in group of the test's own that owns the logs): auth.log
        // now passes, the group is flagged, gvfs still fails.
        try StagedHost.sh("usermod -aG \(stage.broadGroup) \(stage.agent)")
        let inBroad = try auditJSON(stage)
        let broad = try #require(inBroad.finding("linux.groups.too-broad", "group \(stage.broadGroup)"))
        #expect(broad["state"] as? String == "fail")
        #expect((broad["evidence"] as? [String])?.contains { $0.contains(auth[0]) } == true, "the evidence lists what the group opens")
        for object in auth { #expect(inBroad.finding("linux.auth-log.read", object)?["state"] as? String == "pass") }
        try expectGvfsFails(inBroad, mountPoint: gvfs)
    }

    func expectAuthLogFails(_ report: Report, objects: [String], in logDir: String) throws {
        for object in objects {
            let f = try #require(report.finding("linux.auth-log.read", object), "no finding for \(object)")
            #expect(f["state"] as? String == "fail", "\(object)")
            let decision = try #require(f["decision"] as? [String: Any])
            #expect(decision["granted"] as? Bool == false)
            let evidence = try #require(decision["evidence"] as? [[String: Any]])
            #expect(evidence.map { $0["path"] as? String } == ["/", "/var", "/var/log", logDir, object])
            #expect(evidence.last?["errno"] as? String == "EACCES")
            #expect((f["symptom"] as? String)?.contains("permission denied") == true)
        }
    }

    func expectGvfsFails(_ report: Report, mountPoint: String) throws {
        let f = try #require(report.finding("linux.gvfs.statfs", mountPoint), "no gvfs finding: \(report.findings.map { "\($0["ruleId"] ?? "") \($0["object"] ?? "")" })")
        #expect(f["state"] as? String == "fail")
        let fix = try #require(f["fix"] as? [String: Any])
        #expect((fix["warning"] as? String)?.contains("Adding the agent to adm does nothing") == true)
        #expect((f["evidence"] as? [String])?.contains { $0.contains("adm included") } == true)
    }

    struct Report {
        var object: [String: Any]
        var principal: [String: Any] { object["principal"] as? [String: Any] ?? [:] }
        var findings: [[String: Any]] { object["findings"] as? [[String: Any]] ?? [] }
        func finding(_ rule: String, _ object: String) -> [String: Any]? {
            findings.first { $0["ruleId"] as? String == rule && $0["object"] as? String == object }
        }
    }

    func auditJSON(_ stage: StagedHost) throws -> Report {
        let r = try PermauditRun.run(["audit", "--format", "json"] + stage.selection)
        #expect(r.status == 1, "failing findings exit 1: \(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "not JSON: \(r.stdout.prefix(300)) \(r.stderr)")
        return Report(object: object)
    }
}

/// A host staged for real, with names and files of its own, and put back afterwards: nothing that existed
/// before is used or changed (the host's rsyslog, /dev/log, /var/log/auth.log and accounts stay as they are).
struct StagedHost {
    /// Unique to this run: the agent user and its group, the broad group that owns the logs (adm's
    /// stand-in), the desktop user. useradd takes at most 32 characters.
    let tag = "\(getpid() % 10000)\(Int.random(in: 100...999))"
    var agent: String { "pa-e2e-\(tag)" }
    var broadGroup: String { "pa-e2e-\(tag)-adm" }
    var desktop: String { "pa-e2e-\(tag)-desk" }
    let scratch: String
    var logDir: String { "/var/log/permaudit-audit-e2e-\(tag)" }
    var profile: String { "pa-e2e-\(tag)" }
    var selection: [String] { ["--rules", scratch + "/rules", "--profile", profile] }

    var createdLogDir = false
    var startedRsyslog = false
    var createdBroadGroup = false
    var desktopUser: String?
    var createdRunUser: String?
    var mounted: String?
    var fuseMode: mode_t?
    var createdAgent = false

    init() throws {
        scratch = "/tmp/permaudit-staged-\(getpid())-\(Int.random(in: 1000...9999))"
        try FileManager.default.createDirectory(atPath: scratch + "/rules", withIntermediateDirectories: true)
        for name in [agent, broadGroup, desktop] where (try? Self.sh("getent passwd \(name) || getent group \(name)")) != nil {
            throw ShellFailure(description: "\(name) exists already: this test uses only names of its own")
        }
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        createdLogDir = true
        try Self.sh("groupadd --system \(broadGroup)")
        createdBroadGroup = true
        try writeRules()
    }

    /// The test profile: the catalog's auth.log rule pointed at the test's log folder, the gvfs rule as it
    /// is, the broad-group rule with the test's stand-in for adm; the agent is the test's own user.
    func writeRules() throws {
        try """
            schema: permaudit/profile/v1
            profile:
              name: \(profile)
              title: The audit end-to-end test's own agent
              user: \(agent)
              group: \(agent)
              default-integrations: [system, system.auth, system.metrics, system.filesystem]
              rules: [linux.auth-log.read, linux.gvfs.statfs, linux.groups.too-broad]

            """.write(toFile: scratch + "/rules/profile.yaml", atomically: true, encoding: .utf8)
        try """
            schema: permaudit/rules/v1
            rules:
              - id: linux.auth-log.read
                title: The agent reads the test's auth.log and its rotated copies
                summary: The test's rsyslogd writes auth.log as Debian's does (root, the broad group, 0640).
                platforms: [linux]
                integrations: [system.auth]
                severity: high
                check:
                  kind: path-access
                  paths: ["\(logDir)/auth.log*"]
                  access: read
                symptom: "Failed opening \(logDir)/auth.log.1: open \(logDir)/auth.log.1: permission denied"
                documented-fix: Add the agent's user to the adm group.
                least-privilege-fix: A named-group ACL entry for the agent's group on auth.log and its rotated copies.
                remedy: log-acl
                sources: ["the audit end-to-end test"]
              - id: linux.groups.too-broad
                title: The agent is not in a group that opens far more than it needs
                summary: The test's stand-in for adm.
                platforms: [linux]
                severity: high
                check:
                  kind: group-membership
                  too-broad: [\(broadGroup)]
                symptom: "(no error)"
                documented-fix: Add the agent to adm.
                least-privilege-fix: Remove the agent from the group and grant named-group ACL entries.
                remedy: leave-group
                sources: ["the audit end-to-end test"]

            """.write(toFile: scratch + "/rules/rules.yaml", atomically: true, encoding: .utf8)
    }

    @discardableResult
    static func sh(_ command: String) throws -> String {
        let r = try PermauditRun.runProcess("/bin/sh", ["-c", command])
        guard r.status == 0 else { throw ShellFailure(description: "\(command): exit \(r.status): \(r.stderr)") }
        return r.stdout
    }

    /// An rsyslogd of the test's own: its own configuration, socket, pid file and work folder, writing
    /// auth.log into the test's log folder as Debian's rsyslog writes /var/log/auth.log.
    mutating func startRsyslog() throws {
        try """
            global(workDirectory="\(scratch)")
            module(load="imuxsock" SysSock.Use="off")
            input(type="imuxsock" Socket="\(scratch)/dev-log")
            $FileOwner root
            $FileGroup \(broadGroup)
            $FileCreateMode 0640
            auth,authpriv.* \(logDir)/auth.log

            """.write(toFile: scratch + "/rsyslog.conf", atomically: true, encoding: .utf8)
        try DetachedCommand.run("rsyslogd -f \(scratch)/rsyslog.conf -i \(scratch)/rsyslogd.pid")
        startedRsyslog = true
    }

    /// The test's rsyslog creates auth.log as root:GROUP 0640; a real logrotate run makes auth.log.1 and a
    /// new auth.log.
    mutating func writeAuthLogAndRotate() throws {
        try waitForLine("permaudit-e2e-before")
        try rotate(marker: "permaudit-e2e-after")
        #expect(FileManager.default.fileExists(atPath: logDir + "/auth.log.1"))
    }

    /// logrotate as Debian configures rsyslog's logs (bare `create`, compress, delaycompress), and a HUP
    /// to the test's rsyslogd.
    func rotate(marker: String) throws {
        let config = scratch + "/logrotate.conf"
        try """
            \(logDir)/auth.log {
                rotate 4
                create
                compress
                delaycompress
                missingok
                postrotate
                    kill -HUP "$(cat \(scratch)/rsyslogd.pid)" 2>/dev/null || true
                endscript
            }

            """.write(toFile: config, atomically: true, encoding: .utf8)
        try Self.sh("logrotate --force -s \(scratch)/logrotate.state \(config)")
        try waitForLine(marker)
    }

    /// `getfacl` of every object under /var/log (the other suites' scratch trees left out), by path.
    func acls() throws -> [String: String] {
        let out = try Self.sh("find /var/log \\( -path '/var/log/permaudit-*' ! -path '\(logDir)' ! -path '\(logDir)/*' \\) -prune -o -print0 | xargs -0 getfacl -p -n 2>/dev/null; true")
        var blocks: [String: String] = [:]
        for block in out.components(separatedBy: "\n\n") where !block.isEmpty {
            let head = block.split(separator: "\n").first.map(String.init) ?? ""
            blocks[head] = block
        }
        return blocks
    }

    /// The files under /var/log the kernel lets the agent read (`cat` as the agent, groups from the database).
    /// The scratch trees other end-to-end suites make under /var/log at the same time are left out.
    func agentReadable() throws -> Set<String> {
        let out = try Self.sh("""
            find /var/log \\( -path '/var/log/permaudit-*' ! -path '\(logDir)' ! -path '\(logDir)/*' \\) -prune -o -type f -print0 | xargs -0 setpriv --reuid \(agent) --regid \(agent) --init-groups \\
              sh -c 'for f; do cat -- "$f" >/dev/null 2>&1 && printf "%s\\n" "$f"; done; exit 0' _
            """)
        return Set(out.split(separator: "\n").map(String.init))
    }

    func waitForLine(_ marker: String) throws {
        for attempt in 0..<50 {
            if attempt % 10 == 0 { try Self.sh("logger -u \(scratch)/dev-log -p auth.info \(marker)") }
            if let text = try? String(contentsOfFile: logDir + "/auth.log", encoding: .utf8), text.contains(marker) { return }
            usleep(100_000)
        }
        throw ShellFailure(description: "rsyslog did not write \(marker) to \(logDir)/auth.log")
    }

    /// A desktop user's FUSE mount without allow_other, as gvfsd-fuse makes one (bindfs, mounted by that user).
    mutating func mountDesktopGvfs() throws -> String {
        let name = desktop
        try Self.sh("useradd --create-home --shell /bin/sh \(name)")
        desktopUser = name
        let uid = try Self.sh("id -u \(name)").trimmingCharacters(in: .whitespacesAndNewlines)
        let gid = try Self.sh("id -g \(name)").trimmingCharacters(in: .whitespacesAndNewlines)
        let runUser = "/run/user/\(uid)"
        // A runtime folder left by an earlier user of this uid is not the test's to take.
        guard !FileManager.default.fileExists(atPath: runUser) else { throw ShellFailure(description: "\(runUser) exists already") }
        try Self.sh("mkdir -p /run/user && mkdir \(runUser)")
        createdRunUser = runUser
        try Self.sh("mkdir \(runUser)/gvfs && chown -R \(uid):\(gid) \(runUser) && chmod 0700 \(runUser)")
        var st = stat()
        if stat("/dev/fuse", &st) == 0 {
            fuseMode = st.st_mode & 0o7777
            chmod("/dev/fuse", 0o666)  // 0600 on these machines; 0666 on a stock Debian host
        }
        try DetachedCommand.run("setpriv --reuid \(uid) --regid \(gid) --init-groups bindfs --no-allow-other /home/\(name) \(runUser)/gvfs")
        mounted = runUser + "/gvfs"
        return runUser + "/gvfs"
    }

    mutating func createAgentUser() throws {
        try Self.sh("useradd --system --user-group --no-create-home --shell /usr/sbin/nologin \(agent)")
        createdAgent = true
    }

    mutating func tearDown() {
        // A test that stopped half way must not leave its grants on its logs.
        if FileManager.default.fileExists(atPath: scratch + "/fix.rollback.sh") { _ = try? Self.sh("bash \(scratch)/fix.rollback.sh >/dev/null 2>&1") }
        if let m = mounted { _ = try? Self.sh("umount \(m) || fusermount3 -u \(m)") }
        if let mode = fuseMode { chmod("/dev/fuse", mode) }
        if let r = createdRunUser { _ = try? Self.sh("rm -rf -- \(r)") }
        // Only what this test created, by the names it made unique.
        if let u = desktopUser { _ = try? Self.sh("userdel --remove \(u) 2>/dev/null") }
        if createdAgent { _ = try? Self.sh("userdel \(agent)") }
        if createdBroadGroup { _ = try? Self.sh("groupdel \(broadGroup)") }
        if startedRsyslog { _ = try? Self.sh("kill \"$(cat \(scratch)/rsyslogd.pid)\"") }
        if createdLogDir { try? FileManager.default.removeItem(atPath: logDir) }
        try? FileManager.default.removeItem(atPath: scratch)
    }
}

struct ShellFailure: Error, CustomStringConvertible {
    var description: String
}
