import PermauditAudit
import PermauditCore
import PermauditFacts
import Testing

/// The macOS items of a facts file: decoded, the collector's byte encoding undone, malformed items reported
/// with file, line and field, and a missing item left for the rules to call unknown.
@Suite("macOS facts decoding")
struct MacFactsDecoderTests {
    static func doc(items: String, collector: String = "permaudit-macos-sh") -> String {
        """
        {"schema": "permaudit/facts/v1", "platform": "macos", "collector": {"name": "\(collector)", "version": "1"},
         "collectedAt": "2026-12-01T12:00:00Z", "host": {"name": "m", "os": {"name": "macOS", "version": "14.5", "build": "23F79"}},
         "items": {
        \(items)
         }}
        """
    }

    static let log = #""system-log": {"value": {"path": "/var/log/system.log", "type": "Regular File", "uid": 0, "gid": 80, "owner": "root", "group": "admin", "mode": "640", "device": 1, "inode": 2, "acl": [" 0: group:elastic-agent allow read"]}}"#

    @Test("a file item: type, mode, ACL entries")
    func file() throws {
        let mac = try MacFactsDecoder.decode(try FactsFile.parse(Self.doc(items: Self.log), file: "f.json"))
        let f = try #require(mac.systemLog.value)
        #expect(f.type == .regular && f.mode == FileMode(0o640) && f.gid == 80)
        #expect(f.acl.entries == [MacACLEntry(qualifier: .group("elastic-agent"), kind: .allow, rights: .read)])
        #expect(mac.agentUser.problem?.contains("no item 'agent-user'") == true)
    }

    @Test("malformed items are errors naming the file, line and field", arguments: [
        (#""system-log": {"value": {"path": "/var/log/system.log", "type": "Regular File", "uid": -1, "gid": 80, "owner": "root", "group": "admin", "mode": "640", "device": 1, "inode": 2, "acl": []}}"#, "items.system-log.value.uid"),
        (#""system-log": {"value": {"path": "/var/log/system.log", "type": "Door", "uid": 0, "gid": 80, "owner": "root", "group": "admin", "mode": "640", "device": 1, "inode": 2, "acl": []}}"#, "'Door' is not a file type"),
        (#""system-log": {"value": {"path": "/var/log/system.log", "type": "Regular File", "uid": 0, "gid": 80, "owner": "root", "group": "admin", "mode": "rw-", "device": 1, "inode": 2, "acl": []}}"#, "not an octal mode"),
        (#""system-log": {"value": {"path": "/var/log/system.log", "type": "Regular File", "uid": 0, "gid": 80, "owner": "root", "group": "admin", "mode": "640", "device": 1, "inode": 2, "acl": [" 0: group:x permit read"]}}"#, "`permit` is neither allow nor deny"),
    ])
    func malformed(_ item: String, _ expected: String) throws {
        let facts = try FactsFile.parse(Self.doc(items: item), file: "bad.json")
        do {
            _ = try MacFactsDecoder.decode(facts)
            Issue.record("decoded a malformed item")
        } catch {
            #expect(error.description.hasPrefix("bad.json:"), "\(error)")
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test("an item the collector could not read stays missing with the collector's words")
    func collectorError() throws {
        let mac = try MacFactsDecoder.decode(try FactsFile.parse(Self.doc(items: #""system-log": {"error": "stat: /var/log/system.log: stat: No such file or directory"}"#), file: "f.json"))
        #expect(mac.systemLog.problem == "stat: /var/log/system.log: stat: No such file or directory")
    }

    @Test("the collector's bytes come back as UTF-8; bytes that are not UTF-8 are shown as \\xNN", arguments: [
        ("j\u{00C3}\u{00BC}rgen", "jürgen"),
        ("R\u{00E8}gles", "R\\xe8gles"),
        ("plain", "plain"),
        ("\u{00E2}\u{0082}\u{00AC}5", "€5"),
    ])
    func textDecoding(_ raw: String, _ decoded: String) {
        #expect(MacFactsText(collector: "permaudit-macos-sh").decode(raw) == decoded)
        #expect(MacFactsText(collector: "someone-else").decode(raw) == raw)
    }
}
