import Glibc
import PermauditCore
import PermauditHost

/// A host made of facts in memory, for plans on situations a test cannot stage (another user's FUSE mount).
/// Its file system view is anchored at an empty folder that is removed at once, so sweeps and listings
/// through the door find nothing: blast radii come out empty.
struct ModelHost: Host {
    var objects: [String: FileFacts]
    var mountTable: MountTable
    var accounts: any Accounts = FileAccounts(passwd: "", group: "")

    var rootDescription: String { "model" }
    var protectedSysctls: ProtectedSysctls { ProtectedSysctls() }
    var securityModules: SecurityModules { SecurityModules() }
    var fileSystem: FileSystemView { Self.nothing }
    func lookup(_ path: RawPath) -> FactLookup { objects[path.display].map(FactLookup.found) ?? .missing }
    func isEmptyDirectory(_ path: RawPath) -> Bool? {
        let dir = path.display
        let prefix = dir == "/" ? "/" : dir + "/"
        return !objects.keys.contains { $0.hasPrefix(prefix) && $0 != dir }
    }

    /// A view of a folder made for it and removed again: its descriptor stays open on an empty, deleted directory.
    static let nothing: FileSystemView = {
        var template = Array("/tmp/permaudit-model-host-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp: errno \(errno)") }
        let folder = String(cString: made)
        defer { rmdir(folder) }
        do { return try FileSystemView(image: folder) } catch { fatalError("\(error)") }
    }()

    /// A desktop: the user 1000's private runtime folder (0700) and its gvfs FUSE mount without allow_other.
    static var desktop: ModelHost {
        func dir(_ mode: UInt16, _ uid: UInt32 = 0) -> FileFacts { FileFacts(type: .directory, uid: uid, gid: uid, mode: FileMode(mode)) }
        return ModelHost(
            objects: ["/": dir(0o755), "/run": dir(0o755), "/run/user": dir(0o755), "/run/user/1000": dir(0o700, 1000), "/run/user/1000/gvfs": dir(0o700, 1000)],
            mountTable: MountTable(mountinfo: """
                25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
                36 25 0:45 / /run/user/1000/gvfs rw,nosuid,nodev,relatime shared:2 - fuse.gvfsd-fuse gvfsd-fuse rw,user_id=1000,group_id=1000

                """))
    }
}
