import Foundation
@testable import PermauditAudit
import PermauditCore
import PermauditFacts
import Testing

/// The macOS collector: what `collect --platform macos` prints is the golden script, it is clean under
/// `shellcheck -s sh`, and it runs here, on Linux, against a staged folder with stand-ins for the macOS tools
/// (`Tests/Fixtures/macos/bin/`, whose outputs are recorded from macOS's documentation: see the README there).
/// Its output for the two staged hosts is `Reports/examples/macos-system-log-{failure,fixed}.facts.json`.
///
/// Regenerate after a deliberate change: `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter MacCollector`.
@Suite(.serialized)
struct MacCollectorTests {
    static let fixtures = ReportTestSupport.packageRoot.appendingPathComponent("Tests/Fixtures/macos")
    static let examples = ReportTestSupport.packageRoot.appendingPathComponent("Reports/examples")

    @Test("the compiled-in collector is the golden script")
    func golden() throws {
        let file = Self.fixtures.appendingPathComponent("golden/collect-macos.sh")
        if ReportTestSupport.updatingGolden { try Data(MacCollectorScript.text.utf8).write(to: file) }
        #expect(MacCollectorScript.text == (try String(contentsOf: file, encoding: .utf8)))
    }

    @Test("shellcheck -s sh finds nothing", .enabled(if: ReportTestSupport.which("shellcheck") != nil, "needs shellcheck (apt-get install shellcheck)"))
    func shellcheck() throws {
        let dir = try ReportTestSupport.temporaryDirectory("mac-collector")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = try ReportTestSupport.write(MacCollectorScript.text, to: "collect-macos.sh", in: dir)
        let r = try ReportTestSupport.run(ReportTestSupport.which("shellcheck") ?? "shellcheck", ["-s", "sh", script.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    /// Runs the collector with the stand-ins first on PATH, against a copy of `Tests/Fixtures/macos/root`.
    static func collect(scenario: String) throws -> (status: Int32, json: String, stderr: String) {
        let dir = try ReportTestSupport.temporaryDirectory("mac-stage")
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("root")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("root"), to: root)
        if scenario == "fixed" {
            // The host after the fix: asl.conf's output line as MacRotationRoute edits it.
            let asl = root.appendingPathComponent("etc/asl.conf")
            var bytes = try [UInt8](Data(contentsOf: asl))
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let config = MacConfigLines(path: "/etc/asl.conf", lines: lines.enumerated().filter { $0.element.contains("system.log") && $0.element.allSatisfy(\.isASCII) }
                .map { MacConfigLines.Line(number: $0.offset + 1, text: String($0.element)) })
            for e in MacRotationRoute.edits(asl: [config], newsyslog: [], agentGroup: "elastic-agent", gid: 403) {
                guard let after = e.after, let r = find(Array(e.before.utf8), in: bytes) else { continue }
                bytes.replaceSubrange(r, with: Array(after.utf8))
            }
            try Data(bytes).write(to: asl)
        }
        let script = try ReportTestSupport.write(MacCollectorScript.text, to: "collect-macos.sh", in: dir)
        let path = fixtures.appendingPathComponent("bin").path + ":/usr/bin:/bin"
        let r = try ReportTestSupport.run("/usr/bin/env", [
            "PATH=\(path)", "PERMAUDIT_STAGED_ROOT=\(root.path)", "PERMAUDIT_STANDIN_SCENARIO=\(scenario)", "sh", script.path,
        ])
        return (r.status, r.stdout, r.stderr)
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) { return i..<(i + needle.count) }
        return nil
    }

    @Test("the collector runs on Linux against stand-ins and writes the example facts files", arguments: ["failure", "fixed"])
    func runsAgainstStandIns(_ scenario: String) throws {
        let r = try Self.collect(scenario: scenario)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        // Valid JSON whatever bytes the values held (asl.conf has a Latin-1 line, dscl a UTF-8 name).
        let object = try JSONSerialization.jsonObject(with: Data(r.json.utf8)) as? [String: Any]
        #expect(object?["schema"] as? String == "permaudit/facts/v1")
        #expect(r.json.contains(#""members": ["root", "j\u00c3\u00bcrgen"]"#))
        #expect(r.json.contains(#"R\u00e8gles locales"#))
        // Through the facts loader and the macOS decoder, bytes back to text.
        let mac = try MacFactsDecoder.decode(try FactsFile.parse(r.json, file: "collected-\(scenario).json"))
        let log = try #require(mac.systemLog.value)
        #expect(log.owner == "root" && log.group == "admin" && log.mode == FileMode(0o640) && log.inode == 4242)
        #expect(log.acl.entries.count == (scenario == "fixed" ? 1 : 0))
        #expect(mac.rotatedLogs.value?.map(\.path) == ["/var/log/system.log.0.gz", "/var/log/system.log.1.gz"])
        #expect(mac.adminGroup.value?.members == ["root", "jürgen"])
        #expect(mac.adminGroup.value?.agentIsMember == false)
        #expect(mac.identity?.principal.allGroups == [403, 12, 61])
        #expect(mac.aslConfig.value?.first?.lines.contains { $0.text.hasPrefix("# R\\xe8gles locales") } == true)
        #expect(mac.newsyslogConfig.value?.first?.lines.isEmpty == true)
        let file = Self.examples.appendingPathComponent("macos-system-log-\(scenario).facts.json")
        if ReportTestSupport.updatingGolden { try Data(r.json.utf8).write(to: file) }
        #expect(r.json == (try String(contentsOf: file, encoding: .utf8)), "stale: PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter MacCollector")
    }

    @Test("an item the collector cannot read carries its own error; the others still come")
    func itemErrors() throws {
        let dir = try ReportTestSupport.temporaryDirectory("mac-stage-err")
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        let script = try ReportTestSupport.write(MacCollectorScript.text, to: "collect-macos.sh", in: dir)
        let path = Self.fixtures.appendingPathComponent("bin").path + ":/usr/bin:/bin"
        let r = try ReportTestSupport.run("/usr/bin/env", [
            "PATH=\(path)", "PERMAUDIT_STAGED_ROOT=\(root.path)", "sh", script.path, "--user", "nobody-here",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let items = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["items"] as? [String: Any])
        let log = items["system-log"] as? [String: Any]
        #expect((log?["error"] as? String)?.contains("No such file or directory") == true, "\(r.stdout)")
        #expect((items["agent-user"] as? [String: Any])?["error"] as? String == "id: nobody-here: no such user")
        #expect((items["os"] as? [String: Any])?["value"] != nil)
    }
}

@Test("collect --account NAME bakes the user in as the script's default, quoted for sh; nothing else changes")
func macCollectorAccount() {
    let s = MacCollectorScript.script(user: "o'brien")
    #expect(s.contains("\nagent_user='o'\\''brien'\n"))
    #expect(s.replacingFirst("agent_user='o'\\''brien'\n", with: "agent_user=elastic-agent-user\n") == MacCollectorScript.text)
    #expect(MacCollectorScript.script(user: "elastic-agent-user") == MacCollectorScript.text)
}

@Test("the example macOS facts files validate against Reports/schema/facts.schema.json",
      .enabled(if: ReportTestSupport.pythonWithJSONSchema != nil, "needs python3 with jsonschema (apt-get install python3-jsonschema)"))
func macFactsSchema() throws {
    let files = ["failure", "fixed"].map { MacCollectorTests.examples.appendingPathComponent("macos-system-log-\($0).facts.json") }
    let r = try #require(try ReportTestSupport.validateJSON(schema: "facts.schema.json", files: files))
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
}
