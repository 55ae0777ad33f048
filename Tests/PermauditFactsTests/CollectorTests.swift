import Foundation
import PermauditFacts
import Testing

/// The Windows collector `permaudit collect --platform windows` prints: its golden file, and that it
/// parses as PowerShell (PowerShell cannot run here; tree-sitter's grammar judges the syntax).
@Suite struct CollectorTests {
    static let goldenFile = FactsTestSupport.golden.appendingPathComponent("collect-windows.ps1")

    @Test func theCollectorIsItsGoldenFile() throws {
        let script = WindowsCollector.script(account: "elastic-agent-user", extraChannels: [])
        if FactsTestSupport.updatingGolden { try Data(script.utf8).write(to: Self.goldenFile) }
        let golden = try String(contentsOf: Self.goldenFile, encoding: .utf8)
        #expect(script == golden, "Tests/PermauditFactsTests/Golden/collect-windows.ps1 is stale at \(FactsTestSupport.firstDifference(script, golden)); rerun with PERMAUDIT_UPDATE_GOLDEN=1")
    }

    @Test func collectPrintsIt() throws {
        let r = try FactsTestSupport.permaudit(["collect", "--platform", "windows"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == WindowsCollector.script(account: "elastic-agent-user", extraChannels: []))
        let mac = try FactsTestSupport.permaudit(["collect", "--platform", "macos"])
        // macOS: the sh collector (its own tests: MacCollectorTests).
        #expect(mac.status == 0 && mac.stdout.hasPrefix("#!/bin/sh\n") && mac.stdout.contains(#""name": "permaudit-macos-sh""#), "\(mac.stderr)")
    }

    @Test func itGathersEveryItemTheRulesRead() {
        let script = WindowsCollector.script(account: "elastic-agent-user", extraChannels: [])
        for needle in [
            "'account'", "'rights'", "'group:' + $groupSid", "'S-1-5-32-573', 'S-1-5-32-558'", "'registry:' + $partMgr", "'channel:' + $ch",
            "'service:' + $Service", "'pipe:' + $Pipe", "channelAccess", "WindowsIdentity", "secedit.exe", "'permaudit/facts/v1'",
            "'Security', 'System', 'Application', 'Microsoft-Windows-Sysmon/Operational'",
        ] {
            #expect(script.contains(needle), "the collector lacks \(needle)")
        }
        // Every item in its own try/catch, the error recorded as the item's.
        #expect(script.contains("$items[$Name] = [ordered]@{ error = [string]$_.Exception.Message }"))
    }

    @Test func accountAndChannelsAreQuotedLiterals() {
        let script = WindowsCollector.script(account: "O'Brien $(rm -rf)", extraChannels: ["A'B", "Microsoft-Windows-PowerShell/Operational"])
        #expect(script.contains("[string]$Account = 'O''Brien $(rm -rf)',"))
        #expect(script.contains("[string[]]$Channel = @('A''B', 'Microsoft-Windows-PowerShell/Operational'),"))
    }

    @Test(.enabled(if: FactsTestSupport.hasTreeSitter, "needs tree-sitter-powershell (pip install tree-sitter tree-sitter-powershell)"))
    func itParsesAsPowerShell() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("win-collector-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let odd = dir.appendingPathComponent("odd.ps1")
        try Data(WindowsCollector.script(account: "O'Brien ‘x’", extraChannels: ["A'B"]).utf8).write(to: odd)
        let problems = try FactsTestSupport.powerShellProblems([Self.goldenFile.path, odd.path])
        #expect(problems == nil, "\(problems ?? "")")
        // The parser must be able to fail: a broken copy is refused.
        let broken = dir.appendingPathComponent("broken.ps1")
        try Data(WindowsCollector.script(account: "x", extraChannels: []).replacing("if ($Output) {", with: "if ($Output {").utf8).write(to: broken)
        #expect(try FactsTestSupport.powerShellProblems([broken.path]) != nil)
    }
}
