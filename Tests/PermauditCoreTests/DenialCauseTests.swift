import PermauditCore
import Testing

/// Every refusal carries its cause as a value: the fix picks the FUSE remedy, the read-only mount's and
/// the immutable file's by switching on it, never by reading the reason.
@Suite("Why a decision refused, as a value")
struct DenialCauseTests {
    static let agent = Principal(uid: 5101, gid: 6101)

    static var tree: ModelTree {
        var t = ModelTree.debian
        t.dir("/srv", mode: 0o755)
        t.file("/srv/open", mode: 0o666)
        t.file("/srv/closed", mode: 0o600)
        t.file("/srv/frozen", mode: 0o666, immutable: true)
        t.file("/srv/journal", mode: 0o666, appendOnly: true)
        t.dir("/ro", mode: 0o777)
        t.file("/ro/file", mode: 0o666)
        t.dir("/noexec", mode: 0o755)
        t.file("/noexec/tool", mode: 0o755)
        t.dir("/run", mode: 0o755)
        t.dir("/run/gvfs", mode: 0o755, uid: 1000, gid: 1000)
        t.dir("/tmp", mode: 0o1777)
        t.file("/tmp/theirs", mode: 0o666, uid: 1000)
        t.mounts += [
            MountFacts(mountPoint: "/ro", fsType: "ext4", mountOptions: ["ro"]),
            MountFacts(mountPoint: "/noexec", fsType: "ext4", mountOptions: ["noexec"]),
            MountFacts(mountPoint: "/run/gvfs", fsType: "fuse.gvfsd-fuse", superOptions: ["user_id=1000", "group_id=1000"]),
        ]
        return t
    }

    @Test(arguments: [
        ("/srv/open", Access.write, nil),
        ("/srv/closed", .read, DenialCause.permission),
        ("/srv/nothing", .read, .missing),
        ("/srv/open/x", .read, .notADirectory),
        ("/srv/frozen", .write, .immutable),
        ("/srv/journal", .write, .appendOnly),
        ("/ro/file", .write, .readOnlyMount),
        ("/noexec/tool", .execute, .noExecMount),
        ("/run/gvfs", .statfs, .fuseOwnerOnly),
        ("/tmp/theirs", .delete, .stickyDirectory),
    ] as [(String, Access, DenialCause?)])
    func cause(_ path: String, _ access: Access, _ expected: DenialCause?) {
        let d = AccessEvaluator(source: Self.tree).decide(path, access, for: Self.agent)
        #expect(d.cause == expected, "\(d.reason)")
        #expect((d.verdict == .granted) == (expected == nil))
    }

    @Test("only the permission cause is one a grant can lift; the mount refusals are the mount's")
    func whatAGrantCanLift() {
        #expect(DenialCause.allCases.filter(\.permissionCanHelp) == [.permission])
        #expect(Set(DenialCause.allCases.filter(\.isMountRefusal)) == [.fuseOwnerOnly, .readOnlyMount, .noExecMount, .noDevMount])
    }
}
