import PermauditCore
import Testing

/// SDDL read in full, and refused with the place and reason when it is not SDDL.
@Suite struct SDDLTests {
    @Test func theSecurityChannelsDefault() throws {
        let sd = try SDDL.parse("O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)")
        #expect(sd.owner == .administrators)
        #expect(sd.group == .localSystem)
        #expect(sd.daclEntries.map(\.mask) == [0xF0005, 0x5, 0x1])
        #expect(sd.daclEntries.map(\.trustee) == [.localSystem, .administrators, .eventLogReaders])
        #expect(sd.daclEntries.map(\.text) == ["(A;;0xf0005;;;SY)", "(A;;0x5;;;BA)", "(A;;0x1;;;S-1-5-32-573)"])
        #expect(sd.ownerText == "O:BA" && sd.groupText == "G:SY")
    }

    /// A services key as Windows shows it: protected, auto-inherited, inherited container ACEs.
    @Test func aServicesKeysInheritedDescriptor() throws {
        let sd = try SDDL.parse("O:SYG:SYD:PAI(A;CIID;KR;;;BU)(A;CIID;KA;;;BA)(A;CIID;KA;;;SY)(A;CIIOID;GA;;;CO)(A;CIID;KR;;;AC)")
        guard case .list(let acl) = sd.dacl else { Issue.record("a DACL"); return }
        #expect(acl.isProtected && acl.isAutoInherited)
        #expect(acl.entries.map(\.mask) == [0x20019, 0xF003F, 0xF003F, 0x1000_0000, 0x20019])
        #expect(acl.entries[3].flags == [.containerInherit, .inheritOnly, .inherited])
        #expect(acl.entries[3].trustee == .creatorOwner)
        #expect(acl.entries[4].trustee == SID(string: "S-1-15-2-1"))
    }

    struct Good: Sendable, CustomStringConvertible {
        var sddl: String
        var check: @Sendable (SecurityDescriptor) -> Bool
        var description: String { sddl }
    }

    static let good: [Good] = [
        Good(sddl: "D:NO_ACCESS_CONTROL") { $0.dacl == .null },
        Good(sddl: "O:BA") { $0.dacl == .absent },
        Good(sddl: "D:") { $0.dacl == .list(WindowsACL(flagsText: "", entries: [])) },
        Good(sddl: "D:PAR(D;OICINPIO;FA;;;WD)") { $0.daclEntries.first?.flags == [.objectInherit, .containerInherit, .noPropagate, .inheritOnly] && $0.daclEntries.first?.kind == .deny },
        Good(sddl: "D:(A;;GAGRGWGX;;;AU)") { $0.daclEntries.first?.mask == 0xF000_0000 },
        Good(sddl: "D:(A;;KAKRKWKX;;;IU)(A;;FAFRFWFX;;;SU)") { $0.daclEntries.map(\.mask) == [0xF003F, 0x1F01FF] },
        Good(sddl: "D:(A;;RCSDWDWO;;;NS)(A;;131097;;;LS)") { $0.daclEntries.map(\.mask) == [0xF0000, 131097] },
        Good(sddl: "D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)") { $0.daclEntries.first?.objectType == "ab721a53-1e2f-11d0-9819-00aa0040529b" },
        Good(sddl: "D:(XA;;FX;;;WD;(@User.Title == \"PM\" && (@User.Division == \"Finance\")))") { $0.daclEntries.first?.condition?.hasPrefix("(@User") == true },
        Good(sddl: "O:OWG:SOD:(A;;0x1;;;OW)") { $0.owner == .ownerRights && $0.group == SID(string: "S-1-5-32-549") },
        Good(sddl: "O:S-1-5-21-1-2-3-500G:DUD:(A;;0x1;;;DA)") { _ in false },  // DU/DA need a domain: see below
        Good(sddl: "S:(ML;;NW;;;LW)D:(A;;0x1;;;WD)") { $0.sacl?.entries.first?.kind == .mandatoryLabel && $0.daclEntries.count == 1 },
    ]

    @Test(arguments: good.filter { !$0.sddl.contains("DU") }) func reads(_ g: Good) throws {
        #expect(g.check(try SDDL.parse(g.sddl)))
    }

    @Test func domainAliasesNeedTheDomain() throws {
        let domain = try #require(SID(string: "S-1-5-21-1-2-3"))
        let sd = try SDDL.parse("O:S-1-5-21-1-2-3-500G:DUD:(A;;0x1;;;DA)", domain: domain)
        #expect(sd.group == domain.appending(513) && sd.daclEntries.first?.trustee == domain.appending(512))
        #expect(throws: SDDLError.self) { try SDDL.parse("G:DU") }
    }

    struct Bad: Sendable, CustomStringConvertible {
        var sddl: String
        var offset: Int
        var says: String
        var description: String { sddl }
    }

    static let bad: [Bad] = [
        Bad(sddl: "D:(A;;0x1;;;ZZ)", offset: 12, says: "'ZZ' is not an SDDL SID alias"),
        Bad(sddl: "D:(A;;QQ;;;WD)", offset: 6, says: "'QQ' is not an SDDL right"),
        Bad(sddl: "D:(A;;0xZZ;;;WD)", offset: 6, says: "not a 32-bit mask"),
        Bad(sddl: "D:(A;;0x1FFFFFFFF;;;WD)", offset: 6, says: "not a 32-bit mask"),
        Bad(sddl: "D:(A;;0x1;;WD)", offset: 2, says: "5 field(s)"),
        Bad(sddl: "D:(A;;0x1;;;WD", offset: 2, says: "no closing ')'"),
        Bad(sddl: "D:(Q;;0x1;;;WD)", offset: 3, says: "'Q' is not an ACE type"),
        Bad(sddl: "D:(A;XX;0x1;;;WD)", offset: 5, says: "'XX' is not an ACE flag"),
        Bad(sddl: "D:(A;C;0x1;;;WD)", offset: 5, says: "'C' is not an ACE flag"),
        Bad(sddl: "D:(A;;;;;WD)", offset: 6, says: "no rights"),
        Bad(sddl: "D:(A;;0x1;;;S-1-5-x)", offset: 12, says: "not a SID"),
        Bad(sddl: "D:Z(A;;0x1;;;WD)", offset: 2, says: "not an ACL flag"),
        Bad(sddl: "D:(A;;0x1;;;WD)junk", offset: 15, says: "unexpected 'junk'"),
        Bad(sddl: "O:BAO:SY", offset: 4, says: "O: is given twice"),
        Bad(sddl: "D:(A;;0x1;nope;;WD)", offset: 10, says: "not a GUID"),
        Bad(sddl: "D:(XA;;0x1;;;WD)", offset: 2, says: "needs its condition"),
        Bad(sddl: "D:NO_ACCESS_CONTROL(A;;0x1;;;WD)", offset: 2, says: "cannot hold ACEs"),
        Bad(sddl: "", offset: 0, says: "empty"),
        Bad(sddl: "X:BA", offset: 0, says: "unexpected"),
    ]

    @Test(arguments: bad) func refuses(_ b: Bad) {
        do {
            let sd = try SDDL.parse(b.sddl)
            Issue.record("read as \(sd)")
        } catch {
            #expect(error.offset == b.offset, "\(error)")
            #expect(error.description.contains(b.says), "\(error)")
        }
    }

    @Test func anExplicitACEGoesAfterTheExplicitOnesAndBeforeTheInherited() throws {
        let after = try SDDLEdit.addingExplicitACE("(A;;0x2001f;;;S-1-5-21-1-1001)", to: "O:SYG:SYD:AI(D;;0x2;;;WD)(A;ID;KR;;;BU)S:(AU;FA;KA;;;WD)")
        #expect(after == "O:SYG:SYD:AI(D;;0x2;;;WD)(A;;0x2001f;;;S-1-5-21-1-1001)(A;ID;KR;;;BU)S:(AU;FA;KA;;;WD)")
        #expect(throws: SDDLError.self) { try SDDLEdit.addingExplicitACE("(A;;0x1;;;WD)", to: "O:SYD:NO_ACCESS_CONTROL") }
        #expect(throws: SDDLError.self) { try SDDLEdit.addingExplicitACE("(A;;0x1;;;WD)", to: "O:SY") }
        #expect(throws: SDDLError.self) { try SDDLEdit.addingExplicitACE("(A;;0x1;;WD)", to: "O:SYD:") }
    }
}
