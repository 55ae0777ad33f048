import Foundation
import PermauditAudit
import PermauditCore
import PermauditFacts
import PermauditFix
import PermauditRules
import Testing

/// The macOS fix from a facts file: golden script and rollback, shellcheck -s sh, and the promise that the
/// host after the fix passes `macos.system-log.read`, rotation included.
/// Regenerate: `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter MacFix`, then review the diff.
@Suite("macOS fix (sh)")
struct MacFixTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let failureFacts = root.appendingPathComponent("Reports/examples/macos-system-log-failure.facts.json").path

    static func facts(_ path: String = failureFacts) throws -> (FactsFile, MacHostFacts) {
        let f = try FactsFile.load(path: path)
        return (f, try MacFactsDecoder.decode(f))
    }

    static func plan() throws -> (MacShellScript, MacHostFacts) {
        let (f, mac) = try facts()
        return (MacShellScript(facts: mac, source: "macos-system-log-failure.facts.json", collectedAt: f.collectedAt, group: nil), mac)
    }

    static var rule: Rule {
        get throws {
            let catalog = try RuleCatalog.builtIn()
            return try #require(catalog.rules.first { $0.id == "macos.system-log.read" })
        }
    }

    @Test("the script and its rollback equal the golden files", arguments: ["macos-fix.sh", "macos-fix.rollback.sh"])
    func goldenFiles(_ name: String) throws {
        let (plan, _) = try Self.plan()
        let text = name.hasSuffix("rollback.sh") ? plan.rollback(scriptName: "macos-fix.sh") : plan.script(rollbackName: "macos-fix.rollback.sh")
        let file = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["PERMAUDIT_UPDATE_GOLDEN"] == "1" { try Data(text.utf8).write(to: file) }
        #expect(text == (try String(contentsOf: file, encoding: .utf8)))
    }

    @Test("shellcheck -s sh is clean on both", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/shellcheck"), "needs shellcheck (apt-get install shellcheck)"))
    func shellcheck() throws {
        for name in ["macos-fix.sh", "macos-fix.rollback.sh"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/shellcheck")
            p.arguments = ["-s", "sh", Self.golden.appendingPathComponent(name).path]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(name): \(text)")
        }
    }

    @Test("the plan: chmod +a on system.log and its rotated copies, and the asl.conf output line with gid=80 gid=403")
    func planContent() throws {
        let (plan, _) = try Self.plan()
        #expect(plan.aclSteps.map(\.file.path) == ["/var/log/system.log", "/var/log/system.log.0.gz", "/var/log/system.log.1.gz"])
        #expect(plan.aclSteps.allSatisfy { $0.entry.description == "group:elastic-agent allow read" })
        #expect(plan.edits.count == 1)
        // The documented broad fix, re-judged: admin opens all three files (root:admin 0640) and says so in the script.
        #expect(plan.adminOpens == ["/var/log/system.log", "/var/log/system.log.0.gz", "/var/log/system.log.1.gz"])
        #expect(plan.edits.first?.after == "> system.log mode=0640 format=bsd rotate=seq compress file_max=5M all_max=50M gid=80 gid=403")
    }

    @Test("the documented failure fails with its evidence; the same host after the fix passes, rotation included")
    func failsThenPasses() throws {
        let (plan, before) = try Self.plan()
        let rule = try Self.rule
        let failing = MacSystemLogCheck.run(rule, path: "/var/log/system.log", access: .read, facts: before)
        #expect(failing.state == .fail)
        #expect(failing.decision?.evidence.last?.because == "no extended ACL; mode: other has ---")
        #expect(failing.evidence.contains { $0.hasPrefix("rotation: /etc/asl.conf:27:") && $0.hasSuffix("the next file will not carry an ACL for gid 403") })

        let after = plan.applied(to: before)
        let passing = MacSystemLogCheck.run(rule, path: "/var/log/system.log", access: .read, facts: after)
        #expect(passing.state == .pass, "\(passing.message)")
        #expect(passing.decision?.evidence.last?.matchedEntry == "0: group:elastic-agent allow read")
        #expect(passing.evidence.contains { $0.contains("keeps the grant") })
        #expect(passing.evidence.filter { $0.hasPrefix("rotated copy") }.allSatisfy { $0.contains(": granted") })
        // Planning again on the fixed host changes nothing but what is already there.
        let again = MacShellScript(facts: after, source: "x", collectedAt: "y", group: nil)
        #expect(again.edits.allSatisfy { $0.after == nil })
    }

    @Test("the fixed host's facts, as the collector gathers them, pass too")
    func fixedExamplePasses() throws {
        let (_, mac) = try Self.facts(Self.root.appendingPathComponent("Reports/examples/macos-system-log-fixed.facts.json").path)
        let finding = MacSystemLogCheck.run(try Self.rule, path: "/var/log/system.log", access: .read, facts: mac)
        #expect(finding.state == .pass)
        #expect(MacShellScript(facts: mac, source: "x", collectedAt: "y", group: nil).edits.allSatisfy { $0.after == nil })
    }

    @Test("a deny entry before the grant: chmod +a puts the allow after the local denies, so the fix cannot help and says so")
    func denyFirst() throws {
        var (_, mac) = try Self.facts()
        guard case .value(var f) = mac.systemLog else { Issue.record("no system-log"); return }
        f.acl = MacACL([MacACLEntry(qualifier: .group("everyone"), kind: .deny, rights: .read)])
        mac.systemLog = .value(f)
        let plan = MacShellScript(facts: mac, source: "x", collectedAt: "y", group: nil)
        let after = plan.applied(to: mac)
        #expect(MacSystemLogCheck.run(try Self.rule, path: "/var/log/system.log", access: .read, facts: after).state == .fail)
        #expect(plan.script(rollbackName: "r").contains("still denied after this step"))
    }
}
