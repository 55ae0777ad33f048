import PermauditFacts
import Testing

/// The envelope of a facts file: what is read, and what is refused with the file, line and field.
@Suite struct FactsFileTests {
    static let good = """
        {
          "schema": "permaudit/facts/v1",
          "platform": "windows",
          "collector": {"name": "permaudit-collect-windows", "version": "1.0.0"},
          "collectedAt": "2026-12-01T19:20:00Z",
          "host": {"name": "WIN-1", "os": {"name": "Windows Server 2022", "version": "10.0.20348", "build": "20348"}},
          "items": {
            "account": {"value": {"name": "elastic-agent-user", "sid": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "S-1-5-32-545", "name": "Users"}]}},
            "rights": {"error": "secedit failed: access denied"}
          }
        }
        """

    @Test func readsTheEnvelopeAndItems() throws {
        let f = try FactsFile.parse(Self.good, file: "f.json")
        #expect(f.platform == .windows)
        #expect(f.collector.version == "1.0.0")
        #expect(f.host.os.build == "20348")
        let w = try WindowsFacts(f)
        #expect(try w.account.get().groups.map(\.sid) == ["S-1-5-32-545"])
        guard case .failure(let p) = w.rights else { Issue.record("rights should be the collector's error"); return }
        #expect(p.description.contains("'rights'") && p.description.contains("secedit failed: access denied"))
        guard case .failure(let missing) = w.group("S-1-5-32-573") else { Issue.record("absent item"); return }
        #expect(missing.collectorError == nil && missing.description.contains("group:S-1-5-32-573"))
    }

    struct Bad: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var line: Int?
        var field: String?
        var says: String
        var description: String { name }
    }

    static let bad: [Bad] = [
        Bad(name: "truncated", text: String(good.prefix(200)), line: 6, field: nil, says: "truncated"),
        Bad(name: "empty", text: "", line: 1, field: nil, says: "not valid JSON"),
        Bad(name: "other version", text: good.replacing("permaudit/facts/v1", with: "permaudit/facts/v2"), line: 2, field: "schema", says: "permaudit/facts/v2"),
        Bad(name: "no platform", text: good.replacing("\"platform\": \"windows\",", with: ""), line: 1, field: "platform", says: "missing"),
        Bad(name: "unknown platform", text: good.replacing("\"windows\"", with: "\"beos\""), line: 3, field: "platform", says: "beos"),
        Bad(name: "bad time", text: good.replacing("2026-12-01T19:20:00Z", with: "yesterday"), line: 5, field: "collectedAt", says: "RFC 3339"),
        Bad(name: "no os build", text: good.replacing(", \"build\": \"20348\"", with: ""), line: 6, field: "host.os.build", says: "missing"),
        Bad(name: "item neither", text: good.replacing("{\"error\": \"secedit failed: access denied\"}", with: "{}"), line: 9, field: "items.rights", says: "neither"),
        Bad(name: "array", text: "[1, 2]", line: 1, field: nil, says: "expected an object"),
        Bad(name: "trailing comma", text: good.replacing("\"20348\"}}", with: "\"20348\"},}"), line: 6, field: nil, says: "expected a quoted key"),
    ]

    @Test(arguments: bad) func refusesWithFileLineAndField(_ b: Bad) {
        do {
            _ = try FactsFile.parse(b.text, file: "bad.json")
            Issue.record("\(b.name) was read")
        } catch {
            #expect(error.file == "bad.json")
            #expect(error.line == b.line, "\(error)")
            #expect(error.field == b.field, "\(error)")
            #expect(error.description.contains(b.says), "\(error)")
            #expect(!error.hint.isEmpty)
        }
    }

    @Test func aMalformedItemValueIsAnErrorNamingItsPath() throws {
        let f = try FactsFile.parse(Self.good.replacing("\"S-1-5-32-545\"", with: "\"Users\""), file: "f.json")
        do {
            _ = try WindowsFacts(f)
            Issue.record("a group that is not a SID was read")
        } catch {
            #expect(error.field == "items.account.value.groups[0].sid")
            #expect(error.line == 8)
            #expect(error.description.contains("not a SID"))
        }
    }

    @Test func aByteOrderMarkIsRead() throws {
        let f = try FactsFile.parse("\u{FEFF}" + Self.good, file: "bom.json")
        #expect(f.host.name == "WIN-1")
    }
}

/// A domain member prints domain aliases (DA, DU) in SDDL: the collector records how the host resolves
/// them, and without that record such an alias is refused, never guessed.
@Suite struct FactsAliasTests {
    static func facts(aliases: String?) -> String {
        """
        {"schema": "permaudit/facts/v1", "platform": "windows", "collector": {"name": "c", "version": "1"},
         "collectedAt": "2026-12-01T19:20:00Z", "host": {"name": "W", "os": {"name": "Windows", "version": "10.0", "build": "1"}},
         "items": {\(aliases.map { "\"sddl-aliases\": {\"value\": \($0)}," } ?? "")
           "account": {"value": {"name": "a", "sid": "S-1-5-21-9-9-9-1001", "groups": [{"sid": "S-1-5-21-9-9-9-513"}]}},
           "registry:HKLM\\\\X": {"value": {"name": "HKLM\\\\X", "sddl": "O:DAG:SYD:(A;;KR;;;DU)"}}}}
        """
    }

    @Test func resolvedAliasesAreUsed() throws {
        let w = try WindowsFacts(try FactsFile.parse(Self.facts(aliases: #"{"DA": "S-1-5-21-9-9-9-512", "DU": "S-1-5-21-9-9-9-513"}"#), file: "a.json"))
        let (_, sd) = try w.descriptor(WindowsFacts.Item.registryKey(#"HKLM\X"#)).get()
        #expect(sd.owner?.description == "S-1-5-21-9-9-9-512")
        #expect(sd.daclEntries.first?.trustee.description == "S-1-5-21-9-9-9-513")
    }

    @Test func withoutThemTheSDDLIsRefused() throws {
        let w = try WindowsFacts(try FactsFile.parse(Self.facts(aliases: nil), file: "a.json"))
        do {
            _ = try w.descriptor(WindowsFacts.Item.registryKey(#"HKLM\X"#))
            Issue.record("a domain alias was guessed")
        } catch {
            #expect(error.field == #"items.registry:HKLM\X.value.sddl"#)
            #expect(error.description.contains("names a domain group"))
        }
    }
}
