import Testing
@testable import PermauditFix
import PermauditCore

@Suite("The narrowest ACL grant and its mask")
struct ACLGrantTests {
    let agent = Principal(uid: 5101, gid: 6101)

    @Test("root:adm 0640: a named group r--, mask r--, nothing widened")
    func authLog() throws {
        let facts = FileFacts(type: .regular, uid: 0, gid: 4, mode: FileMode(0o640))
        let (acl, entry, widened) = try #require(ACLGrant.grant(.read, to: agent, on: facts))
        #expect(entry == ACLEntry(.group, 6101, .read))
        #expect(acl.mask == .read)
        #expect(widened.isEmpty)
        let after = ACLGrant.applying(acl, to: facts)
        #expect(after.mode.bits == 0o640)
        #expect(AccessEvaluatorCheck.read(after, agent))
    }

    @Test("RHEL 0600: the mask becomes r-- but the owning group stays ---")
    func secure() throws {
        let facts = FileFacts(type: .regular, uid: 0, gid: 0, mode: FileMode(0o600))
        let (acl, _, widened) = try #require(ACLGrant.grant(.read, to: agent, on: facts))
        #expect(acl.entry(.groupObj)?.permissions == Permissions.none)
        #expect(acl.mask == .read)
        #expect(widened.isEmpty)
    }

    @Test("an existing entry cut by the mask is reported when the new mask widens it; the mask is not the full union")
    func widening() throws {
        let existing = AccessControlList(entries: [
            ACLEntry(.userObj, nil, [.read, .write]), ACLEntry(.groupObj, nil, .none), ACLEntry(.group, 7000, [.read, .write]),
            ACLEntry(.mask, nil, .none), ACLEntry(.other, nil, .none),
        ])
        let facts = FileFacts(type: .regular, uid: 0, gid: 0, mode: FileMode(0o600), acl: existing)
        let (acl, _, widened) = try #require(ACLGrant.grant(.read, to: agent, on: facts))
        #expect(acl.mask == .read, "not rw-: write for group 7000 stays masked")
        #expect(widened.count == 1)
        #expect(widened.first?.entry.qualifier == 7000)
        #expect(widened.first?.after == .read)
    }

    @Test("the owner class decides alone: no group entry can help the owner")
    func owner() {
        let facts = FileFacts(type: .regular, uid: 5101, gid: 0, mode: FileMode(0o040))
        #expect(ACLGrant.grant(.read, to: agent, on: facts) == nil)
    }

    @Test("search on a directory adds --x only")
    func search() throws {
        let facts = FileFacts(type: .directory, uid: 0, gid: 4, mode: FileMode(0o750))
        let (acl, entry, _) = try #require(ACLGrant.grant(.execute, to: agent, on: facts))
        #expect(entry.permissions == .execute)
        #expect(acl.mask == [.read, .execute])
    }
}

/// Decides with the engine on a single file whose ancestors are open to all.
enum AccessEvaluatorCheck {
    struct One: FactSource {
        let file: FileFacts
        func lookup(_ path: String) -> FactLookup {
            path == "/f" ? .found(file) : .found(FileFacts(type: .directory, uid: 0, gid: 0, mode: FileMode(0o755)))
        }
        func mount(containing path: String) -> MountFacts? { nil }
        var protectedSysctls: ProtectedSysctls { ProtectedSysctls() }
        var securityModules: SecurityModules { SecurityModules() }
    }

    static func read(_ f: FileFacts, _ who: Principal) -> Bool {
        AccessEvaluator(source: One(file: f)).decide("/f", .read, for: who).verdict == .granted
    }
}
