import Foundation
import Glibc
import Testing

/// The fleet through the real `ansible-playbook`: this host over the local connection and two Debian
/// roots (built once by debootstrap, cached, copied per run) over `community.general.chroot`, staged so
/// they disagree, plus a host whose chroot does not exist. `permaudit merge` must see three hosts, name
/// the fourth as missing, and show where they differ. The chroots run a static permaudit
/// (`swift build -c release --static-swift-stdlib`, or `PERMAUDIT_STATIC_BIN`): the toolchain's Swift
/// libraries are not inside them.
@Suite(.serialized) struct FleetEndToEndTests {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func which(_ tool: String) -> String? {
        ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/"].map { $0 + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static let ansible = which("ansible-playbook")
    static let debootstrap = which("debootstrap")

    /// A permaudit that runs inside a bare Debian root: linked with `--static-swift-stdlib` (no libswiftCore).
    static let staticBinary: String? = {
        let candidates = [ProcessInfo.processInfo.environment["PERMAUDIT_STATIC_BIN"], package.appendingPathComponent(".build/release/permaudit").path].compactMap { $0 }
        return candidates.first { path in
            guard FileManager.default.isExecutableFile(atPath: path),
                  let out = try? PermauditRun.runProcess("/usr/bin/ldd", [path]) else { return false }
            return out.status == 0 && !out.stdout.contains("libswiftCore") && !out.stdout.contains("libFoundation")
        }
    }()

    static let ready = getuid() == 0 && ansible != nil && debootstrap != nil && staticBinary != nil
    static let why = getuid() != 0 ? "needs root (debootstrap, chroot)"
        : ansible == nil ? "ansible-playbook missing (apt-get install ansible)"
        : debootstrap == nil ? "debootstrap missing (apt-get install debootstrap)"
        : "no static permaudit: swift build -c release --static-swift-stdlib (or set PERMAUDIT_STATIC_BIN)"

    func sh(_ script: String) throws -> PermauditRun.Outcome { try PermauditRun.runProcess("/bin/sh", ["-c", script]) }

    /// Appends lines to a staged root's file.
    func append(_ root: String, _ file: String, _ text: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: root + file))
        defer { try? h.close() }
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
    }

    @Test(.enabled(if: ready, "\(why)"), .timeLimit(.minutes(30)))
    func threeHostsThroughAnsibleDisagreeAndTheMissingOneIsNamed() throws {
        let base = try sh("'\(Self.package.path)/Tests/Fleet/debootstrap-root.sh'")
        try #require(base.status == 0, "debootstrap: \(base.stderr)")
        let cached = base.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let work = "/var/tmp/permaudit-fleet-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { _ = try? sh("rm -rf --one-file-system '\(work)'") }
        let a = work + "/img-a", b = work + "/img-b"
        let copy = try sh("cp -a '\(cached)' '\(a)' && cp -a '\(cached)' '\(b)'")
        try #require(copy.status == 0, "copy the cached root: \(copy.stderr)")

        // img-a: the agent exists and was put in adm (too broad); its auth.log is root:adm 0640.
        try append(a, "/etc/passwd", "elastic-agent-user:x:5101:6101::/opt/Elastic/Agent:/usr/sbin/nologin\n")
        try append(a, "/etc/group", "elastic-agent:x:6101:\n")
        #expect(try sh("sed -i 's/^adm:x:4:$/adm:x:4:elastic-agent-user/' '\(a)/etc/group' && grep -q '^adm:x:4:elastic-agent-user$' '\(a)/etc/group'").status == 0)
        #expect(try sh("echo x > '\(a)/var/log/auth.log' && chown 0:4 '\(a)/var/log/auth.log' && chmod 0640 '\(a)/var/log/auth.log'").status == 0)
        // img-b: the agent exists in no broad group; auth.log is root:adm 0640 (so it cannot read it), syslog too.
        try append(b, "/etc/passwd", "elastic-agent-user:x:5101:6101::/opt/Elastic/Agent:/usr/sbin/nologin\n")
        try append(b, "/etc/group", "elastic-agent:x:6101:\n")
        #expect(try sh("for f in auth.log syslog; do echo x > '\(b)'/var/log/$f && chown 0:4 '\(b)'/var/log/$f && chmod 0640 '\(b)'/var/log/$f; done").status == 0)

        let reports = work + "/reports"
        let inventory = """
            all:
              hosts:
                this-host:
                  ansible_connection: local
                  ansible_become: false
                img-a:
                  ansible_connection: community.general.chroot
                  ansible_host: \(a)
                  ansible_become: false
                img-b:
                  ansible_connection: community.general.chroot
                  ansible_host: \(b)
                  ansible_become: false
                img-gone:
                  ansible_connection: community.general.chroot
                  ansible_host: \(work)/no-such-root
                  ansible_become: false
              vars:
                ansible_python_interpreter: /usr/bin/python3

            """
        try Data(inventory.utf8).write(to: URL(fileURLWithPath: work + "/inventory.yml"))
        let bin = try #require(Self.staticBinary)
        let play = try PermauditRun.run(["fleet", "playbook", "--binary", bin, "--reports", reports])
        try #require(play.status == 0, "\(play.stderr)")
        try Data(play.stdout.utf8).write(to: URL(fileURLWithPath: work + "/permaudit-fleet.yml"))

        let started = Date()
        let run = try PermauditRun.runProcess("/usr/bin/env", [
            "ANSIBLE_NOCOLOR=1", "ANSIBLE_HOST_KEY_CHECKING=False", "ANSIBLE_LOCAL_TEMP=\(work)/ansible-local",
            "ANSIBLE_RETRY_FILES_ENABLED=False", "ANSIBLE_DEPRECATION_WARNINGS=False",
            try #require(Self.ansible), "-i", work + "/inventory.yml", work + "/permaudit-fleet.yml",
            "-e", "permaudit_copied=\(work)/bin/permaudit", "-e", "permaudit_remote_dir=\(work)/remote",
        ], cwd: work)
        let seconds = Date().timeIntervalSince(started)
        print("ansible-playbook over 4 hosts: \(String(format: "%.1f", seconds)) s, exit \(run.status)")
        // The missing root makes its host fail; no other host fails, findings or not.
        let recap = run.stdout.split(separator: "\n").filter { $0.contains("failed=") || $0.contains("unreachable=") }
        for host in ["this-host", "img-a", "img-b"] {
            let line = recap.first { $0.hasPrefix(host + " ") }
            #expect(line?.contains("failed=0") == true && line?.contains("unreachable=0") == true, "\(host): \(line ?? "no recap")\n\(run.stdout.suffix(3000))")
        }
        let got = try FileManager.default.contentsOfDirectory(atPath: reports).sorted()
        #expect(got == ["fleet-hosts.txt", "img-a.json", "img-b.json", "this-host.json"], "\(got)")

        let merged = try PermauditRun.run(["merge", reports, "--format", "json"])
        #expect(merged.status == 1, "merge exit \(merged.status): \(merged.stderr)")
        let view = try #require(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [String: Any])
        let hosts = (view["hosts"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(hosts == ["img-a", "img-b", "this-host"])
        let unusable = view["unusable"] as? [[String: Any]]
        #expect(unusable?.count == 1 && unusable?.first?["name"] as? String == "img-gone" && unusable?.first?["reason"] as? String == "missing", "\(unusable ?? [])")
        let rules = try #require(view["rules"] as? [[String: Any]])
        func rule(_ id: String) -> [String: Any]? { rules.first { $0["ruleId"] as? String == id } }
        func hostsIn(_ id: String, _ state: String) -> [String]? { (rule(id)?["hosts"] as? [String: Any])?[state] as? [String] }
        // adm membership: only img-a is in it.
        #expect(hostsIn("linux.groups.too-broad", "fail") == ["img-a"], "\(rule("linux.groups.too-broad") ?? [:])")
        // auth.log: img-a reads it through adm, img-b cannot.
        #expect(hostsIn("linux.auth-log.read", "pass") == ["img-a"] && hostsIn("linux.auth-log.read", "fail") == ["img-b"], "\(rule("linux.auth-log.read") ?? [:])")
        let deviants = (rule("linux.groups.too-broad")?["deviants"] as? [[String: Any]])?.compactMap { $0["host"] as? String }
        #expect(deviants == ["img-a"], "\(rule("linux.groups.too-broad") ?? [:])")
        #expect(((view["summary"] as? [String: Any])?["disagreements"] as? Int ?? 0) >= 2)

        for format in ["text", "markdown", "html"] {
            let out = try PermauditRun.run(["merge", reports, "--format", format])
            #expect(out.status == 1 && out.stdout.contains("img-gone") && out.stdout.contains("img-b"), "\(format): \(out.stderr)")
        }
    }

    /// The playbook and the inventory example parse as Ansible reads them, and a selection word holding
    /// `{{ }}` reaches audit as it was written (`!unsafe`: Ansible does not template it).
    @Test(.enabled(if: ansible != nil, "ansible-playbook missing (apt-get install ansible)"))
    func playbookAndInventoryParse() throws {
        let dir = "/tmp/permaudit-fleet-syntax-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let play = try PermauditRun.run(["fleet", "playbook", "--integration", "system", "--rules", "/srv/rules {{ lookup('env','HOME') }}"])
        try #require(play.status == 0, "\(play.stderr)")
        #expect(play.stdout.contains("- !unsafe \"/srv/rules {{ lookup('env','HOME') }}\""))
        let inv = try PermauditRun.run(["fleet", "playbook", "--inventory"])
        try Data(play.stdout.utf8).write(to: URL(fileURLWithPath: dir + "/play.yml"))
        try Data(inv.stdout.utf8).write(to: URL(fileURLWithPath: dir + "/inventory.yml"))
        let check = try PermauditRun.runProcess("/usr/bin/env", ["ANSIBLE_NOCOLOR=1", "ANSIBLE_LOCAL_TEMP=\(dir)/tmp", try #require(Self.ansible), "--syntax-check", "-i", dir + "/inventory.yml", dir + "/play.yml"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let list = try PermauditRun.runProcess("/usr/bin/env", ["ANSIBLE_LOCAL_TEMP=\(dir)/tmp", "/usr/bin/ansible-inventory", "-i", dir + "/inventory.yml", "--list"])
        #expect(list.status == 0 && list.stdout.contains("image-web") && list.stdout.contains("community.general.chroot"), "\(list.stderr)")
    }
}
