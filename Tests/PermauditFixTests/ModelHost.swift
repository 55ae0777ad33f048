import PermauditCore
import PermauditHost

/// A host made of facts in memory, for plans on situations a test cannot stage (another user's FUSE mount).
/// Its folder does not exist on disk, so sweeps find nothing below it: blast radii come out empty.
struct ModelHost: Host {
    var objects: [String: FileFacts]
    var mountTable: MountTable
    var accounts: any Accounts = FileAccounts(passwd: "", group: "")

    var rootDescription: String { "model" }
    var protectedSysctls: ProtectedSysctls { ProtectedSysctls() }
    var securityModules: SecurityModules { SecurityModules() }
    func lookup(_ path: String) -> FactLookup { objects[path].map(FactLookup.found) ?? .missing }
    func listDirectory(_ path: String) -> Result<[String], HostError> {
        let prefix = path == "/" ? "/" : path + "/"
        return .success(objects.keys.filter { $0.hasPrefix(prefix) && $0 != path && !$0.dropFirst(prefix.count).contains("/") }
            .map { String($0.dropFirst(prefix.count)) }.sorted())
    }
    func readTextFile(_ path: String) -> Result<String, HostError> { .failure(HostError("open", path: path, errno: 2)) }
    func realPath(_ path: String) -> String { "/nonexistent-permaudit-model-host" + path }

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
