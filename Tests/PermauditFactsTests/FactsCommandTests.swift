import Foundation
import Testing

/// Bad input through the built binary: a clear message and exit 2, never a crash, never a guess.
@Suite struct FactsCommandTests {
    static func withFile(_ text: String, _ body: (String) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "win-facts-\(UInt32.random(in: 0...UInt32.max)).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    static var example: String {
        (try? String(contentsOf: FactsTestSupport.examples.appendingPathComponent("windows-host.facts.json"), encoding: .utf8)) ?? ""
    }

    struct Bad: Sendable, CustomStringConvertible {
        var name: String
        var edit: @Sendable (String) -> String
        var says: [String]
        var description: String { name }
    }

    static let bad: [Bad] = [
        Bad(name: "truncated", edit: { String($0.prefix($0.count / 2)) }, says: ["not valid JSON", "truncated"]),
        Bad(name: "other version", edit: { $0.replacing("permaudit/facts/v1", with: "permaudit/facts/v2") }, says: [":2: schema:", "permaudit/facts/v2"]),
        Bad(name: "broken SDDL", edit: { $0.replacing("(A;;0x5;;;BA)", with: "(A;;0x5;;BA)") }, says: ["items.channel:Security.value.sddl", "broken ACE"]),
        Bad(name: "unknown alias", edit: { $0.replacing("(A;;0x5;;;BA)", with: "(A;;0x5;;;QQ)") }, says: ["items.channel:Security.value.sddl", "'QQ' is not an SDDL SID alias"]),
        Bad(name: "missing field", edit: { $0.replacing("\"collectedAt\": \"2026-11-01T00:00:00Z\",", with: "") }, says: ["collectedAt: missing"]),
    ]

    @Test(arguments: bad) func auditRefuses(_ b: Bad) throws {
        try Self.withFile(b.edit(Self.example)) { path in
            for command in [["audit", "--facts", path], ["fix", "--facts", path, "--emit", "powershell"], ["explain", "--facts", path, "Security", "--access", "read"]] {
                let r = try FactsTestSupport.permaudit(command)
                #expect(r.status == 2, "\(command[0]): \(r.stderr)")
                #expect(r.stdout.isEmpty)
                for s in b.says { #expect(r.stderr.contains(s), "\(command[0]) says: \(r.stderr)") }
                #expect(r.stderr.contains(path))
            }
        }
    }

    @Test func oneUnreadableItemIsAnUnknownFindingNamingIt() throws {
        let text = Self.example.replacing(
            #""registry:HKLM\\SYSTEM\\CurrentControlSet\\Services\\PartMgr": {"#,
            with: #""registry:HKLM\\SYSTEM\\CurrentControlSet\\Services\\PartMgr": {"error": "Requested registry access is not allowed."}, "unused": {"#)
        try Self.withFile(text) { path in
            let r = try FactsTestSupport.permaudit(["audit", "--facts", path, "--format", "json"])
            #expect(r.status == 1, "\(r.stderr)")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let f = try #require((doc["findings"] as? [[String: Any]])?.first { $0["ruleId"] as? String == "windows.partmgr.registry" })
            #expect(f["state"] as? String == "unknown")
            let message = f["message"] as? String ?? ""
            #expect(message.contains(#"registry:HKLM\SYSTEM\CurrentControlSet\Services\PartMgr"#) && message.contains("Requested registry access is not allowed."), "\(message)")
        }
    }

    @Test(arguments: [
        (["explain", "--sddl", "D:(A;;0x1;;;ZZ)", "--sid", "S-1-5-21-1-1001", "--access", "read"], "'ZZ' is not an SDDL SID alias"),
        (["explain", "--sddl", "D:(A;;0x1;;;WD", "--sid", "S-1-5-21-1-1001", "--access", "read"], "no closing ')'"),
        (["explain", "--sddl", "D:(A;;0x1;;;WD)", "--sid", "nobody", "--access", "read"], "not a SID"),
        (["explain", "--sddl", "D:(A;;0x1;;;WD)", "--sid", "S-1-5-21-1-1001", "--object", "registry-key", "--access", "bogus"], "'bogus' is not a right of a registry-key"),
        (["explain", "--sddl", "D:(A;;0x1;;;WD)", "--sid", "S-1-5-21-1-1001", "--user", "root", "--access", "read"], "--sddl judges a Windows token"),
        (["audit", "--facts", "/nonexistent/facts.json"], "/nonexistent/facts.json: cannot open"),
        (["audit", "--facts", "x.json", "--root", "/"], "give --facts FILE or --root DIR, not both"),
        (["fix", "--emit", "powershell"], "--emit powershell is for a Windows host"),
        (["explain", "--facts", "Reports/examples/windows-host.facts.json", "HKLM\\Nope", "--access", "read"], "no object 'HKLM\\Nope' in the facts"),
    ])
    func refusesClearly(_ arguments: [String], _ says: String) throws {
        let r = try FactsTestSupport.permaudit(arguments, cwd: FactsTestSupport.packageRoot.path)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains(says), "\(r.stderr)")
    }

    @Test func explainSDDLAsJSON() throws {
        let r = try FactsTestSupport.permaudit([
            "explain", "--sddl", "O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)", "--sid", "S-1-5-21-1-1001",
            "--groups", "S-1-1-0,S-1-5-32-573", "--object", "event-channel", "--access", "read", "--format", "json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["granted"] as? Bool == true)
        #expect(doc["grantedMask"] as? Int == 1)
        let evidence = try #require(doc["evidence"] as? [[String: Any]])
        #expect(evidence.last?["matchedEntry"] as? String == "(A;;0x1;;;S-1-5-32-573)")
        let denied = try FactsTestSupport.permaudit([
            "explain", "--sddl", "O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)", "--sid", "S-1-5-21-1-1001",
            "--groups", "S-1-1-0", "--object", "event-channel", "--access", "0x1", "--format", "json",
        ])
        #expect(denied.status == 1)
        #expect(denied.stdout.contains("\"granted\": false"))
    }

    @Test func explainSDDLWithPrivilegesAndDomain() throws {
        let owner = try FactsTestSupport.permaudit(["explain", "--sddl", "O:SYD:", "--sid", "S-1-5-21-1-1001", "--access", "write-owner"])
        #expect(owner.status == 1, "without the privilege an empty DACL refuses WRITE_OWNER")
        let priv = try FactsTestSupport.permaudit(["explain", "--sddl", "O:SYD:", "--sid", "S-1-5-21-1-1001", "--privileges", "SeTakeOwnershipPrivilege", "--access", "write-owner"])
        #expect(priv.status == 0, "\(priv.stdout)\(priv.stderr)")
        let noDomain = try FactsTestSupport.permaudit(["explain", "--sddl", "D:(A;;0x1;;;DU)", "--sid", "S-1-5-21-1-1001", "--access", "0x1"])
        #expect(noDomain.status == 2 && noDomain.stderr.contains("names a domain group"))
        let domain = try FactsTestSupport.permaudit(["explain", "--sddl", "D:(A;;0x1;;;DU)", "--domain-sid", "S-1-5-21-7-8-9", "--sid", "S-1-5-21-1-1001", "--groups", "S-1-5-21-7-8-9-513", "--access", "0x1"])
        #expect(domain.status == 0, "\(domain.stderr)")
    }

    @Test func explainFactsObject() throws {
        let r = try FactsTestSupport.permaudit(["explain", "--facts", "windows-host.facts.json", #"HKLM\SYSTEM\CurrentControlSet\Services\PartMgr"#, "--access", "0x2001F"], cwd: FactsTestSupport.examples.path)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("DENIED") && r.stdout.contains("NO set-value,create-sub-key"))
        let ok = try FactsTestSupport.permaudit(["explain", "--facts", "windows-host-fixed.facts.json", #"HKLM\SYSTEM\CurrentControlSet\Services\PartMgr"#, "--access", "query-value,set-value", "--format", "json"], cwd: FactsTestSupport.examples.path)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("\"granted\": true"))
    }
}
