import Foundation
import Testing
@testable import PermauditFix
@testable import PermauditAudit
import PermauditCore
import PermauditHost
import PermauditRules

/// Must-not-reach findings become revocations of exactly the grant the engine names, judged again on the
/// changed model; what no change of the object should remove is listed with the exact change instead.
@Suite("Revocation plans", .enabled(if: geteuid() == 0, "needs root to give the files away (chown, setfacl)"))
struct RevokePlanTests {
    static let agent = Principal(uid: 4_000_333, gid: 4_000_333, groups: [4_000_334], userName: "elastic-agent-user", groupNames: [4_000_333: "elastic-agent"], origin: "test")

    static func rule(_ paths: [String]) -> Rule {
        Rule(id: "linux.test.must-not-read", title: "t", summary: "s", platforms: [.linux], distributions: [], integrations: [], severity: .high,
             check: .defined(DefinedCheck(MustNotReach(paths: paths, access: .read))), symptom: "s", documentedFix: "d", leastPrivilegeFix: "l",
             warning: nil, remedy: .revoke, sources: ["test"], origin: "test")
    }

    @Test("other bits, a stray named entry, a shared owning group: two ACL steps, one change named, the agent refused after")
    func revocations() throws {
        let dir = "/tmp/pa-es-revoke-\(getpid())-\(Int.random(in: 1000...9999))"
        let r = try run(["bash", "-c", """
            set -e; mkdir -m 0755 '\(dir)'; cd '\(dir)'
            echo a > other; chmod 0644 other
            echo b > named; chmod 0640 named; setfacl -m u:4000333:r named
            echo c > group; chown 0:4000334 group; chmod 0640 group
            echo d > closed; chmod 0600 closed
            """])
        try #require(r.status == 0, "\(r.err)")
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        let host = LiveHost()
        let profile = Profile(name: "t", title: "t", user: "elastic-agent-user", group: "elastic-agent", unit: nil, defaultIntegrations: [], rules: ["*"], origin: "test")
        let findings = Auditor(host: host, principal: Self.agent, profile: profile, integrations: nil)
            .run([Self.rule(["\(dir)/other", "\(dir)/named", "\(dir)/group", "\(dir)/closed"])])
        #expect(Set(findings.filter { $0.state == .fail }.map(\.object)) == ["\(dir)/other", "\(dir)/named", "\(dir)/group"])
        #expect(findings.contains { $0.state == .pass && $0.message == "elastic-agent-user cannot read \(dir)/closed" })

        let plan = FindingsAdapter.plan(findings, planner: FixPlanner(host: host, principal: Self.agent, logrotate: LogrotateConfig(stanzas: [], files: [:])))
        var afters: [String: String] = [:]
        for step in plan.steps { if case .setACL(let c) = step.action { afters[c.path.display] = BashScriptEmitter.short(c.after) } }
        #expect(afters == ["\(dir)/other": "u::rw-,g::r--,o::---", "\(dir)/named": "u::rw-,g::r--,o::---"], "\(afters)")
        // The group is the file's own: taking its bits would lock out its other members; the plan says what to change.
        #expect(plan.unresolved.count == 1)
        #expect(plan.unresolved.first?.configurationFix.contains("gpasswd -d elastic-agent-user") == true, "\(plan.unresolved)")
        // Each revoked target is refused on the changed model; the plan's numbers run 1…n.
        #expect(plan.targets.filter { $0.path.display != "\(dir)/group" }.allSatisfy { $0.before.verdict == .granted && $0.after?.verdict == .denied })
        #expect(plan.steps.map(\.number) == Array(1...plan.steps.count))

        // Applied: the kernel's view through the engine again, as a fresh audit.
        let applied = PlanApplier().apply(plan)
        #expect(applied.failure == nil && applied.changed == 2, "\(applied.lines)")
        let again = Auditor(host: LiveHost(), principal: Self.agent, profile: profile, integrations: nil).run([Self.rule(["\(dir)/other", "\(dir)/named"])])
        #expect(again.map(\.state) == [.pass], "\(again.map(\.message))")
    }

    /// Debian's nobody (65534) in its primary group nogroup (65534): an account of this host to judge.
    static var hasNobody: Bool { LiveHost().accounts.user(named: "nobody")?.gid == 65534 }

    @Test("other accounts: the other bits revoked for all, the service keeps read through its own entry; an account sharing the service's group is named, the rest still closed",
          .enabled(if: hasNobody, "needs Debian's nobody:nogroup (65534)"))
    func otherAccounts() throws {
        let dir = "/tmp/pa-es-revoke-others-\(getpid())-\(Int.random(in: 1000...9999))"
        let r = try run(["bash", "-c", """
            set -e; mkdir -m 0755 '\(dir)'; cd '\(dir)'
            echo k > keystore; chmod 0644 keystore
            echo s > shared; chown 0:65534 shared; chmod 0644 shared
            """])
        try #require(r.status == 0, "\(r.err)")
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        let host = LiveHost()
        // The service: in no group of keystore (it reads it through other), in nogroup like nobody.
        let service = Principal(uid: 4_000_440, gid: 4_000_441, groups: [65534], userName: "pa-es-node", groupNames: [4_000_441: "pa-es-node"], origin: "test")
        let rule = Rule(id: "linux.test.others-cannot-read", title: "t", summary: "s", platforms: [.linux], distributions: [], integrations: [], severity: .high,
                        check: .defined(DefinedCheck(MustNotReach(paths: ["\(dir)/keystore", "\(dir)/shared"], access: .read, who: .otherAccounts))),
                        symptom: "s", documentedFix: "d", leastPrivilegeFix: "l", warning: nil, remedy: .revoke, sources: ["test"], origin: "test")
        let profile = Profile(name: "t", title: "t", user: "pa-es-node", group: "pa-es-node", unit: nil, defaultIntegrations: [], rules: ["*"], origin: "test")
        let findings = Auditor(host: host, principal: service, profile: profile, integrations: nil).run([rule])
        #expect(Set(findings.filter { $0.state == .fail }.map(\.object)) == ["\(dir)/keystore", "\(dir)/shared"])

        let plan = FindingsAdapter.plan(findings, planner: FixPlanner(host: host, principal: service, logrotate: LogrotateConfig(stanzas: [], files: [:])))
        var afters: [String: String] = [:]
        for step in plan.steps { if case .setACL(let c) = step.action { afters[c.path.display] = BashScriptEmitter.short(c.after) } }
        // keystore: other loses r, the service gets a named entry for its own group (it read through other only).
        #expect(afters["\(dir)/keystore"] == "u::rw-,g::r--,g:4000441:r--,m::r--,o::---", "\(afters)")
        // shared: nobody reads through nogroup, which the service reads through too: named, not changed; other still cut.
        #expect(afters["\(dir)/shared"] == "u::rw-,g::r--,o::---", "\(afters)")
        #expect(plan.unresolved.contains { $0.path?.display == "\(dir)/shared" && $0.configurationFix.contains("gpasswd -d nobody nogroup") }, "\(plan.unresolved)")
        let applied = PlanApplier().apply(plan)
        #expect(applied.failure == nil, "\(applied.lines)")
        let evaluator = AccessEvaluator(source: LiveHost())
        #expect(evaluator.decide("\(dir)/keystore", .read, for: service).verdict == .granted)
        #expect(evaluator.decide("\(dir)/shared", .read, for: service).verdict == .granted)
        let stranger = Principal(uid: 4_000_450, gid: 4_000_450, origin: "test")
        #expect(evaluator.decide("\(dir)/keystore", .read, for: stranger).verdict == .denied)
        #expect(evaluator.decide("\(dir)/shared", .read, for: stranger).verdict == .denied)
    }
}
