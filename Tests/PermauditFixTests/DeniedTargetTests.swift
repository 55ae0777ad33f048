import PermauditCore
import PermauditHost
import Testing
@testable import PermauditFix

/// A plan never grants anything on the way to a target that stays denied: a grant that does not make its
/// target pass only widens someone's access for nothing.
@Suite("Nothing granted for a target that stays denied")
struct DeniedTargetTests {
    static let agent = Principal(uid: 4_000_333, gid: 4_000_333, userName: "elastic-agent-user", groupNames: [4_000_333: "elastic-agent"], origin: "test")
    static let gvfs = RawPath("/run/user/1000/gvfs")

    @Test("another user's gvfs mount behind its 0700 runtime folder: no search grant on /run/user/1000, the configuration fix instead", arguments: [FixPlan.Strategy.acl, .group])
    func gvfsBehindPrivateFolder(strategy: FixPlan.Strategy) throws {
        let planner = FixPlanner(host: ModelHost.desktop, principal: Self.agent, logrotate: LogrotateConfig(stanzas: [], files: [:]))
        let plan = planner.plan([.init(path: Self.gvfs, access: .statfs)], strategy: strategy)
        #expect(plan.steps.isEmpty, "\(plan.steps.map(\.change))")
        let unresolved = try #require(plan.unresolved.first)
        #expect(unresolved.path == Self.gvfs)
        #expect(unresolved.configurationFix.contains("filesystem.ignore_types"), "\(unresolved.configurationFix)")
        let target = try #require(plan.targets.first)
        #expect(target.after?.verdict == .denied)
        #expect(plan.gained.isEmpty)
    }

    @Test("a target that passes after the grants keeps them (the check above is not a plan that never grants)")
    func reachableTargetIsGranted() throws {
        var host = ModelHost.desktop
        host.objects["/run/user/1000/app.sock"] = FileFacts(type: .socket, uid: 1000, gid: 1000, mode: FileMode(0o600))
        let planner = FixPlanner(host: host, principal: Self.agent, logrotate: LogrotateConfig(stanzas: [], files: [:]))
        let plan = planner.plan([.init(path: RawPath("/run/user/1000/app.sock"), access: .statfs)])
        #expect(plan.steps.map(\.change) == ["setfacl -m g:4000333:--x,m::--x -- /run/user/1000"])
        #expect(plan.targets.first?.after?.verdict == .granted)
    }
}
