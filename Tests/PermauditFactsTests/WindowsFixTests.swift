import Foundation
import PermauditAudit
import PermauditCore
import PermauditFacts
@testable import PermauditFix
import PermauditRules
import Testing

/// The PowerShell fix grants exactly what the failing rules need: judged again by permaudit's model of
/// the changed host and, for the registry key, by Samba.
@Suite struct WindowsFixTests {
    static func plan(_ host: String) throws -> (WindowsFixPlan, WindowsFacts) {
        let file = try FactsFile.load(path: FactsTestSupport.examples.appendingPathComponent("\(host).facts.json").path)
        let catalog = try RuleCatalog.builtIn()
        let profile = try #require(catalog.profile(named: "elastic-agent"))
        let outcome = try FactsAudit.run(file, rules: catalog.rules, profile: profile, integrations: nil)
        let facts = try WindowsFacts(file)
        return (try WindowsFixPlanner.plan(outcome.findings, facts: facts), facts)
    }

    @Test func theFailingHostsPlan() throws {
        let (plan, _) = try Self.plan("windows-host")
        var groups: [String] = []
        var grants: [WindowsFixPlan.RegistryGrant] = []
        for s in plan.steps {
            switch s {
            case .joinGroup(let j): groups.append(j.groupSID)
            case .grantRegistryKey(let g): grants.append(g)
            case .grantChannel(let c): Issue.record("no channel ACE needed, Event Log Readers reads them: \(c)")
            }
        }
        #expect(Set(groups) == ["S-1-5-32-573", "S-1-5-32-558"])
        let g = try #require(grants.first)
        #expect(grants.count == 1)
        #expect(g.key == #"HKLM\SYSTEM\CurrentControlSet\Services\PartMgr"#)
        #expect(g.mask == 0x2001F && g.accountAfter == 0x2001F)
        #expect(g.ace == "(A;;0x2001f;;;\(plan.accountSID))")  // no CI/OI: no inheritance to subkeys
        #expect(g.othersChanged.isEmpty)
        #expect(Set(plan.unresolved.map(\.ruleID)) == ["windows.volume.open", "windows.processes.open"])
        #expect(plan.unresolved.allSatisfy { $0.why.hasPrefix("no safe grant exists") })
    }

    @Test func theFixedHostNeedsNoStep() throws {
        let (plan, _) = try Self.plan("windows-host-fixed")
        #expect(plan.steps.isEmpty)
        #expect(Set(plan.unresolved.map(\.ruleID)) == ["windows.volume.open", "windows.processes.open"])
    }

    /// The fixed host's PartMgr descriptor is what the fix computes for the failing host.
    @Test func theFixedExampleHoldsWhatTheFixWrites() throws {
        let (plan, _) = try Self.plan("windows-host")
        let (_, fixedFacts) = try Self.plan("windows-host-fixed")
        guard case .grantRegistryKey(let g) = plan.steps.last else { Issue.record("no registry step"); return }
        let fixed = try fixedFacts.secured(WindowsFacts.Item.registryKey(g.key)).get()
        #expect(fixed.sddl == g.sddlAfter)
    }

    @Test(.enabled(if: FactsTestSupport.hasSamba, "needs python3-samba for /usr/bin/python3 (apt-get install python3-samba)"))
    func sambaJudgesTheNewDescriptor() throws {
        let (plan, facts) = try Self.plan("windows-host")
        guard case .grantRegistryKey(let g) = plan.steps.last else { Issue.record("no registry step"); return }
        let before = try SDDL.parse(g.sddlBefore)
        let after = try SDDL.parse(g.sddlAfter)
        let token = try facts.token().get()
        let accountSIDs = [token.user.description] + token.groups.map(\.description)
        let sb = FactsTestSupport.sambaSDDL(before, kind: .registryKey)
        let sa = FactsTestSupport.sambaSDDL(after, kind: .registryKey)
        // Everyone else: each SID of the descriptor and the common ones, alone; MAXIMUM_ALLOWED before and after.
        let others = Set(after.daclEntries.map(\.trustee.description) + WindowsFixPlanner.observers).subtracting([token.user.description]).sorted()
        var cases: [(sddl: String, sids: [String], desired: UInt32)] = [(sb, accountSIDs, 0x2001F), (sa, accountSIDs, 0x2001F), (sa, accountSIDs, WindowsRights.maximumAllowed)]
        for o in others {
            cases.append((sb, [o], WindowsRights.maximumAllowed))
            cases.append((sa, [o], WindowsRights.maximumAllowed))
        }
        let answers = try FactsTestSupport.askSamba(cases)
        try #require(answers.count == cases.count, "Samba answered \(answers.count) of \(cases.count)")
        #expect(answers[0]["granted"] as? Bool == false, "before the fix Samba must refuse 0x2001F")
        #expect(answers[1]["granted"] as? Bool == true, "after the fix Samba must grant 0x2001F")
        #expect((answers[2]["mask"] as? NSNumber)?.uint32Value == 0x2001F, "the account gets exactly 0x2001F, no more: \(answers[2])")
        for (k, o) in others.enumerated() {
            let b = (answers[3 + 2 * k]["mask"] as? NSNumber)?.uint32Value ?? 0
            let a = (answers[4 + 2 * k]["mask"] as? NSNumber)?.uint32Value ?? 0
            #expect(a == b, "\(o) gains \(WindowsRights.hex(a & ~b)) by the fix")
        }
        #expect(others.count >= 8)
    }

    /// A channel Event Log Readers does not open gets one read ACE for the account instead (wevtutil sl /ca:).
    @Test func aChannelTheGroupDoesNotOpenGetsItsOwnACE() throws {
        let text = try String(contentsOf: FactsTestSupport.examples.appendingPathComponent("windows-host.facts.json"), encoding: .utf8)
            .replacing("(A;;0x1;;;BO)(A;;0x1;;;SO)(A;;0x1;;;S-1-5-32-573)", with: "(A;;0x1;;;BO)(A;;0x1;;;SO)")
        let file = try FactsFile.parse(text, file: "custom.facts.json")
        let catalog = try RuleCatalog.builtIn()
        let outcome = try FactsAudit.run(file, rules: catalog.rules, profile: try #require(catalog.profile(named: "elastic-agent")), integrations: nil)
        let plan = try WindowsFixPlanner.plan(outcome.findings, facts: try WindowsFacts(file))
        let channels = plan.steps.compactMap { if case .grantChannel(let c) = $0 { c } else { nil } }
        let c = try #require(channels.first)
        #expect(channels.count == 1 && c.channel == "Microsoft-Windows-Sysmon/Operational")
        #expect(c.sddlAfter == "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x1;;;BO)(A;;0x1;;;SO)(A;;0x1;;;\(plan.accountSID))")
        #expect(c.othersChanged.isEmpty)
        if FactsTestSupport.hasTreeSitter {
            let dir = NSTemporaryDirectory() + "win-channel-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try Data(PowerShellScriptEmitter.script(plan, rollbackName: "r.ps1").utf8).write(to: URL(fileURLWithPath: dir + "/f.ps1"))
            try Data(PowerShellScriptEmitter.rollback(plan, scriptName: "f.ps1").utf8).write(to: URL(fileURLWithPath: dir + "/r.ps1"))
            let problems = try FactsTestSupport.powerShellProblems([dir + "/f.ps1", dir + "/r.ps1"])
            #expect(problems == nil, "\(problems ?? "")")
            let script = try String(contentsOfFile: dir + "/f.ps1", encoding: .utf8)
            #expect(script.contains("& wevtutil.exe sl $channel ('/ca:' + $sddlAfter)"))
        }
    }

    @Test func commentsCannotBeBrokenByTheFacts() {
        #expect(PowerShellScriptEmitter.comment("a\nWrite-Host pwned\r\u{2028}b") == "a?Write-Host pwned??b")
    }
}
