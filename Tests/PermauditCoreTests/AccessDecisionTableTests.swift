import PermauditCore
import Testing

/// The agent: uid 998, primary group 998 (elastic-agent), no other groups unless a row says so.
let agent = Principal(uid: 998, gid: 998, groups: [998], userName: "elastic-agent-user")
func agent(groups: [UInt32] = [998], caps: [Capability] = []) -> Principal {
    Principal(uid: 998, gid: 998, groups: groups, capabilities: CapabilitySet(caps), userName: "elastic-agent-user")
}

/// One row of the kernel's rules: a tree, who asks, what, and what the kernel answers.
struct Row: CustomTestStringConvertible, Sendable {
    var name: String
    var tree: ModelTree
    var principal: Principal
    var path: String
    var access: Access
    var verdict: AccessDecision.Verdict
    var errno: String? = nil
    var testDescription: String { name }
}

func logTree(_ mode: UInt16, uid: UInt32 = 0, gid: UInt32 = 4, acl entries: String? = nil) -> ModelTree {
    var t = ModelTree.debian
    t.file("/var/log/auth.log", mode: mode, uid: uid, gid: gid, acl: entries.map(acl))
    return t
}

let permissionRows: [Row] = [
    Row(name: "other bits decide for a stranger: auth.log root:adm 0640 is refused", tree: logTree(0o640), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "the owning group's bits decide for a member (adm)", tree: logTree(0o640), principal: agent(groups: [998, 4]), path: "/var/log/auth.log", access: .read, verdict: .granted),
    Row(name: "the owner class decides alone: owner with --- is refused even though other has r", tree: logTree(0o004, uid: 998), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "the owner class decides alone even when a named entry for the owner would grant", tree: logTree(0o070, uid: 998, acl: "u::---,u:998:rwx,g::rwx,m::rwx,o::---"), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .denied),
    Row(name: "a named user entry grants, within the mask", tree: logTree(0o640, acl: "u::rw-,u:998:r--,g::r--,m::r--,o::---"), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .granted),
    Row(name: "the mask cuts a named user entry", tree: logTree(0o600 | 0o010, acl: "u::rw-,u:998:r--,g::---,m::--x,o::---"), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "a named group entry grants: the narrow fix g:elastic-agent:r", tree: logTree(0o640, acl: "u::rw-,g::r--,g:998:r--,m::r--,o::---"), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .granted),
    Row(name: "a matching group entry that does not grant denies: other is not consulted", tree: logTree(0o644, acl: "u::rw-,g::r--,g:998:---,m::r--,o::r--"), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "group entries do not add up (1/2): read comes from the entry for 998", tree: logTree(0o660, acl: "u::rw-,g::---,g:998:r--,g:997:-w-,m::rw-,o::---"), principal: agent(groups: [998, 997]), path: "/var/log/auth.log", access: .read, verdict: .granted),
    Row(name: "group entries do not add up (2/2): write comes from the entry for 997", tree: logTree(0o660, acl: "u::rw-,g::---,g:998:r--,g:997:-w-,m::rw-,o::---"), principal: agent(groups: [998, 997]), path: "/var/log/auth.log", access: .write, verdict: .granted),
    Row(name: "any matching group entry that grants is enough", tree: logTree(0o660, acl: "u::rw-,g::---,g:998:---,g:997:rw-,m::rw-,o::---"), principal: agent(groups: [998, 997]), path: "/var/log/auth.log", access: .write, verdict: .granted),
    Row(name: "an empty mask makes the kernel skip the ACL: a named user gets the other bits", tree: logTree(0o604, acl: "u::rw-,u:998:---,g::r--,m::---,o::r--"), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .granted),
    Row(name: "an empty mask: a named group entry that would grant is ignored", tree: logTree(0o600, acl: "u::rw-,g::r--,g:998:r--,m::---,o::---"), principal: agent, path: "/var/log/auth.log", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "CAP_DAC_READ_SEARCH reads any file", tree: logTree(0o000), principal: agent(caps: [.dacReadSearch]), path: "/var/log/auth.log", access: .read, verdict: .granted),
    Row(name: "CAP_DAC_READ_SEARCH never writes", tree: logTree(0o000), principal: agent(caps: [.dacReadSearch]), path: "/var/log/auth.log", access: .write, verdict: .denied, errno: "EACCES"),
    Row(name: "CAP_DAC_OVERRIDE writes any file", tree: logTree(0o000), principal: agent(caps: [.dacOverride]), path: "/var/log/auth.log", access: .write, verdict: .granted),
    Row(name: "CAP_DAC_OVERRIDE executes only when some x bit is set (none here)", tree: logTree(0o666), principal: agent(caps: [.dacOverride]), path: "/var/log/auth.log", access: .execute, verdict: .denied, errno: "EACCES"),
    Row(name: "CAP_DAC_OVERRIDE executes when some x bit is set", tree: logTree(0o100), principal: agent(caps: [.dacOverride]), path: "/var/log/auth.log", access: .execute, verdict: .granted),
]

/// Read and write at once (`open(O_RDWR)`): no single group entry grants both, so the kernel refuses,
/// although each entry grants one (`posix_acl_permission` wants one entry that grants the whole request).
@Test("group entries do not add up: read from one entry and write from another is not read+write", arguments: [
    ("u::rw-,g::---,g:998:r--,g:997:-w-,m::rw-,o::---", false),
    ("u::rw-,g::---,g:998:r--,g:997:rw-,m::rw-,o::---", true),
    ("u::rw-,g:998:r--,g::-w-,m::rw-,o::---", false),
    ("u::rw-,g::---,g:998:rw-,m::r--,o::---", false),
])
func groupEntriesDoNotAddUp(_ entries: String, _ readWrite: Bool) throws {
    let tree = logTree(0o660, acl: entries)
    let facts = try #require(tree.objects["/var/log/auth.log"])
    let principal = agent(groups: [998, 997, 4])
    #expect(PermissionCheck.check([.read, .write], on: facts, by: principal).granted == readWrite)
    // Each half on its own is granted by some entry in every row but the masked one.
    #expect(PermissionCheck.check(.read, on: facts, by: principal).granted)
}

@Test("permission bits, ACLs, masks and capabilities", arguments: permissionRows)
func permissions(_ row: Row) {
    let d = AccessEvaluator(source: row.tree).decide(row.path, row.access, for: row.principal)
    #expect(d.verdict == row.verdict, "\(d.reason)")
    if let e = row.errno { #expect(d.errno?.name == e) }
}

func walkTree() -> ModelTree {
    var t = ModelTree.debian
    t.dir("/srv", mode: 0o755)
    t.dir("/srv/agent", mode: 0o700, uid: 0)
    t.file("/srv/agent/state.db", mode: 0o644)
    t.dir("/srv/open", mode: 0o755)
    t.file("/srv/open/data", mode: 0o644)
    t.link("/srv/alias", to: "open/data")
    t.link("/srv/absolute", to: "/srv/open/data")
    t.link("/srv/chain", to: "alias")
    t.link("/srv/hidden", to: "agent/state.db")
    t.link("/srv/loop-a", to: "loop-b")
    t.link("/srv/loop-b", to: "loop-a")
    t.link("/srv/up", to: "../srv/open")
    t.dir("/srv/readonly", mode: 0o777)
    t.file("/srv/readonly/f", mode: 0o666)
    t.mounts.append(MountFacts(mountPoint: "/srv/readonly", fsType: "ext4", mountOptions: ["ro"]))
    t.dir("/srv/noexec", mode: 0o755)
    t.file("/srv/noexec/tool", mode: 0o755)
    t.mounts.append(MountFacts(mountPoint: "/srv/noexec", fsType: "tmpfs", mountOptions: ["rw", "noexec"]))
    t.file("/srv/open/frozen", mode: 0o666, immutable: true)
    t.file("/srv/open/journal", mode: 0o666, appendOnly: true)
    t.dir("/run", mode: 0o755)
    t.dir("/run/user", mode: 0o755)
    t.dir("/run/user/1000", mode: 0o700, uid: 1000, gid: 1000)
    t.dir("/run/user/1000/gvfs", mode: 0o500, uid: 1000, gid: 1000)
    t.mounts.append(MountFacts(mountPoint: "/run/user/1000/gvfs", fsType: "fuse.gvfsd-fuse", mountOptions: ["rw", "nosuid", "nodev"], superOptions: ["rw", "user_id=1000", "group_id=1000"]))
    t.dir("/tmp", mode: 0o1777)
    t.file("/tmp/theirs", mode: 0o666, uid: 1000, gid: 1000)
    t.file("/tmp/mine", mode: 0o600, uid: 998, gid: 998)
    t.link("/tmp/planted", to: "/srv/open/data", uid: 1000)
    return t
}

let root = Principal(uid: 0, gid: 0, groups: [0], capabilities: .full)
let desktopUser = Principal(uid: 1000, gid: 1000, groups: [1000])

let walkRows: [Row] = [
    Row(name: "search is needed on every ancestor", tree: walkTree(), principal: agent, path: "/srv/agent/state.db", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "CAP_DAC_READ_SEARCH searches any directory", tree: walkTree(), principal: agent(caps: [.dacReadSearch]), path: "/srv/agent/state.db", access: .read, verdict: .granted),
    Row(name: "a relative symlink is followed from its directory", tree: walkTree(), principal: agent, path: "/srv/alias", access: .read, verdict: .granted),
    Row(name: "an absolute symlink is followed from the root", tree: walkTree(), principal: agent, path: "/srv/absolute", access: .read, verdict: .granted),
    Row(name: "a chain of symlinks is followed", tree: walkTree(), principal: agent, path: "/srv/chain", access: .read, verdict: .granted),
    Row(name: "a symlink into an unsearchable directory is refused there", tree: walkTree(), principal: agent, path: "/srv/hidden", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "a symlink loop ends as unknown (ELOOP)", tree: walkTree(), principal: agent, path: "/srv/loop-a", access: .read, verdict: .unknown, errno: "ELOOP"),
    Row(name: "`..` in a link target is taken physically", tree: walkTree(), principal: agent, path: "/srv/up/data", access: .read, verdict: .granted),
    Row(name: "a missing file is refused with ENOENT", tree: walkTree(), principal: agent, path: "/srv/open/nothing", access: .read, verdict: .denied, errno: "ENOENT"),
    Row(name: "a file used as a directory is refused with ENOTDIR", tree: walkTree(), principal: agent, path: "/srv/open/data/x", access: .read, verdict: .denied, errno: "ENOTDIR"),
    Row(name: "a read-only mount refuses writes even when the bits allow", tree: walkTree(), principal: agent, path: "/srv/readonly/f", access: .write, verdict: .denied, errno: "EROFS"),
    Row(name: "a read-only mount still reads", tree: walkTree(), principal: agent, path: "/srv/readonly/f", access: .read, verdict: .granted),
    Row(name: "a read-only mount refuses writes to root too", tree: walkTree(), principal: root, path: "/srv/readonly/f", access: .write, verdict: .denied, errno: "EROFS"),
    Row(name: "noexec refuses execute even with x bits", tree: walkTree(), principal: agent, path: "/srv/noexec/tool", access: .execute, verdict: .denied, errno: "EACCES"),
    Row(name: "noexec does not stop searching a directory", tree: walkTree(), principal: agent, path: "/srv/noexec", access: .search, verdict: .granted),
    Row(name: "immutable refuses writes to root", tree: walkTree(), principal: root, path: "/srv/open/frozen", access: .write, verdict: .denied, errno: "EPERM"),
    Row(name: "append-only refuses a plain write open", tree: walkTree(), principal: root, path: "/srv/open/journal", access: .write, verdict: .denied, errno: "EPERM"),
    Row(name: "a FUSE mount without allow_other refuses root", tree: walkTree(), principal: root, path: "/run/user/1000/gvfs", access: .statfs, verdict: .denied, errno: "EACCES"),
    Row(name: "a FUSE mount without allow_other refuses the agent, even in adm", tree: walkTree(), principal: agent(groups: [998, 4], caps: [.dacReadSearch]), path: "/run/user/1000/gvfs", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "a FUSE mount lets its own user in", tree: walkTree(), principal: desktopUser, path: "/run/user/1000/gvfs", access: .statfs, verdict: .granted),
    Row(name: "list is read on a directory", tree: walkTree(), principal: agent, path: "/srv/open", access: .list, verdict: .granted),
    Row(name: "list on a file is ENOTDIR", tree: walkTree(), principal: agent, path: "/srv/open/data", access: .list, verdict: .denied, errno: "ENOTDIR"),
    Row(name: "create needs write and search on the directory", tree: walkTree(), principal: agent, path: "/srv/open/new", access: .create, verdict: .denied, errno: "EACCES"),
    Row(name: "create in a world-writable sticky directory", tree: walkTree(), principal: agent, path: "/tmp/new", access: .create, verdict: .granted),
    Row(name: "the sticky bit: only the owner deletes", tree: walkTree(), principal: agent, path: "/tmp/theirs", access: .delete, verdict: .denied, errno: "EPERM"),
    Row(name: "the sticky bit: the owner deletes its own", tree: walkTree(), principal: agent, path: "/tmp/mine", access: .delete, verdict: .granted),
    Row(name: "the sticky bit yields to CAP_FOWNER", tree: walkTree(), principal: agent(caps: [.fowner]), path: "/tmp/theirs", access: .delete, verdict: .granted),
    Row(name: "protected_regular: O_CREAT on another user's file in a sticky directory", tree: walkTree(), principal: agent, path: "/tmp/theirs", access: .create, verdict: .denied, errno: "EACCES"),
    Row(name: "protected_symlinks: another user's link in a sticky world-writable directory is not followed", tree: walkTree(), principal: agent, path: "/tmp/planted", access: .read, verdict: .denied, errno: "EACCES"),
    Row(name: "protected_symlinks: its owner follows it", tree: walkTree(), principal: desktopUser, path: "/tmp/planted", access: .read, verdict: .granted),
]

@Test("the path walk, mounts, attributes, create and delete", arguments: walkRows)
func walk(_ row: Row) {
    let d = AccessEvaluator(source: row.tree).decide(row.path, row.access, for: row.principal)
    #expect(d.verdict == row.verdict, "\(d.reason)")
    if let e = row.errno { #expect(d.errno?.name == e, "\(d.reason)") }
}

@Test("when permaudit cannot look, the answer is unknown and names the path that stopped it")
func unknownWhenUnreadable() {
    var t = walkTree()
    t.unreadable = ["/srv/agent"]
    let d = AccessEvaluator(source: t).decide("/srv/agent/state.db", .read, for: agent(caps: [.dacReadSearch]))
    #expect(d.verdict == .unknown)
    #expect(d.granted == nil)
    #expect(d.blockedAt == "/srv/agent")
}

@Test("SELinux enforcing keeps the DAC answer and says the bits are not the whole story")
func beyondDAC() {
    var t = logTree(0o644)
    t.securityModules = SecurityModules(selinux: .enforcing)
    let d = AccessEvaluator(source: t).decide("/var/log/auth.log", .read, for: agent)
    #expect(d.verdict == .granted)
    #expect(d.caveats.contains { $0.contains("SELinux is enforcing") })
}

@Test("AppArmor: a confining profile and an unchecked program are caveats; an unconfined process is not", arguments: [
    ("usr.bin.elastic-agent (enforce)" as String?, "AppArmor confines the process" as String?),
    (nil, "which program runs was not checked"),
    ("unconfined", nil),
] as [(String?, String?)])
func appArmor(_ label: String?, _ caveat: String?) {
    var t = logTree(0o644)
    t.securityModules = SecurityModules(appArmorEnabled: true, appArmorLabel: label)
    let d = AccessEvaluator(source: t).decide("/var/log/auth.log", .read, for: agent)
    #expect(d.verdict == .granted, "the DAC answer stays")
    if let caveat {
        #expect(d.caveats.contains { $0.contains(caveat) }, "\(d.caveats)")
    } else {
        #expect(d.caveats.isEmpty, "\(d.caveats)")
    }
}

@Test("the evidence names each ancestor, the entry that matched and the mask that cut it")
func evidence() {
    let t = logTree(0o640 | 0o010, acl: "u::rw-,g::---,g:998:r--,m::--x,o::---")
    let d = AccessEvaluator(source: t).decide("/var/log/auth.log", .read, for: agent)
    #expect(d.evidence.map(\.path) == ["/", "/var", "/var/log", "/var/log/auth.log"])
    #expect(d.evidence.dropLast().allSatisfy { $0.outcome == .granted && $0.check == "search" })
    let last = d.evidence.last
    #expect(last?.matchedEntry == "group:998:r--")
    #expect(last?.mask == "--x")
    #expect(last?.because.contains("mask") == true)
}

/// The kernel's traps the differential test found (Tests/PermauditHostTests/KernelAgreementTests.swift):
/// fs/namei.c `link_path_walk` and the order of the checks after it.
func kernelOrderTree() -> ModelTree {
    var t = walkTree()
    t.dir("/srv/closed", mode: 0o744)  // readable, not searchable, by the agent
    t.file("/srv/closed/data", mode: 0o644)
    t.dir("/srv/shared", mode: 0o777)
    t.dir("/srv/shared/full", mode: 0o777)
    t.file("/srv/shared/full/entry", mode: 0o666)
    t.dir("/srv/shared/empty", mode: 0o777)
    t.dir("/srv/shared/sub", mode: 0o777)
    t.link("/srv/shared/to-dir", to: "sub")
    t.link("/srv/to-new", to: "shared/new")
    t.link("/srv/slashed", to: "open/data/")
    t.file("/srv/open/journal-closed", mode: 0o644, appendOnly: true)
    t.file("/srv/readonly/closed", mode: 0o644)
    t.dir("/srv/readonly/locked", mode: 0o755)
    t.dir("/srv/image", mode: 0o777)
    t.file("/srv/image/closed", mode: 0o644)
    t.mounts.append(MountFacts(mountPoint: "/srv/image", fsType: "squashfs", mountOptions: ["ro"], superOptions: ["ro"]))
    t.file("/tmp/theirs-frozen", mode: 0o666, uid: 1000, gid: 1000, immutable: true)
    t.file("/tmp/theirs-device", mode: 0o666, uid: 1000, gid: 1000, type: .characterDevice)
    // /srv/chain/c0 reaches /srv/open/data through 41 links, c1 through 40.
    t.dir("/srv/chain", mode: 0o755)
    for i in 0..<41 { t.link("/srv/chain/c\(i)", to: i == 40 ? "/srv/open/data" : "c\(i + 1)") }
    return t
}

let linkPathWalkRows: [Row] = [
    Row(name: "search is needed before `.`: a readable but unsearchable directory refuses dir/.", tree: kernelOrderTree(), principal: agent, path: "/srv/closed/.", access: .list, verdict: .denied, errno: "EACCES"),
    Row(name: "search is needed before `..`", tree: kernelOrderTree(), principal: agent, path: "/srv/closed/../open", access: .list, verdict: .denied, errno: "EACCES"),
    Row(name: "`.` after a file is ENOTDIR", tree: kernelOrderTree(), principal: agent, path: "/srv/open/data/.", access: .read, verdict: .denied, errno: "ENOTDIR"),
    Row(name: "a trailing slash on a file is ENOTDIR", tree: kernelOrderTree(), principal: agent, path: "/srv/open/data/", access: .read, verdict: .denied, errno: "ENOTDIR"),
    Row(name: "a trailing slash after a link to a file is ENOTDIR", tree: kernelOrderTree(), principal: agent, path: "/srv/alias/", access: .read, verdict: .denied, errno: "ENOTDIR"),
    Row(name: "a link whose target ends in / must lead to a directory", tree: kernelOrderTree(), principal: agent, path: "/srv/slashed", access: .read, verdict: .denied, errno: "ENOTDIR"),
    Row(name: "a trailing slash (or two) on a directory is fine", tree: kernelOrderTree(), principal: agent, path: "/srv/open//", access: .list, verdict: .granted),
    Row(name: "statfs too refuses a trailing slash on a file", tree: kernelOrderTree(), principal: agent, path: "/srv/open/data/", access: .statfs, verdict: .denied, errno: "ENOTDIR"),
    Row(name: "40 links are followed (MAXSYMLINKS)", tree: kernelOrderTree(), principal: agent, path: "/srv/chain/c1", access: .read, verdict: .granted),
    Row(name: "the 41st link is ELOOP", tree: kernelOrderTree(), principal: agent, path: "/srv/chain/c0", access: .read, verdict: .unknown, errno: "ELOOP"),
    Row(name: "create follows a final symlink and creates its target (open without O_EXCL)", tree: kernelOrderTree(), principal: agent, path: "/srv/to-new", access: .create, verdict: .granted),
    Row(name: "create through a link to a directory is EISDIR", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/to-dir", access: .create, verdict: .denied, errno: "EISDIR"),
    Row(name: "create of a name ending in / is EISDIR, even where create is allowed", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/new/", access: .create, verdict: .denied, errno: "EISDIR"),
    Row(name: "create of `.` is EISDIR", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/.", access: .create, verdict: .denied, errno: "EISDIR"),
    Row(name: "delete of `..` is refused (rmdir: ENOTEMPTY)", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/sub/..", access: .delete, verdict: .denied, errno: "ENOTEMPTY"),
    Row(name: "delete of `.` is refused (rmdir: EINVAL)", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/sub/.", access: .delete, verdict: .denied, errno: "EINVAL"),
    Row(name: "delete does not follow a final link; with a trailing slash the link is ENOTDIR", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/to-dir/", access: .delete, verdict: .denied, errno: "ENOTDIR"),
    Row(name: "delete of a link removes the link", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/to-dir", access: .delete, verdict: .granted),
    Row(name: "the root cannot be removed (EBUSY)", tree: kernelOrderTree(), principal: root, path: "/", access: .delete, verdict: .denied, errno: "EBUSY"),
]

@Test("link_path_walk: search before . and .., trailing slashes, 40 links, create through a final link", arguments: linkPathWalkRows)
func linkPathWalk(_ row: Row) {
    let d = AccessEvaluator(source: row.tree).decide(row.path, row.access, for: row.principal)
    #expect(d.verdict == row.verdict, "\(d.reason)")
    if let e = row.errno { #expect(d.errno?.name == e, "\(d.reason)") }
}

let checkOrderRows: [Row] = [
    Row(name: "append-only is checked after the bits: without write permission it is EACCES, not EPERM", tree: kernelOrderTree(), principal: agent, path: "/srv/open/journal-closed", access: .write, verdict: .denied, errno: "EACCES"),
    Row(name: "a mount read-only on its own refuses after the bits: without write permission it is EACCES", tree: kernelOrderTree(), principal: agent, path: "/srv/readonly/closed", access: .write, verdict: .denied, errno: "EACCES"),
    Row(name: "a read-only mount still refuses root with EROFS", tree: kernelOrderTree(), principal: root, path: "/srv/readonly/closed", access: .write, verdict: .denied, errno: "EROFS"),
    Row(name: "a read-only superblock refuses before the bits (EROFS)", tree: kernelOrderTree(), principal: agent, path: "/srv/image/closed", access: .write, verdict: .denied, errno: "EROFS"),
    Row(name: "creating a new name takes mount write access first: EROFS before the bits", tree: kernelOrderTree(), principal: agent, path: "/srv/readonly/locked/new", access: .create, verdict: .denied, errno: "EROFS"),
    Row(name: "delete takes mount write access first: EROFS even for a name that does not exist", tree: kernelOrderTree(), principal: agent, path: "/srv/readonly/gone", access: .delete, verdict: .denied, errno: "EROFS"),
    Row(name: "O_CREAT of an existing file on a read-only mount: the bits first (EACCES)", tree: kernelOrderTree(), principal: agent, path: "/srv/readonly/closed", access: .create, verdict: .denied, errno: "EACCES"),
    Row(name: "the sticky bit yields to CAP_FOWNER, an immutable victim does not", tree: kernelOrderTree(), principal: agent(caps: [.fowner]), path: "/tmp/theirs-frozen", access: .delete, verdict: .denied, errno: "EPERM"),
    Row(name: "rmdir of a directory that holds entries is ENOTEMPTY", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/full", access: .delete, verdict: .denied, errno: "ENOTEMPTY"),
    Row(name: "rmdir of an empty directory", tree: kernelOrderTree(), principal: agent, path: "/srv/shared/empty", access: .delete, verdict: .granted),
    Row(name: "rmdir of a directory permaudit cannot list is unknown: the bits allow it, emptiness decides", tree: { var t = kernelOrderTree(); t.unlistable = ["/srv/shared/full"]; return t }(), principal: agent, path: "/srv/shared/full", access: .delete, verdict: .unknown),
    Row(name: "a mount point cannot be removed (EBUSY), root included", tree: kernelOrderTree(), principal: root, path: "/srv/noexec", access: .delete, verdict: .denied, errno: "EBUSY"),
    Row(name: "O_CREAT on another user's device in a sticky world-writable directory is refused whatever protected_regular says", tree: { var t = kernelOrderTree(); t.protectedSysctls = ProtectedSysctls(symlinks: 0, hardlinks: 1, regular: 0, fifos: 0); return t }(), principal: agent, path: "/tmp/theirs-device", access: .create, verdict: .denied, errno: "EACCES"),
    Row(name: "protected_regular=0: O_CREAT on another user's regular file in a sticky directory opens it", tree: { var t = kernelOrderTree(); t.protectedSysctls = ProtectedSysctls(symlinks: 0, hardlinks: 1, regular: 0, fifos: 0); return t }(), principal: agent, path: "/tmp/theirs", access: .create, verdict: .granted),
]

@Test("the order of the final checks: bits, append-only, read-only mounts, sticky, immutable, rmdir", arguments: checkOrderRows)
func checkOrder(_ row: Row) {
    let d = AccessEvaluator(source: row.tree).decide(row.path, row.access, for: row.principal)
    #expect(d.verdict == row.verdict, "\(d.reason)")
    if let e = row.errno { #expect(d.errno?.name == e, "\(d.reason)") }
}
