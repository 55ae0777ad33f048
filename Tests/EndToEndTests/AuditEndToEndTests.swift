import Foundation
import Glibc
import Testing

/// The audit on a real staged host, through the built binary: rsyslog writes the real /var/log/auth.log,
/// logrotate rotates it, a desktop user's FUSE mount sits under /run/user/UID/gvfs, the agent's user and
/// group are created for real — and the JSON report says what the kernel will do to the agent.
@Suite("audit on a staged host", .serialized)
struct AuditEndToEndTests {
    static let isRoot = getuid() == 0
    static let tools = ["/usr/sbin/rsyslogd", "/usr/sbin/logrotate", "/usr/bin/bindfs", "/usr/sbin/useradd", "/usr/bin/logger"]
    static let ready = isRoot && tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } && FileManager.default.fileExists(atPath: "/dev/fuse")

    @Test("auth.log and gvfs fail before install and after; the fix planned from the audit opens auth.log, survives rotation and rolls back; adm is flagged too broad", .enabled(if: ready, "needs root, /dev/fuse, and rsyslog, logrotate, bindfs, useradd (CI installs them)"))
    func stagedHost() throws {
        var stage = try StagedHost()
        defer { stage.tearDown() }
        try stage.startRsyslog()
        try stage.writeAuthLogAndRotate()
        let gvfs = try stage.mountDesktopGvfs()

        // Preflight: the agent's user does not exist yet.
        let preflight = try auditJSON()
        #expect(preflight.principal["planned"] as? Bool == true)
        try expectAuthLogFails(preflight, objects: ["/var/log/auth.log", "/var/log/auth.log.1"])
        try expectGvfsFails(preflight, mountPoint: gvfs)

        // Installed: the same failures, now for the real user.
        try stage.createAgentUser()
        let installed = try auditJSON()
        #expect(installed.principal["planned"] as? Bool == false)
        #expect(installed.principal["user"] as? String == "elastic-agent-user")
        try expectAuthLogFails(installed, objects: ["/var/log/auth.log", "/var/log/auth.log.1"])
        try expectGvfsFails(installed, mountPoint: gvfs)
        #expect(installed.finding("linux.groups.too-broad", "groups")?["state"] as? String == "pass")

        // The narrow fix, planned from the same audit: a script, clean under shellcheck, that grants the
        // agent's group read on auth.log and its rotated copies; gvfs is listed as not fixable by a permission.
        let before = try stage.agentReadable()
        let aclsBefore = try stage.acls()
        let script = stage.scratch + "/fix.sh", rollback = stage.scratch + "/fix.rollback.sh"
        let planned = try PermauditRun.run(["fix", "-o", script])
        try #require(planned.status == 0, "\(planned.stderr)")
        let plan = try PermauditRun.run(["fix", "--emit", "json"])
        let planObject = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let planGained = Set(((planObject["gained"] as? [[String: Any]]) ?? []).filter { $0["access"] as? String == "read" }.compactMap { $0["object"] as? String })
        #expect(planGained.isSuperset(of: ["/var/log/auth.log", "/var/log/auth.log.1"]), "\(planGained.sorted())")
        #expect(planned.stderr.contains("not fixed by a permission: statfs \(gvfs)"), "\(planned.stderr)")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/shellcheck") {
            let lint = try PermauditRun.runProcess("/usr/bin/shellcheck", [script, rollback])
            #expect(lint.status == 0, "\(lint.stdout)")
        }
        let applied = try PermauditRun.runProcess("/bin/bash", [script])
        try #require(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let fixed = try auditJSON()
        for object in ["/var/log/auth.log", "/var/log/auth.log.1"] {
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
        #expect(rotated.isSuperset(of: ["/var/log/auth.log", "/var/log/auth.log.1"]), "after rotation: \(rotated.sorted())")

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
        let uid = try StagedHost.sh("id -u elastic-agent-user").trimmingCharacters(in: .whitespacesAndNewlines)
        let gid = try StagedHost.sh("id -g elastic-agent-user").trimmingCharacters(in: .whitespacesAndNewlines)
        for (path, acl) in aclsAfter { #expect(!acl.contains("group:\(gid):") && !acl.contains("user:\(uid):"), "\(path) keeps a grant: \(acl)") }

        // The documented broad fix: adm. auth.log now passes, the group is flagged, gvfs still fails.
        try StagedHost.sh("usermod -aG adm elastic-agent-user")
        let inAdm = try auditJSON()
        let broad = try #require(inAdm.finding("linux.groups.too-broad", "group adm"))
        #expect(broad["state"] as? String == "fail")
        #expect((broad["evidence"] as? [String])?.contains { $0.contains("/var/log/auth.log") } == true, "the evidence lists what adm opens")
        #expect(inAdm.finding("linux.auth-log.read", "/var/log/auth.log")?["state"] as? String == "pass")
        #expect(inAdm.finding("linux.auth-log.read", "/var/log/auth.log.1")?["state"] as? String == "pass")
        try expectGvfsFails(inAdm, mountPoint: gvfs)
    }

    func expectAuthLogFails(_ report: Report, objects: [String]) throws {
        for object in objects {
            let f = try #require(report.finding("linux.auth-log.read", object), "no finding for \(object)")
            #expect(f["state"] as? String == "fail", "\(object)")
            let decision = try #require(f["decision"] as? [String: Any])
            #expect(decision["granted"] as? Bool == false)
            let evidence = try #require(decision["evidence"] as? [[String: Any]])
            #expect(evidence.map { $0["path"] as? String } == ["/", "/var", "/var/log", object])
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

    func auditJSON() throws -> Report {
        let r = try PermauditRun.run(["audit", "--format", "json"])
        #expect(r.status == 1, "failing findings exit 1: \(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "not JSON: \(r.stdout.prefix(300)) \(r.stderr)")
        return Report(object: object)
    }
}

/// A host staged for real, and put back afterwards: what existed before is left as it was.
struct StagedHost {
    var startedRsyslog = false
    var createdAuthLog = false
    var desktopUser: String?
    var mounted: String?
    var fuseMode: mode_t?
    var createdAgent = false
    let scratch = "/tmp/permaudit-staged-\(getpid())"

    init() throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // A leftover agent user would make the preflight a lie.
        _ = try? Self.sh("userdel elastic-agent-user 2>/dev/null; groupdel elastic-agent 2>/dev/null; true")
    }

    @discardableResult
    static func sh(_ command: String) throws -> String {
        let r = try PermauditRun.runProcess("/bin/sh", ["-c", command])
        guard r.status == 0 else { throw ShellFailure(description: "\(command): exit \(r.status): \(r.stderr)") }
        return r.stdout
    }

    mutating func startRsyslog() throws {
        if (try? Self.sh("pgrep -x rsyslogd")) == nil {
            try DetachedCommand.run("rsyslogd")
            startedRsyslog = true
        }
    }

    /// rsyslog creates auth.log as root:adm 0640; a real logrotate run makes auth.log.1 and a new auth.log.
    mutating func writeAuthLogAndRotate() throws {
        createdAuthLog = !FileManager.default.fileExists(atPath: "/var/log/auth.log")
        try waitForLine("permaudit-e2e-before")
        try rotate(marker: "permaudit-e2e-after")
        #expect(FileManager.default.fileExists(atPath: "/var/log/auth.log.1"))
    }

    /// logrotate as Debian configures rsyslog's logs (bare `create`, compress, delaycompress), and a HUP.
    func rotate(marker: String) throws {
        let config = scratch + "/logrotate.conf"
        try """
            /var/log/auth.log {
                rotate 4
                create
                compress
                delaycompress
                missingok
                postrotate
                    kill -HUP "$(cat /run/rsyslogd.pid)" 2>/dev/null || true
                endscript
            }

            """.write(toFile: config, atomically: true, encoding: .utf8)
        try Self.sh("logrotate --force -s \(scratch)/logrotate.state \(config)")
        try waitForLine(marker)
    }

    /// `getfacl` of every object under /var/log (the other suites' scratch trees left out), by path.
    func acls() throws -> [String: String] {
        let out = try Self.sh("find /var/log -path '/var/log/permaudit-*' -prune -o -print0 | xargs -0 getfacl -p -n 2>/dev/null; true")
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
            find /var/log -path '/var/log/permaudit-*' -prune -o -type f -print0 | xargs -0 setpriv --reuid elastic-agent-user --regid elastic-agent --init-groups \
              sh -c 'for f; do cat -- "$f" >/dev/null 2>&1 && printf "%s\\n" "$f"; done; exit 0' _
            """)
        return Set(out.split(separator: "\n").map(String.init))
    }

    func waitForLine(_ marker: String) throws {
        try Self.sh("logger -p auth.info \(marker)")
        for _ in 0..<50 {
            if let text = try? String(contentsOfFile: "/var/log/auth.log", encoding: .utf8), text.contains(marker) { return }
            usleep(100_000)
        }
        throw ShellFailure(description: "rsyslog did not write \(marker) to /var/log/auth.log")
    }

    /// A desktop user's FUSE mount without allow_other, as gvfsd-fuse makes one (bindfs, mounted by that user).
    mutating func mountDesktopGvfs() throws -> String {
        let name = "pa-desk\(getpid() % 10000)"
        try Self.sh("useradd --create-home --shell /bin/sh \(name)")
        desktopUser = name
        let uid = try Self.sh("id -u \(name)").trimmingCharacters(in: .whitespacesAndNewlines)
        let gid = try Self.sh("id -g \(name)").trimmingCharacters(in: .whitespacesAndNewlines)
        let runUser = "/run/user/\(uid)"
        try Self.sh("mkdir -p \(runUser)/gvfs && chown -R \(uid):\(gid) \(runUser) && chmod 0700 \(runUser)")
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
        try Self.sh("groupadd --system elastic-agent && useradd --system --gid elastic-agent --no-create-home --shell /usr/sbin/nologin elastic-agent-user")
        createdAgent = true
    }

    mutating func tearDown() {
        // A test that stopped half way must not leave its grants on the host's logs.
        if FileManager.default.fileExists(atPath: scratch + "/fix.rollback.sh") { _ = try? Self.sh("bash \(scratch)/fix.rollback.sh >/dev/null 2>&1") }
        if let m = mounted { _ = try? Self.sh("umount \(m) || fusermount3 -u \(m)") }
        if let mode = fuseMode { chmod("/dev/fuse", mode) }
        if let u = desktopUser {
            let uid = (try? Self.sh("id -u \(u)"))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            _ = try? Self.sh("userdel --remove \(u) 2>/dev/null; rm -rf /run/user/\(uid)")
        }
        if createdAgent { _ = try? Self.sh("userdel elastic-agent-user; groupdel elastic-agent 2>/dev/null; true") }
        if startedRsyslog { _ = try? Self.sh("kill \"$(cat /run/rsyslogd.pid)\"; rm -f /run/rsyslogd.pid") }
        if createdAuthLog { _ = try? Self.sh("rm -f /var/log/auth.log /var/log/auth.log.[0-9]*") }
        try? FileManager.default.removeItem(atPath: scratch)
    }
}

struct ShellFailure: Error, CustomStringConvertible {
    var description: String
}
