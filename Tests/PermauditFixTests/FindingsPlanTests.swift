import Foundation
import Testing
@testable import PermauditFix
import PermauditAudit
import PermauditCore
import PermauditHost

/// Plans built from findings, the way the auditor hands them over: each path finding carries the
/// engine's decision, each group or capability finding its rule's remedy and what it grants.
@Suite("Plans from findings")
struct FindingsPlanTests {
    /// A folder under /tmp owned by whoever runs the test (0750), an auth.log-style family (0640) and a
    /// file that must stay closed; a principal that owns nothing and is in no group of these files.
    func stage() throws -> String {
        let dir = "/tmp/permaudit-findings-\(getpid())-\(Int.random(in: 1000...9999))"
        let r = try run(["bash", "-c", """
            set -e; mkdir -m 0750 '\(dir)'
            for f in auth.log auth.log.1 other.log; do echo x >'\(dir)'/$f; chmod 0640 '\(dir)'/$f; done
            """])
        try #require(r.status == 0, "\(r.err)")
        return dir
    }

    static let agent = Principal(uid: 4_000_222, gid: 4_000_222, userName: "elastic-agent-user", groupNames: [4_000_222: "elastic-agent"], origin: "test")

    func finding(_ path: String, host: any PermauditHost.Host) -> Finding {
        let d = AccessEvaluator(source: host).decide(path, .read, for: Self.agent)
        return Finding(ruleID: "linux.auth-log.read", ruleTitle: "auth.log is readable", severity: .high, object: path, access: .read,
                       state: d.verdict == .granted ? .pass : .fail, message: d.reason, decision: d)
    }

    @Test("a failing auth.log finding: search on the folder, read on the log and its rotated copy; nothing else gained")
    func authLog() throws {
        let dir = try stage()
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        let host = LiveHost()
        let findings = [finding(dir + "/auth.log", host: host)]
        #expect(findings[0].state == .fail)
        let planner = FixPlanner(host: host, principal: Self.agent, logrotate: LogrotateConfig(stanzas: [], files: [:]))
        // How long this takes is measured by Tests/Benchmarks/fix-bench.sh, not asserted here.
        let plan = FindingsAdapter.plan(findings, planner: planner)
        let changed = plan.steps.compactMap { step -> String? in
            if case .setACL(let c) = step.action { return c.path.display } else { return nil }
        }
        #expect(changed == [dir, dir + "/auth.log", dir + "/auth.log.1"])
        #expect(plan.targets.allSatisfy { $0.after?.verdict == .granted })
        #expect(plan.unresolved.isEmpty)
        // The whole effect on the agent: exactly the planned objects, and other.log stays closed.
        let gained = Set(plan.gained.map { "\($0.access.rawValue) \($0.object)" })
        #expect(gained == ["search \(dir)", "read \(dir)/auth.log", "read \(dir)/auth.log.1"])
        // The directory gets --x only, with the mask kept at the old group bits.
        let first = try #require(plan.steps.first)
        guard case .setACL(let c) = first.action else {
            Issue.record("the first step must set the folder's ACL, not \(first.action)")
            return
        }
        #expect(c.entry == ACLEntry(.group, Self.agent.gid, .execute))
        #expect(c.after.mask == Permissions([.read, .execute]))
        #expect(c.widened.isEmpty)
    }

    @Test("a journald finding becomes a drop-in with SupplementaryGroups= and the restart it needs")
    func journald() throws {
        let dir = try stage()
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        let host = LiveHost()
        let journal = Finding(
            ruleID: "linux.journal.group", ruleTitle: "journal readable", severity: .medium, object: "group systemd-journal", state: .fail,
            message: "not in systemd-journal", remedy: .supplementaryGroup, grants: ["systemd-journal"])
        let planner = FixPlanner(host: host, principal: Self.agent, unit: "elastic-agent", logrotate: LogrotateConfig(stanzas: [], files: [:]))
        let plan = FindingsAdapter.plan([finding(dir + "/auth.log", host: host), journal], planner: planner)
        let last = try #require(plan.steps.last)
        guard case .writeFile(let f) = last.action else { Issue.record("expected a drop-in"); return }
        #expect(f.path.display == "/etc/systemd/system/elastic-agent.service.d/50-permaudit-service.conf")
        #expect(String(decoding: f.content, as: UTF8.self).contains("SupplementaryGroups=systemd-journal"))
        #expect(last.followUp == "systemctl daemon-reload && systemctl restart elastic-agent.service")
    }

    @Test("two rules asking for capabilities make one AmbientCapabilities= line with both")
    func capabilitiesMerge() throws {
        let ptrace = Finding(
            ruleID: "linux.proc-io.ptrace", ruleTitle: "io", severity: .medium, object: "/proc", state: .fail, message: "lacks cap_sys_ptrace",
            remedy: .ambientCapabilities, grants: ["cap_sys_ptrace"])
        let visibility = Finding(
            ruleID: "linux.processes.visibility", ruleTitle: "processes", severity: .medium, object: "/proc", state: .fail,
            message: "lacks cap_sys_ptrace, cap_dac_read_search", remedy: .ambientCapabilities, grants: ["cap_sys_ptrace", "cap_dac_read_search"])
        var plan = FixPlan(principal: Self.agent, strategy: .acl, targets: [], steps: [], unresolved: [], gained: [], id: "x")
        let planner = FixPlanner(host: LiveHost(), principal: Self.agent, unit: "elastic-agent", logrotate: LogrotateConfig(stanzas: [], files: [:]))
        ServiceFixes.extend(&plan, with: [ptrace, visibility], planner: planner)
        try #require(plan.steps.count == 1, "\(plan.steps.map(\.change))")
        let step = plan.steps[0]
        guard case .writeFile(let f) = step.action else { Issue.record("expected a drop-in"); return }
        let text = String(decoding: f.content, as: UTF8.self)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("AmbientCapabilities=") } == ["AmbientCapabilities=CAP_DAC_READ_SEARCH CAP_SYS_PTRACE"])
        #expect(step.why.contains("linux.proc-io.ptrace") && step.why.contains("linux.processes.visibility"))
    }

    @Test("a finding no permission fixes (the Windows volume) is listed as not fixed, with the rule's fix")
    func volume() {
        let f = Finding(ruleID: "windows.volume.open", ruleTitle: "volume", severity: .low, object: "\\\\.\\C:", state: .fail,
                        message: "opening the volume needs admin", leastPrivilegeFix: "none: needs admin; accept empty disk usage")
        var plan = FixPlan(principal: Self.agent, strategy: .acl, targets: [], steps: [], unresolved: [], gained: [], id: "x")
        ServiceFixes.extend(&plan, with: [f], planner: FixPlanner(host: LiveHost(), principal: Self.agent, logrotate: LogrotateConfig(stanzas: [], files: [:])))
        #expect(plan.steps.isEmpty)
        #expect(plan.unresolved.first?.configurationFix == "none: needs admin; accept empty disk usage")
    }

    @Test("another user's FUSE mount: the plan says no permission helps and gives the configuration fix")
    func fuse() {
        struct Fuse: FactSource {
            func lookup(_ path: String) -> FactLookup {
                path.hasPrefix("/run/user/1000/gvfs")
                    ? .found(FileFacts(type: .directory, uid: 1000, gid: 1000, mode: FileMode(0o700)))
                    : .found(FileFacts(type: .directory, uid: 0, gid: 0, mode: FileMode(0o755)))
            }
            func mount(containing path: String) -> MountFacts? {
                path.hasPrefix("/run/user/1000/gvfs")
                    ? MountFacts(mountPoint: "/run/user/1000/gvfs", fsType: "fuse.gvfsd-fuse", superOptions: ["user_id=1000", "group_id=1000"]) : nil
            }
            var protectedSysctls: ProtectedSysctls { ProtectedSysctls() }
            var securityModules: SecurityModules { SecurityModules() }
        }
        let d = AccessEvaluator(source: Fuse()).decide("/run/user/1000/gvfs", .statfs, for: Self.agent)
        let why = NoPermissionHelps.reason(d)
        #expect(why?.fix.contains("filesystem.ignore_types") == true, "\(d.reason)")
    }
}
