import Foundation
import Glibc
import Testing

/// "What does this group open?" has one answer: `audit` (a too-broad group the principal is in),
/// `fix --strategy group` (the group the plan adds) and `reach --changed-by` print the same figure for the
/// same host, through the built binary. The group, the user, the rule and the files are the test's own.
@Suite("one delta, end to end", .serialized, .enabled(if: getuid() == 0, "needs root to create a user, a group and files of other groups"))
struct ReachDeltaEndToEndTests {
    /// A user, a broad group, a log folder under /var/log whose files only the group reads, and a rules
    /// folder naming the group too-broad in a profile of its own.
    final class Staged {
        let user: String
        let group: String
        let dir: String
        let rules: String
        /// What membership of the group opens, by construction: the files and the folder of the group.
        let opened: Set<String>
        /// What this test made, so the cleanup removes nothing else (a name taken by someone stays theirs).
        private var made: (group: Bool, user: Bool, dir: Bool, rules: Bool) = (false, false, false, false)

        init() throws {
            let name = "pa-delta-\(getpid() % 10000)-\(Int.random(in: 1000...9999))"
            user = name
            group = name + "g"
            dir = "/var/log/" + name
            rules = "/tmp/" + name + "-rules"
            opened = [dir + "/a.log", dir + "/b.log", dir + "/sub", dir + "/sub/c.log"]
            try sh("groupadd --system '\(group)'")
            made.group = true
            try sh("useradd --system --user-group --no-create-home --shell /usr/sbin/nologin '\(user)'")
            made.user = true
            try sh("mkdir -m 0755 '\(dir)'")
            made.dir = true
            try sh("mkdir -m 0700 '\(rules)'")
            made.rules = true
            try sh("""
                set -e; mkdir -m 0750 '\(dir)/sub'; chgrp '\(group)' '\(dir)/sub'
                for f in a.log b.log sub/c.log; do echo x >'\(dir)'/$f; chgrp '\(group)' '\(dir)'/$f; chmod 0640 '\(dir)'/$f; done
                echo x >'\(dir)/own.log'; chmod 0644 '\(dir)/own.log'
                """)
            try Data("""
                schema: permaudit/rules/v1
                rules:
                  - id: test.groups.too-broad
                    title: The agent is not in the test's broad group
                    summary: A group of the test's own that opens the test's files.
                    platforms: [linux]
                    severity: high
                    check:
                      kind: group-membership
                      too-broad: [\(group)]
                    symptom: "(no error)"
                    documented-fix: Add the agent to \(group).
                    least-privilege-fix: Grant named-group ACL entries.
                    remedy: leave-group
                    sources: ["this test"]
                """.utf8).write(to: URL(fileURLWithPath: rules + "/groups.yaml"))
            try Data("""
                schema: permaudit/profile/v1
                profile:
                  name: delta-e2e
                  title: The one-delta test
                  user: \(user)
                  group: \(user)
                  default-integrations: []
                  rules: ["test.*"]
                """.utf8).write(to: URL(fileURLWithPath: rules + "/profile.yaml"))
        }

        deinit {
            if made.user {
                _ = try? PermauditRun.runProcess("/usr/sbin/userdel", [user])
                _ = try? PermauditRun.runProcess("/usr/sbin/groupdel", [user])
            }
            if made.group { _ = try? PermauditRun.runProcess("/usr/sbin/groupdel", [group]) }
            if made.dir { _ = try? PermauditRun.runProcess("/bin/rm", ["-rf", "--", dir]) }
            if made.rules { _ = try? PermauditRun.runProcess("/bin/rm", ["-rf", "--", rules]) }
        }

        func sh(_ script: String) throws {
            let r = try PermauditRun.runProcess("/bin/bash", ["-c", script])
            if r.status != 0 { throw E2EError("\(script): \(r.stderr)") }
        }

        /// The figure of `group G opens N objects under /var/log and /etc that U could not read before`.
        func figure(_ text: String) -> Int? {
            let prefix = "group \(group) opens "
            guard let r = text.range(of: prefix) else { return nil }
            let rest = text[r.upperBound...]
            guard rest.dropFirst(rest.prefix { $0.isNumber }.count).hasPrefix(" object"),
                  rest.contains("under /var/log and /etc that \(user) could not read before") else { return nil }
            return Int(rest.prefix { $0.isNumber })
        }
    }

    @Test("audit, fix --strategy group and reach --changed-by print the same figure for what the group opens")
    func auditAndFixAgree() throws {
        let s = try Staged()
        let audit = try PermauditRun.run([
            "audit", "--rules", s.rules, "--profile", "delta-e2e", "--user", s.user, "--groups", "\(s.user),\(s.group)", "--format", "json"])
        let fix = try PermauditRun.run([
            "fix", "--rules", s.rules, "--profile", "delta-e2e", "--user", s.user, "--path", s.dir + "/a.log", "--strategy", "group", "--emit", "json"])
        let reach = try PermauditRun.run(["reach", "--user", s.user, "--changed-by", "group \(s.group)", "/var/log", "/etc"])
        let fromAudit = try #require(s.figure(audit.stdout), "audit: \(audit.stdout) \(audit.stderr)")
        let fromFix = try #require(s.figure(fix.stdout), "fix: \(fix.stdout) \(fix.stderr)")
        let fromReach = try #require(s.figure(reach.stderr), "reach: \(reach.stderr)")
        #expect(fromAudit == fromFix)
        #expect(fromReach == fromFix)
        // Nothing on this host but the test's own files belongs to the group: the figure is exactly those.
        #expect(fromFix == s.opened.count)
        #expect(Set(reach.stdout.split(separator: "\n").map(String.init)) == s.opened, "\(reach.stdout)")
        #expect(!reach.stdout.contains("own.log"))
    }

    @Test("reach --changed-by 'cap cap_dac_read_search' lists what the capability adds, the group's files among them")
    func capabilityAdds() throws {
        let s = try Staged()
        let r = try PermauditRun.run(["reach", "--user", s.user, "--changed-by", "cap cap_dac_read_search", s.dir])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Set(r.stdout.split(separator: "\n").map(String.init)) == s.opened, "\(r.stdout)")
        #expect(r.stderr.contains("CAP_DAC_READ_SEARCH opens \(s.opened.count) objects under \(s.dir)"), "\(r.stderr)")
    }

    @Test("a change reach cannot read, or a group the host does not have, is an input error (exit 2) that says what to give", arguments: [
        ("membership adm", "CHANGE"), ("group pa-delta-no-such-group-0", "no group pa-delta-no-such-group-0"), ("cap cap_no_such", "CHANGE"),
    ])
    func badChange(_ change: String, _ says: String) throws {
        let r = try PermauditRun.run(["reach", "--user", "0", "--changed-by", change, "/tmp"])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains(says), "\(r.stderr)")
    }
}
