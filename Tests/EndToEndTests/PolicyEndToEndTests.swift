import Foundation
import Glibc
import PermauditCore
import PermauditHost
import Testing

/// `--agent-policy` end to end, through the built binary, as root on a staged host: policies in the agent's
/// format whose paths point into a folder of the test's own, judged for a test-owned agent user. The
/// findings must be exactly the files the policy's globs and excludes select there (listed independently
/// here, with find), and the fix must open exactly those files to the agent, as the kernel says.
@Suite(.serialized)
struct PolicyEndToEndTests {
    static let ready = FixE2E.canRun && FileManager.default.isExecutableFile(atPath: "/usr/bin/find")
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A staged host: a private folder under /tmp, the sample policies rewritten to point into it.
    final class Stage {
        let root: String
        var agent: FixE2E.Agent?
        var mounted: String?
        var scripts: [String] = []

        init() throws {
            root = "/tmp/pa-policy-\(getpid())-\(Int.random(in: 100_000...999_999))"
            guard mkdir(root, 0o700) == 0 else { throw E2EError("mkdir \(root): errno \(errno)") }
        }

        /// A sample policy from Tests/Policies with @ROOT@ replaced by the stage's folder.
        func policy(_ name: String) throws -> String {
            let text = try String(contentsOf: PolicyEndToEndTests.repo.appendingPathComponent("Tests/Policies/\(name)"), encoding: .utf8)
            let file = root + "/" + name.replacingOccurrences(of: "/", with: "-")
            try text.replacingOccurrences(of: "@ROOT@", with: root).write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }

        @discardableResult
        func sh(_ script: String) throws -> FixE2E.Result {
            let r = try FixE2E.sh(script, cwd: root)
            guard r.status == 0 else { throw E2EError("\(script): \(r.err)") }
            return r
        }

        func tearDown() {
            for s in scripts.reversed() {
                _ = try? FixE2E.sh("bash \(s) >&- 2>&-")
                // The script keeps the saved ACLs in a folder of its plan's own.
                if let state = FixE2E.stateDir(of: s.replacingOccurrences(of: ".rollback.sh", with: ".sh")) { try? FileManager.default.removeItem(atPath: state) }
            }
            if let m = mounted { _ = try? FixE2E.sh("umount \(m) || fusermount3 -u \(m)") }
            agent?.remove()
            _ = try? FixE2E.sh("rm -rf -- \(root)")
        }
    }

    /// Raw NUL-separated paths, as `RawPath`s.
    static func paths(_ bytes: [UInt8]) -> Set<RawPath> {
        Set(bytes.split(separator: 0).map { RawPath(bytes: Array($0)) })
    }

    /// Regular files under a folder, listed by find (as root, bytes as they are).
    static func regularFiles(under dir: String, extra: String = "") throws -> Set<RawPath> {
        let r = try PermauditRun.runProcess("/usr/bin/env", ["LC_ALL=C", "bash", "-c", "find \"$1\" \(extra) -type f -print0", "_", dir])
        return paths(r.rawStdout)
    }

    /// Of these files, the ones the agent opens: the kernel decides, as the agent (setpriv, its groups).
    static func opened(by agent: String, _ files: Set<RawPath>, stage: Stage) throws -> Set<RawPath> {
        let list = "/tmp/pa-policy-list-\(getpid())-\(Int.random(in: 1000...9999))"
        var bytes: [UInt8] = []
        for f in files { bytes += f.bytes + [0] }
        FileManager.default.createFile(atPath: list, contents: Data(bytes))
        defer { unlink(list) }
        let loop = "while IFS= read -r -d '' f; do head -c0 -- \"$f\" 2>&- && printf '%s\\0' \"$f\"; done; exit 0"
        let r = try PermauditRun.runProcess("/usr/bin/env", [
            "bash", "-c", "setpriv --reuid \"$1\" --regid \"$1\" --init-groups bash -c \"$2\" < \"$3\"", "_", agent, loop, list,
        ])
        return paths(r.rawStdout)
    }

    struct Found: Hashable { var rule: String; var object: String; var access: String?; var state: String }

    static func audit(_ args: [String]) throws -> (status: Int32, findings: [Found], report: [String: Any]) {
        let r = try FixE2E.permaudit(["audit", "--format", "json"] + args)
        guard let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], let list = json["findings"] as? [[String: Any]] else {
            throw E2EError("audit \(args): \(r.status) \(r.err)")
        }
        // The agent's must-not-reach rules (its secrets, binaries, holdings) are judged with every policy and
        // are about what the agent must not open; these tests are about what the policy opens.
        let found = list.map { Found(rule: $0["ruleId"] as? String ?? "", object: $0["object"] as? String ?? "", access: $0["access"] as? String, state: $0["state"] as? String ?? "") }
            .filter { !$0.rule.contains(".must-not-") }
        return (r.status, found, json)
    }

    static func display(_ s: Set<RawPath>) -> Set<String> { Set(s.map(\.display)) }

    @Test("the System integration's default policy: exactly auth.log* and syslog* without the .gz copies, before install (--planned) and after; the fix opens exactly those", .enabled(if: ready, "needs root, setpriv, setfacl, useradd, find"))
    func systemDefault() throws {
        let stage = try Stage()
        defer { stage.tearDown() }
        try stage.sh("""
            mkdir -p var/log/auth.log.d && cd var/log && for f in auth.log auth.log.1 auth.log.2.gz auth.log.3.gz syslog syslog.1 syslog.2.gz kern.log .auth.log.swp; do \
            echo x > "$f"; done && chmod 0640 * .auth.log.swp && chmod 0755 . .. auth.log.d
            """)
        let policy = try stage.policy("system-default.yml")
        let log = stage.root + "/var/log"
        // What the globs and excludes select, listed independently: names starting with the globs' stems, not .gz.
        let expected = try Self.regularFiles(under: log, extra: "-maxdepth 1").filter { p in
            let name = String(decoding: p.lastComponent, as: UTF8.self)
            return ["auth.log", "secure", "messages", "syslog", "system"].contains { name.hasPrefix($0) } && !name.hasSuffix(".gz")
        }
        #expect(Self.display(expected) == Set(["auth.log", "auth.log.1", "syslog", "syslog.1"].map { log + "/" + $0 }))

        let name = "pa-pol-\(getpid() % 10000)-\(Int.random(in: 1000...9999))"
        // Preflight: the user does not exist yet; the policy says exactly what it will fail to open.
        let before = try Self.audit(["--agent-policy", policy, "--planned", "--user", name])
        #expect(before.status == 1)
        let reads = { (a: [Found]) in Set(a.filter { $0.access == "read" }.map(\.object)) }
        #expect(reads(before.findings) == Self.display(expected))
        #expect(before.findings.filter { $0.access == "read" }.allSatisfy { $0.state == "fail" })
        #expect(Set(before.findings.filter { $0.access == "list" }.map(\.object)) == [log])
        #expect(before.findings.contains { $0.rule == "linux.processes.visibility" })
        #expect(before.findings.contains { $0.access == "statfs" && $0.object == "/" })
        #expect(!before.findings.contains { $0.rule.hasPrefix("linux.postgresql") || $0.rule.hasPrefix("linux.nginx") })
        let policyUse = before.report["agentPolicy"] as? [String: Any]
        #expect(policyUse?["status"] as? String == "given")
        #expect(policyUse?["path"] as? String == policy)

        // Installed: the same policy, the same files.
        let agent = try FixE2E.Agent(name: name)
        stage.agent = agent
        let after = try Self.audit(["--agent-policy", policy, "--user", name])
        #expect(after.status == 1)
        #expect(reads(after.findings) == Self.display(expected))

        // The fix (the log inputs' part: the metricsets' fixes would touch the host's mounts, not this test's).
        let logsOnly = stage.root + "/logs-only.yml"
        let text = try String(contentsOfFile: policy, encoding: .utf8)
        try String(text[..<(text.range(of: "  - id: system/metrics-system-7c1f")?.lowerBound ?? text.endIndex)]).write(toFile: logsOnly, atomically: true, encoding: .utf8)
        let script = stage.root + "/fix.sh"
        let fix = try FixE2E.permaudit(["fix", "--agent-policy", logsOnly, "--user", name, "-o", script])
        #expect(fix.status == 0, "\(fix.err)")
        stage.scripts.append(stage.root + "/fix.rollback.sh")
        let all = try Self.regularFiles(under: stage.root + "/var")
        #expect(try Self.opened(by: name, all, stage: stage).isEmpty)
        try stage.sh("bash \(script)")
        let opened = try Self.opened(by: name, all, stage: stage)
        #expect(opened == expected, "opened \(Self.display(opened).sorted()), expected \(Self.display(expected).sorted())")
        let again = try Self.audit(["--agent-policy", logsOnly, "--user", name])
        #expect(again.findings.filter { $0.access == "read" || $0.access == "list" }.allSatisfy { $0.state == "pass" })
    }

    @Test("a policy that matches compressed copies: the fix patches exclude_files and opens only the plain files", .enabled(if: ready, "needs root, setpriv, setfacl, useradd, find"))
    func compressedCopies() throws {
        let stage = try Stage()
        defer { stage.tearDown() }
        try stage.sh("mkdir -p var/log && cd var/log && for f in auth.log auth.log.1 auth.log.2.gz; do echo x > \"$f\"; chmod 0640 \"$f\"; done")
        let policy = try stage.policy("system-default.yml")
        // The same policy without its excludes.
        let text = try String(contentsOfFile: policy, encoding: .utf8).replacingOccurrences(of: "        exclude_files:\n          - '\\.gz$'\n", with: "")
        try text.write(toFile: policy, atomically: true, encoding: .utf8)
        let agent = try FixE2E.Agent(prefix: "pa-pol")
        stage.agent = agent
        let audit = try Self.audit(["--agent-policy", policy, "--user", agent.name])
        let log = stage.root + "/var/log"
        #expect(Set(audit.findings.filter { $0.access == "read" }.map(\.object)) == Set(["auth.log", "auth.log.1", "auth.log.2.gz"].map { log + "/" + $0 }))
        let logsOnly = stage.root + "/logs-only.yml"
        try String(text[..<(text.range(of: "  - id: system/metrics-system-7c1f")?.lowerBound ?? text.endIndex)]).write(toFile: logsOnly, atomically: true, encoding: .utf8)
        let script = stage.root + "/fix.sh"
        let fix = try FixE2E.permaudit(["fix", "--agent-policy", logsOnly, "--user", agent.name, "-o", script])
        #expect(fix.status == 0, "\(fix.err)")
        stage.scripts.append(stage.root + "/fix.rollback.sh")
        let diff = try String(contentsOfFile: stage.root + "/fix.policy.diff", encoding: .utf8)
        #expect(diff.contains("+      - exclude_files: ['\\.gz$']\n+        id: logfile-system.auth-7c1f"), "\(diff)")
        // The patch applies to the policy as patch(1) reads it, and gives the patched file written beside it.
        try stage.sh("cp logs-only.yml check.yml && patch -s check.yml < fix.policy.diff && cmp check.yml fix.policy.yml")
        try stage.sh("bash \(script)")
        let opened = try Self.opened(by: agent.name, try Self.regularFiles(under: log), stage: stage)
        #expect(Self.display(opened) == Set([log + "/auth.log", log + "/auth.log.1"]))
    }

    @Test("a custom filestream input over names with spaces, newlines and invalid UTF-8: the findings and the fix are exactly its files", .enabled(if: ready, "needs root, setpriv, setfacl, useradd, find"))
    func customFilestream() throws {
        let stage = try Stage()
        defer { stage.tearDown() }
        try stage.sh("""
            set -e; mkdir -p srv/app/logs && cd srv/app/logs && mkdir -p sub dir.log d1/d2/d3/d4/d5/d6/d7/d8/d9
            for f in plain.log 'with space.log' "$(printf 'new\\nline.log')" "$(printf 'bad\\377.log')" old.log skip.log.gz notes.txt .hidden.log \
              sub/deep.log sub/old.log d1/d2/d3/d4/d5/d6/d7/d8/near.log d1/d2/d3/d4/d5/d6/d7/d8/d9/far.log; do echo x > "$f"; chmod 0640 "$f"; done
            ln -s plain.log link.log
            find . -type d -exec chmod 0750 {} +
            """)
        let policy = try stage.policy("custom-filestream.yml")
        let logs = stage.root + "/srv/app/logs"
        // `logs/**/*.log`: .log files from logs/ down to eight folders below it, less what `old\.log$` matches.
        let expected = try Self.regularFiles(under: logs, extra: "-mindepth 1 -maxdepth 9 -name '*.log'").filter { !$0.display.hasSuffix("old.log") }
        #expect(expected.count == 7)
        let dirs = try PermauditRun.runProcess("/usr/bin/env", ["LC_ALL=C", "find", logs, "-maxdepth", "8", "-type", "d", "-print0"])
        let listed = Self.paths(dirs.rawStdout)

        let agent = try FixE2E.Agent(prefix: "pa-pol")
        stage.agent = agent
        let audit = try Self.audit(["--agent-policy", policy, "--user", agent.name])
        #expect(audit.status == 1)
        let reads = audit.findings.filter { $0.access == "read" }
        #expect(Set(reads.map(\.object)) == Self.display(expected))
        #expect(reads.allSatisfy { $0.rule == "policy.input.read" && $0.state == "fail" })
        #expect(Set(audit.findings.filter { $0.access == "list" }.map(\.object)) == Self.display(listed))
        let notes = (audit.report["agentPolicy"] as? [String: Any])?["notInterpreted"] as? [String] ?? []
        #expect(notes.contains { $0.contains("'httpjson': not interpreted") && $0.contains("custom-filestream.yml:20:") })

        let script = stage.root + "/fix.sh"
        let fix = try FixE2E.permaudit(["fix", "--agent-policy", policy, "--user", agent.name, "-o", script])
        #expect(fix.status == 0, "\(fix.err)")
        stage.scripts.append(stage.root + "/fix.rollback.sh")
        let all = try Self.regularFiles(under: stage.root + "/srv")
        try stage.sh("bash \(script)")
        let opened = try Self.opened(by: agent.name, all, stage: stage)
        #expect(opened == expected, "opened \(Self.display(opened).sorted()), expected \(Self.display(expected).sorted())")
    }

    @Test("the filesystem metricset: a gvfs-like FUSE mount fails statfs unless a processor drops it; the fix patches the policy, not permissions", .enabled(if: ready && FileManager.default.isExecutableFile(atPath: "/usr/bin/bindfs"), "needs root, bindfs, useradd"))
    func gvfs() throws {
        let stage = try Stage()
        defer { stage.tearDown() }
        let mount = stage.root + "/run/user/4242/gvfs"
        try stage.sh("mkdir -p home/desk \(mount) && chmod 0755 . run run/user run/user/4242")
        // Mounted by root without allow_other: like gvfsd-fuse's mount, only its owner gets in.
        try DetachedCommand.run("bindfs --no-allow-other -o subtype=gvfsd-fuse \(stage.root)/home/desk \(mount)")
        stage.mounted = mount
        let agent = try FixE2E.Agent(prefix: "pa-pol")
        stage.agent = agent

        let kept = try stage.policy("gvfs-kept.yml")
        let k = try Self.audit(["--agent-policy", kept, "--user", agent.name])
        let statfs = k.findings.filter { $0.object == mount && $0.access == "statfs" }
        #expect(statfs.map(\.state) == ["fail"])
        let dropped = try Self.audit(["--agent-policy", stage.policy("gvfs-dropped.yml"), "--user", agent.name])
        #expect(!dropped.findings.contains { $0.object == mount })

        // fix -o: the policy diff and the patched policy beside the script; the policy itself untouched.
        let original = try String(contentsOfFile: kept, encoding: .utf8)
        let fix = try FixE2E.permaudit(["fix", "--agent-policy", kept, "--user", agent.name, "--emit", "json", "-o", stage.root + "/fix.json"])
        #expect(fix.status == 0, "\(fix.err)")
        let diff = try String(contentsOfFile: stage.root + "/fix.policy.diff", encoding: .utf8)
        #expect(diff.contains("+      - filesystem.ignore_types: [") && diff.contains("fuse.gvfsd-fuse]"))
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == original)
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stage.root + "/fix.json"))) as? [String: Any]
        let stepPaths = (plan?["steps"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        let unresolved = (plan?["unresolved"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(!stepPaths.contains(mount) && unresolved.contains(mount), "no permission opens another user's FUSE mount: \(stepPaths) \(unresolved)")
        let patched = try Self.audit(["--agent-policy", stage.root + "/fix.policy.yml", "--user", agent.name])
        #expect(!patched.findings.contains { $0.object == mount })
        // Types the default ignored stay ignored: the patched list holds this host's nodev types.
        #expect(!patched.findings.contains { $0.access == "statfs" && $0.object == "/proc" })

        // --apply: the policy replaced atomically, the old one kept for the rollback.
        let apply = try FixE2E.permaudit(["fix", "--agent-policy", kept, "--user", agent.name, "--apply"])
        #expect(apply.out.contains("patched \(kept)"), "\(apply.out)\(apply.err)")
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == String(contentsOfFile: stage.root + "/fix.policy.yml", encoding: .utf8))
        let backups = try FileManager.default.contentsOfDirectory(atPath: stage.root).filter { $0.hasPrefix("gvfs-kept.yml.permaudit-") }
        #expect(backups.count == 1)
        #expect(try backups.first.map { try String(contentsOfFile: stage.root + "/" + $0, encoding: .utf8) } == original)
    }

    @Test("Elastic Defend is named as needing root; journald brings the journal; nothing else of the catalog is judged", .enabled(if: FixE2E.isRoot, "needs root"))
    func defend() throws {
        let stage = try Stage()
        defer { stage.tearDown() }
        let a = try Self.audit(["--agent-policy", stage.policy("elastic-defend.yml"), "--user", "nobody"])
        #expect(a.status == 1)
        #expect(a.findings.contains { $0.rule == "all.integrations.root-only" && $0.state == "fail" })
        #expect(a.findings.contains { $0.rule == "linux.journal.group" })
        #expect(!a.findings.contains { $0.rule == "linux.auth-log.read" || $0.rule == "linux.gvfs.statfs" || $0.rule.hasPrefix("policy.input.read") })
        let notJudged = (a.report["agentPolicy"] as? [String: Any])?["notJudged"] as? [String] ?? []
        #expect(notJudged.contains("linux.auth-log.read"))
    }

    @Test("bad policies: not YAML, no inputs, Fleet's bootstrap file exit 2 with file:line; a partly understood one is judged", arguments: [
        ("bad/not-yaml.yml", Int32(2), ":4: not valid YAML"), ("bad/no-inputs.yml", 2, ":2: not an agent policy"), ("bad/fleet-bootstrap.yml", 2, "elastic-agent inspect > policy.yml"),
        ("bad/partly.yml", 0, ""),
    ])
    func bad(_ name: String, _ status: Int32, _ says: String) throws {
        let file = Self.repo.appendingPathComponent("Tests/Policies/\(name)").path
        let r = try FixE2E.permaudit(["audit", "--agent-policy", file, "--user", "nobody", "--fail-on", "critical"])
        #expect(r.status == status, "\(r.out)\(r.err)")
        if status == 2 { #expect(r.err.contains(file + says) || (says.contains("inspect") && r.err.contains(says)), "\(r.err)") }
        if status == 0 { #expect(r.out.contains("6 part(s) of the policy"), "\(r.out)") }
        let show = try FixE2E.permaudit(["policy", "show", file])
        #expect(show.status == status)
    }

    @Test("without --agent-policy the report says none was used and the whole catalog was judged", .enabled(if: !FileManager.default.fileExists(atPath: "/opt/Elastic/Agent/elastic-agent.yml") && !FileManager.default.fileExists(atPath: "/etc/elastic-agent/elastic-agent.yml")))
    func noPolicy() throws {
        let a = try Self.audit(["--user", "nobody"])
        let use = a.report["agentPolicy"] as? [String: Any]
        #expect(use?["status"] as? String == "none")
        #expect((use?["message"] as? String)?.contains("judged the whole catalog") == true)
        #expect(a.findings.contains { $0.rule == "linux.auth-log.read" })
    }
}

/// Without --agent-policy, the installed agent's policy where the agent keeps it, judged in an image
/// (`--root`), so the test never touches the host's own /opt or /etc.
struct InstalledPolicyTests {
    static func image() throws -> String {
        let root = "/tmp/pa-policy-image-\(getpid())-\(Int.random(in: 100_000...999_999))"
        let r = try FixE2E.sh("""
            set -e; mkdir -p \(root)/etc \(root)/opt/Elastic/Agent \(root)/var/log/postgresql \(root)/usr/lib
            echo x > \(root)/var/log/postgresql/postgresql-15-main.log && chmod 0640 \(root)/var/log/postgresql/postgresql-15-main.log
            cp /etc/passwd /etc/group \(root)/etc/ && printf 'ID=debian\\n' > \(root)/usr/lib/os-release
            for f in auth.log auth.log.1 auth.log.2.gz; do echo x > \(root)/var/log/$f; chmod 0640 \(root)/var/log/$f; done
            """)
        guard r.status == 0 else { throw E2EError(r.err) }
        return root
    }

    @Test("a standalone agent's /opt/Elastic/Agent/elastic-agent.yml is followed and named in the report", .enabled(if: FixE2E.isRoot, "needs root"))
    func installed() throws {
        let root = try Self.image()
        defer { _ = try? FixE2E.sh("rm -rf -- \(root)") }
        let text = try String(contentsOf: PolicyEndToEndTests.repo.appendingPathComponent("Reports/examples/system-default.policy.yml"), encoding: .utf8)
        try text.write(toFile: root + "/opt/Elastic/Agent/elastic-agent.yml", atomically: true, encoding: .utf8)
        let a = try PolicyEndToEndTests.audit(["--root", root, "--user", "nobody"])
        let use = a.report["agentPolicy"] as? [String: Any]
        #expect(use?["status"] as? String == "installed")
        #expect(use?["path"] as? String == "/opt/Elastic/Agent/elastic-agent.yml")
        let reads = a.findings.filter { $0.access == "read" }
        #expect(Set(reads.map(\.object)) == ["/var/log/auth.log", "/var/log/auth.log.1"])
        // The catalog's rule for auth.log judges it (its symptom and fixes); PostgreSQL, not in the policy, is not judged.
        #expect(reads.allSatisfy { $0.rule == "linux.auth-log.read" })
        #expect(!a.findings.contains { $0.rule == "linux.postgresql-logs.read" })
    }

    @Test("a Fleet-managed agent (fleet.enc beside elastic-agent.yml): the report says the policy is encrypted and how to get it", .enabled(if: FixE2E.isRoot, "needs root"))
    func fleetManaged() throws {
        let root = try Self.image()
        defer { _ = try? FixE2E.sh("rm -rf -- \(root)") }
        try "fleet:\n  enabled: true\n".write(toFile: root + "/opt/Elastic/Agent/elastic-agent.yml", atomically: true, encoding: .utf8)
        try "\u{1}encrypted".write(toFile: root + "/opt/Elastic/Agent/fleet.enc", atomically: true, encoding: .utf8)
        let a = try PolicyEndToEndTests.audit(["--root", root, "--user", "nobody"])
        let use = a.report["agentPolicy"] as? [String: Any]
        #expect(use?["status"] as? String == "encrypted")
        #expect((use?["message"] as? String)?.contains("sudo -u elastic-agent-user elastic-agent inspect > policy.yml") == true)
        // The whole catalog is judged: the .gz copy fails as before.
        #expect(a.findings.contains { $0.object == "/var/log/auth.log.2.gz" })
        #expect(a.findings.contains { $0.rule == "linux.postgresql-logs.read" && $0.state == "fail" })
    }
}
