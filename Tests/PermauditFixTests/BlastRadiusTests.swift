import Foundation
import Testing
@testable import PermauditFix
import PermauditCore
import PermauditHost

/// The blast radius is computed by re-running the decision for every principal an entry speaks for.
@Suite("Blast radius (root)", .serialized, .enabled(if: isRoot, "needs root to create users"))
struct BlastRadiusTests {
    @Test("another member of the agent's group gains the same read, and the plan says so by name")
    func groupMembers() throws {
        let agent = "pa-br-\(getpid() % 10000)-\(Int.random(in: 100...999))"
        let other = agent + "x"
        let dir = "/var/tmp/permaudit-br-\(getpid())-\(Int.random(in: 1000...9999))"
        // Only what this test made is removed: a name that exists already fails useradd and is left alone.
        var made: [[String]] = []
        defer {
            for undo in made.reversed() { _ = try? run(undo) }
        }
        try #require(try run(["useradd", "--system", "--user-group", "--no-create-home", agent]).status == 0)
        made += [["groupdel", agent], ["userdel", agent]]
        try #require(try run(["useradd", "--system", "--no-create-home", "-g", agent, other]).status == 0)
        made.append(["userdel", other])
        try #require(try run(["mkdir", "-m", "0755", dir]).status == 0)
        made.append(["rm", "-rf", "--", dir])
        try #require(try run(["bash", "-c", "set -e; echo x >'\(dir)/app.log'; chown root:adm '\(dir)/app.log'; chmod 0640 '\(dir)/app.log'"]).status == 0)
        let host = LiveHost()
        let who = try PrincipalResolver.resolve(PrincipalRequest(user: agent), on: host)
        let plan = FixPlanner(host: host, principal: who, logrotate: LogrotateConfig(stanzas: [], files: [:])).plan([.init(path: RawPath(dir + "/app.log"), access: .read)])
        let step = try #require(plan.steps.first)
        let readers = Set(step.blastRadius.changes.filter { $0.access == .read && $0.after == .granted }.map(\.principal))
        #expect(readers.count == 2, "\(step.blastRadius.changes)")
        #expect(readers.contains { $0.contains(other) })
        #expect(step.blastRadius.notes.contains { $0.contains("every member of group") && $0.contains(other) })
    }
}

/// A grant of search on a folder opens everything below it that the mode already lets through: the radius
/// looks at the whole subtree, not the folder's own entries only.
@Suite("Blast radius below a folder (root)", .serialized, .enabled(if: isRoot, "needs root to create a user"))
struct BlastRadiusSubtreeTests {
    @Test("search on a 0750 folder opens a world-readable file two levels down, and the step says so")
    func searchOpensTheSubtree() throws {
        let agent = "pa-bs-\(getpid() % 10000)-\(Int.random(in: 100...999))"
        let dir = "/var/tmp/permaudit-bs-\(getpid())-\(Int.random(in: 1000...9999))"
        // Each cleanup is armed only once its object is the test's own.
        try #require(try run(["useradd", "--system", "--user-group", "--no-create-home", agent]).status == 0)
        defer {
            _ = try? run(["userdel", agent])
            _ = try? run(["groupdel", agent])
        }
        try #require(try run(["mkdir", "-m", "0750", dir]).status == 0)
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        try #require(try run(["bash", "-c", """
            set -e; mkdir -m 0755 '\(dir)/sub'
            for f in app.log other.log; do echo x >'\(dir)/sub/'$f; chmod 0644 '\(dir)/sub/'$f; done
            """]).status == 0)
        let host = LiveHost()
        let who = try PrincipalResolver.resolve(PrincipalRequest(user: agent), on: host)
        let plan = FixPlanner(host: host, principal: who, logrotate: LogrotateConfig(stanzas: [], files: [:])).plan([.init(path: RawPath(dir + "/sub/app.log"), access: .read)])
        try #require(plan.steps.count == 1, "\(plan.steps.map(\.change))")
        let opened = Set(plan.steps[0].blastRadius.changes.filter { $0.after == .granted }.map { "\($0.access.rawValue) \($0.object)" })
        #expect(opened.contains("read \(dir)/sub/other.log"), "\(opened)")
        #expect(opened.contains("search \(dir)") && opened.contains("list \(dir)/sub"), "\(opened)")
        #expect(Set(plan.gained.map { "\($0.access.rawValue) \($0.object)" }).isSuperset(of: ["search \(dir)", "read \(dir)/sub/app.log"]))
    }
}

/// The broad fix, when asked: the groups that own the objects, given to the agent's unit.
@Suite("Group strategy (root)", .serialized, .enabled(if: isRoot, "needs root to create users and groups"))
struct GroupStrategyTests {
    @Test("objects of two groups make one drop-in naming both (two drop-ins would write the same file)")
    func oneDropInForEveryGroup() throws {
        let agent = "pa-gs-\(getpid() % 10000)-\(Int.random(in: 100...999))"
        let second = agent + "g"
        let dir = "/var/tmp/permaudit-gs-\(getpid())-\(Int.random(in: 1000...9999))"
        // Only what this test made is removed: a name that exists already fails useradd and is left alone.
        var made: [[String]] = []
        defer {
            for undo in made.reversed() { _ = try? run(undo) }
        }
        try #require(try run(["useradd", "--system", "--user-group", "--no-create-home", agent]).status == 0)
        made += [["groupdel", agent], ["userdel", agent]]
        try #require(try run(["groupadd", "--system", second]).status == 0)
        made.append(["groupdel", second])
        try #require(try run(["mkdir", "-m", "0755", dir]).status == 0)
        made.append(["rm", "-rf", "--", dir])
        try #require(try run(["bash", "-c", """
            set -e
            echo x >'\(dir)/a.log'; chown root:adm '\(dir)/a.log'; chmod 0640 '\(dir)/a.log'
            echo x >'\(dir)/b.log'; chown root:\(second) '\(dir)/b.log'; chmod 0640 '\(dir)/b.log'
            """]).status == 0)
        let host = LiveHost()
        let who = try PrincipalResolver.resolve(PrincipalRequest(user: agent), on: host)
        let planner = FixPlanner(host: host, principal: who, unit: "pa-agent", logrotate: LogrotateConfig(stanzas: [], files: [:]))
        let plan = planner.plan([.init(path: RawPath(dir + "/a.log"), access: .read), .init(path: RawPath(dir + "/b.log"), access: .read)], strategy: .group)
        try #require(plan.steps.count == 1, "\(plan.steps.map(\.change))")
        guard case .writeFile(let f) = plan.steps[0].action else { Issue.record("expected a drop-in"); return }
        #expect(f.path.display == "/etc/systemd/system/pa-agent.service.d/50-permaudit-fix.conf")
        #expect(String(decoding: f.content, as: UTF8.self).split(separator: "\n").contains("SupplementaryGroups=adm \(second)"))
        #expect(plan.targets.allSatisfy { $0.after?.verdict == .granted })
    }
}
