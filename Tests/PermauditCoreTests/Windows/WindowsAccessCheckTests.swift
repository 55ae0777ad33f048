import PermauditCore
import Testing

/// The Windows access check on real and crafted descriptors: order, deny, inherit-only, owner, NULL and
/// empty DACLs, generic mapping, MAXIMUM_ALLOWED.
@Suite struct WindowsAccessCheckTests {
    static let agent = SID(string: "S-1-5-21-1000-2000-3000-1001")!
    static let base: [SID] = [.everyone, SID(string: "S-1-5-11")!, SID(string: "S-1-5-32-545")!, SID(string: "S-1-5-6")!]
    static let plain = WindowsToken(user: agent, groups: base)
    static let reader = WindowsToken(user: agent, groups: base + [.eventLogReaders])
    static let admin = WindowsToken(user: agent, groups: base + [.administrators])

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var sddl: String
        var token: WindowsToken
        var kind: WindowsObjectKind
        var desired: UInt32
        var verdict: AccessDecision.Verdict
        var grantedMask: UInt32
        var description: String { name }
    }

    static let security = "O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)"
    static let services = "O:SYG:SYD:PAI(A;CIID;KR;;;BU)(A;CIID;KA;;;BA)(A;CIID;KA;;;SY)(A;CIIOID;GA;;;CO)(A;CIID;KR;;;AC)"

    static let cases: [Case] = [
        Case(name: "Security: a plain account cannot read", sddl: security, token: plain, kind: .eventChannel, desired: 0x1, verdict: .denied, grantedMask: 0),
        Case(name: "Security: Event Log Readers read", sddl: security, token: reader, kind: .eventChannel, desired: 0x1, verdict: .granted, grantedMask: 0x1),
        Case(name: "Security: Event Log Readers cannot clear", sddl: security, token: reader, kind: .eventChannel, desired: 0x5, verdict: .denied, grantedMask: 0x1),
        Case(name: "Security: GR maps to READ_CONTROL|read, readers lack READ_CONTROL", sddl: security, token: reader, kind: .eventChannel, desired: 0x8000_0000, verdict: .denied, grantedMask: 0x1),
        Case(name: "Security: Administrators read and clear", sddl: security, token: admin, kind: .eventChannel, desired: 0x5, verdict: .granted, grantedMask: 0x5),
        Case(name: "Security: the owner (BA) gets READ_CONTROL implicitly", sddl: security, token: admin, kind: .eventChannel, desired: 0x20000, verdict: .granted, grantedMask: 0x20000),
        Case(name: "PartMgr: Users get KEY_READ", sddl: services, token: plain, kind: .registryKey, desired: 0x20019, verdict: .granted, grantedMask: 0x20019),
        Case(name: "PartMgr: Users lack KEY_READ|KEY_WRITE (the whole open fails)", sddl: services, token: plain, kind: .registryKey, desired: 0x2001F, verdict: .denied, grantedMask: 0x20019),
        Case(name: "PartMgr: CREATOR OWNER inherit-only ACE is skipped", sddl: "O:SYG:SYD:(A;CIIO;KA;;;S-1-5-21-1000-2000-3000-1001)", token: plain, kind: .registryKey, desired: 0x1, verdict: .denied, grantedMask: 0),
        Case(name: "PartMgr: the fix's ACE gives exactly 0x2001F", sddl: services + "(A;;0x2001f;;;S-1-5-21-1000-2000-3000-1001)", token: plain, kind: .registryKey, desired: 0x2001F, verdict: .granted, grantedMask: 0x2001F),
        Case(name: "a deny before an allow refuses", sddl: "O:SYD:(D;;0x2;;;WD)(A;;KA;;;WD)", token: plain, kind: .registryKey, desired: 0x3, verdict: .denied, grantedMask: 0x1),
        Case(name: "a deny after an allow is too late", sddl: "O:SYD:(A;;KA;;;WD)(D;;0x2;;;WD)", token: plain, kind: .registryKey, desired: 0x3, verdict: .granted, grantedMask: 0x3),
        Case(name: "an inherited deny after an explicit allow is too late", sddl: "O:SYD:(A;;0x3;;;BU)(D;ID;0x3;;;WD)", token: plain, kind: .registryKey, desired: 0x3, verdict: .granted, grantedMask: 0x3),
        Case(name: "rights from two ACEs add up", sddl: "O:SYD:(A;;0x1;;;WD)(A;;0x2;;;BU)", token: plain, kind: .registryKey, desired: 0x3, verdict: .granted, grantedMask: 0x3),
        Case(name: "a NULL DACL grants everything", sddl: "O:SYD:NO_ACCESS_CONTROL", token: plain, kind: .file, desired: 0x1F01FF, verdict: .granted, grantedMask: 0x1F01FF),
        Case(name: "no DACL grants everything", sddl: "O:SY", token: plain, kind: .file, desired: 0x1F01FF, verdict: .granted, grantedMask: 0x1F01FF),
        Case(name: "an empty DACL grants nothing", sddl: "O:SYD:", token: plain, kind: .file, desired: 0x1, verdict: .denied, grantedMask: 0),
        Case(name: "an empty DACL still gives the owner READ_CONTROL|WRITE_DAC", sddl: "O:S-1-5-21-1000-2000-3000-1001D:", token: plain, kind: .file, desired: 0x60000, verdict: .granted, grantedMask: 0x60000),
        Case(name: "the owner's implicit rights outlive a deny", sddl: "O:S-1-5-21-1000-2000-3000-1001D:(D;;RC;;;WD)", token: plain, kind: .file, desired: 0x20000, verdict: .granted, grantedMask: 0x20000),
        Case(name: "an OWNER RIGHTS ACE replaces the implicit rights", sddl: "O:S-1-5-21-1000-2000-3000-1001D:(A;;0x1;;;OW)", token: plain, kind: .file, desired: 0x20000, verdict: .denied, grantedMask: 0),
        Case(name: "an OWNER RIGHTS ACE grants the owner what it says", sddl: "O:S-1-5-21-1000-2000-3000-1001D:(A;;0x1;;;OW)", token: plain, kind: .file, desired: 0x1, verdict: .granted, grantedMask: 0x1),
        Case(name: "an OWNER RIGHTS ACE does nothing for others", sddl: "O:SYD:(A;;0x1;;;OW)", token: plain, kind: .file, desired: 0x1, verdict: .denied, grantedMask: 0),
        Case(name: "GA in an ACE maps per object: a file's FILE_ALL_ACCESS", sddl: "O:SYD:(A;;GA;;;WD)", token: plain, kind: .file, desired: 0x1F01FF, verdict: .granted, grantedMask: 0x1F01FF),
        Case(name: "GR on a registry key is KEY_READ, not KEY_WRITE", sddl: "O:SYD:(A;;GR;;;WD)", token: plain, kind: .registryKey, desired: 0x2001F, verdict: .denied, grantedMask: 0x20019),
        Case(name: "MAXIMUM_ALLOWED: what the DACL gives, in order", sddl: "O:SYD:(D;;0x2;;;WD)(A;;KA;;;WD)", token: plain, kind: .registryKey, desired: 0x0200_0000, verdict: .granted, grantedMask: 0xF003D),
        Case(name: "MAXIMUM_ALLOWED with nothing given is denied", sddl: "O:SYD:", token: plain, kind: .registryKey, desired: 0x0200_0000, verdict: .denied, grantedMask: 0),
        Case(name: "ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege", sddl: "O:SYD:(A;;0x1F1F01FF;;;WD)", token: plain, kind: .file, desired: 0x0100_0000, verdict: .denied, grantedMask: 0),
        Case(name: "WRITE_OWNER with SeTakeOwnershipPrivilege", sddl: "O:SYD:", token: WindowsToken(user: agent, groups: base, privileges: ["SeTakeOwnershipPrivilege"]), kind: .file, desired: 0x80000, verdict: .granted, grantedMask: 0x80000),
        Case(name: "an object ACE with a GUID is not applied", sddl: "O:SYD:(OA;;0x1;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)", token: plain, kind: .file, desired: 0x1, verdict: .denied, grantedMask: 0),
        Case(name: "an object ACE without a GUID is applied", sddl: "O:SYD:(OA;;0x1;;;WD)", token: plain, kind: .file, desired: 0x1, verdict: .granted, grantedMask: 0x1),
        Case(name: "a conditional allow leaves the answer unknown", sddl: "O:SYD:(XA;;0x1;;;WD;(@User.x == 1))", token: plain, kind: .file, desired: 0x1, verdict: .unknown, grantedMask: 0),
        Case(name: "a conditional deny leaves the answer unknown", sddl: "O:SYD:(XD;;0x1;;;WD;(@User.x == 1))(A;;0x1;;;WD)", token: plain, kind: .file, desired: 0x1, verdict: .unknown, grantedMask: 0),
    ]

    @Test(arguments: cases) func decides(_ c: Case) throws {
        let sd = try SDDL.parse(c.sddl)
        let d = WindowsAccessCheck.check(sd, token: c.token, desired: c.desired, kind: c.kind, object: "obj")
        #expect(d.verdict == c.verdict, "\(d.reason) \(d.evidence.map(\.because))")
        #expect(d.grantedMask == c.grantedMask, "granted \(WindowsRights.hex(d.grantedMask))")
    }

    @Test func theEvidenceNamesTheACEForEachRight() throws {
        let sd = try SDDL.parse(Self.services)
        let d = WindowsAccessCheck.check(sd, token: Self.plain, desired: 0x2001F, kind: .registryKey, object: "PartMgr")
        let granted = d.evidence.first { $0.outcome == .granted }
        #expect(granted?.matchedEntry == "(A;CIID;KR;;;BU)")
        #expect(granted?.check == "query-value,enumerate-sub-keys,notify,read-control")
        let refused = d.evidence.last
        #expect(refused?.outcome == .denied && refused?.check == "set-value,create-sub-key" && refused?.errno == nil && refused?.because.hasSuffix("(ERROR_ACCESS_DENIED)") == true)
    }

    @Test(arguments: [
        ("0x2001F", WindowsObjectKind.registryKey, UInt32(0x2001F)), ("query-value,set-value", .registryKey, 0x3), ("read", .registryKey, 0x20019),
        ("read", .eventChannel, 0x1), ("read,clear", .eventChannel, 0x5), ("131103", .registryKey, 0x2001F), ("full-control", .service, 0xF01FF),
    ])
    func readsRights(_ text: String, _ kind: WindowsObjectKind, _ mask: UInt32) throws {
        #expect(try WindowsRights.parse(text, for: kind).get() == mask)
    }

    @Test(arguments: ["0xZZ", "0x", "0x0", "query-valu", "read,,bogus", "0x123456789"])
    func refusesRights(_ text: String) {
        #expect(throws: WindowsRightsError.self) { try WindowsRights.parse(text, for: .registryKey).get() }
    }
}
