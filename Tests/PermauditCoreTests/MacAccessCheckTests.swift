import PermauditCore
import Testing

/// The macOS agent: elastic-agent-user (uid 403) in elastic-agent (gid 403) and staff (20).
let macAgent = MacIdentity(
    principal: Principal(uid: 403, gid: 403, groups: [403, 20], userName: "elastic-agent-user", groupNames: [403: "elastic-agent", 20: "staff", 80: "admin"]),
    userUUID: "11111111-2222-3333-4444-555555555555",
    groupUUIDs: [403: "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", 20: "ABCDEFAB-CDEF-ABCD-EFAB-CDEF00000014"])

func systemLog(mode: UInt16 = 0o640, uid: UInt32 = 0, gid: UInt32 = 80, acl lines: [String] = []) throws -> MacFileFacts {
    let acl = try MacACLParser.parse(lines: lines) { "row line \($0 + 1)" }
    return MacFileFacts(
        path: "/var/log/system.log", type: .regular, uid: uid, gid: gid, owner: uid == 0 ? "root" : String(uid),
        group: gid == 80 ? "admin" : String(gid), mode: FileMode(mode), device: 16_777_220, inode: 4242, acl: acl)
}

struct MacRow: CustomTestStringConvertible, Sendable {
    var name: String
    var mode: UInt16 = 0o640
    var uid: UInt32 = 0
    var gid: UInt32 = 80
    var acl: [String] = []
    var access: Access = .read
    var who: MacIdentity = macAgent
    var verdict: AccessDecision.Verdict
    /// The ACL entry the evidence must name, when one decided.
    var entry: String? = nil
    var testDescription: String { name }
}

let macRows: [MacRow] = [
    MacRow(name: "the documented failure: root:admin 0640, no ACL, the agent is other", verdict: .denied),
    MacRow(name: "the narrow fix: group:elastic-agent allow read grants", acl: [" 0: group:elastic-agent allow read"], verdict: .granted, entry: "0: group:elastic-agent allow read"),
    MacRow(name: "a user entry by name grants", acl: [" 0: user:elastic-agent-user allow read"], verdict: .granted, entry: "0: user:elastic-agent-user allow read"),
    MacRow(name: "deny before allow: the deny wins", acl: [" 0: group:staff deny read", " 1: group:elastic-agent allow read"], verdict: .denied, entry: "0: group:staff deny read"),
    MacRow(name: "allow before deny: the allow already granted, the deny comes too late", acl: [" 0: group:elastic-agent allow read", " 1: group:staff deny read"], verdict: .granted, entry: "0: group:elastic-agent allow read"),
    MacRow(name: "a deny wins over the mode: group everyone deny read on a 0644 file", mode: 0o644, acl: [" 0: group:everyone deny read"], verdict: .denied, entry: "0: group:everyone deny read"),
    MacRow(name: "a deny of another right leaves read to the mode (other has r)", mode: 0o644, acl: [" 0: group:elastic-agent deny write,append"], verdict: .granted),
    MacRow(name: "an entry for another group does not apply: the mode decides", acl: [" 0: group:wheel allow read"], verdict: .denied),
    MacRow(name: "the mode fallback: owning group admin grants an admin member", who: MacIdentity(principal: Principal(uid: 403, gid: 403, groups: [403, 80], userName: "elastic-agent-user", groupNames: [403: "elastic-agent", 80: "admin"])), verdict: .granted),
    MacRow(name: "the owner class decides alone in the fallback (owner with --- but other r--)", mode: 0o004, uid: 403, verdict: .denied),
    MacRow(name: "an ACL grants what the owner's own bits refuse", mode: 0o000, uid: 403, acl: [" 0: user:elastic-agent-user allow read"], verdict: .granted),
    MacRow(name: "inherit-only entries do not apply to the object that holds them", acl: [" 0: group:elastic-agent allow read,file_inherit,only_inherit"], verdict: .denied),
    MacRow(name: "an inherited entry applies like any other", acl: [" 0: group:elastic-agent inherited allow read"], verdict: .granted, entry: "0: group:elastic-agent allow read,inherited"),
    MacRow(name: "a group entry by UUID (ls -le prints one when the name is unknown)", acl: [" 0: AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE allow read"], verdict: .granted),
    MacRow(name: "a deny by a UUID the facts cannot map makes an otherwise granted answer unknown", mode: 0o644, acl: [" 0: 99999999-8888-7777-6666-555555555555 deny read"], who: MacIdentity(principal: macAgent.principal), verdict: .unknown),
    MacRow(name: "write needs write: an allow read entry leaves write to the mode", acl: [" 0: group:elastic-agent allow read"], access: .write, verdict: .denied),
    MacRow(name: "rights granted by two allow entries add up on macOS", acl: [" 0: group:elastic-agent allow read", " 1: group:staff allow write"], access: .read, verdict: .granted),
    MacRow(name: "root reads whatever the ACL says", mode: 0o000, acl: [" 0: group:everyone deny read"], who: MacIdentity(principal: Principal(uid: 0, gid: 0, userName: "root")), verdict: .granted),
    MacRow(name: "root may not execute a file without any x bit", mode: 0o640, access: .execute, who: MacIdentity(principal: Principal(uid: 0, gid: 0, userName: "root")), verdict: .denied),
]

@Test("macOS ACL evaluation", arguments: macRows)
func macAccess(_ row: MacRow) throws {
    let file = try systemLog(mode: row.mode, uid: row.uid, gid: row.gid, acl: row.acl)
    let d = MacAccessCheck.decide(file, row.access, for: row.who)
    #expect(d.verdict == row.verdict, "\(d.reason)")
    #expect(d.evidence.last?.path == "/var/log/system.log")
    if row.verdict == .denied { #expect(d.errno == .permissionDenied); #expect(d.blockedAt == "/var/log/system.log") }
    if let e = row.entry { #expect(d.evidence.last?.matchedEntry == e) }
    #expect(d.evidence.last?.mode == (row.acl.isEmpty ? "-" : "-") + FileMode(row.mode).description + (row.acl.isEmpty ? "" : "+"))
}

@Test("ls -le lines: names with spaces, UUIDs, flags, and file:line errors")
func macACLParsing() throws {
    let acl = try MacACLParser.parse(lines: [
        " 0: user:John Smith deny write,append,delete",
        " 1: group:elastic-agent inherited allow read,readattr,readextattr,readsecurity,file_inherit,directory_inherit",
        " 2: ABCDEFAB-CDEF-ABCD-EFAB-CDEF0000000C allow search,list",
    ]) { "t:\($0 + 1)" }
    #expect(acl.entries.count == 3)
    #expect(acl.entries[0].qualifier == .user("John Smith"))
    #expect(acl.entries[0].kind == .deny)
    #expect(acl.entries[0].rights == [.write, .append, .delete])
    #expect(acl.entries[1].flags == [.inherited, .fileInherit, .directoryInherit])
    #expect(acl.entries[1].rights == [.read, .readAttributes, .readExtendedAttributes, .readSecurity])
    #expect(acl.entries[2].qualifier == .uuid("ABCDEFAB-CDEF-ABCD-EFAB-CDEF0000000C"))
    #expect(acl.entries[2].rights == [.list, .search])
    #expect(acl.entries[2].rights.words(directory: true) == ["list", "search"])
    // chmod(1)'s own example output: an `owner:` line, numbers from 1, bare names, a name with a space.
    let manPage = try MacACLParser.parse(lines: ["owner: juser", "1: guest deny read", "2: User 1 allow read", "3: admin allow write,delete"]) { "man:\($0 + 1)" }
    #expect(manPage.entries.map(\.qualifier) == [.name("guest"), .name("User 1"), .name("admin")])
    #expect(MacACLEntry(qualifier: .group("elastic-agent"), kind: .allow, rights: .read).description == "group:elastic-agent allow read")

    let bad: [([String], String)] = [
        ([" 0: group:elastic-agent permit read"], "t:1: `permit` is neither allow nor deny"),
        ([" 1: group:elastic-agent allow read", " 1: group:staff allow read"], "t:2: entry number 1 out of order"),
        ([" 0: group:elastic-agent allow rread"], "t:1: unknown right `rread`"),
        (["drwxr-xr-x 2 root wheel 64 Jan 1 00:00 x"], "t:1: `drwxr-xr-x"),
        ([" 0: group: allow read"], "t:1: `group:` with no name"),
    ]
    for (lines, want) in bad {
        #expect(throws: MacACLParseError.self) { try MacACLParser.parse(lines: lines) { "t:\($0 + 1)" } }
        do { _ = try MacACLParser.parse(lines: lines) { "t:\($0 + 1)" } } catch { #expect(error.description.hasPrefix(want), "\(error)") }
    }
}
