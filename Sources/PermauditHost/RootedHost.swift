import PermauditCore

/// A host rooted at a folder: a mounted image, a container's root file system, a debootstrap tree.
/// Users and groups come from its own `etc/passwd` and `etc/group`; absolute symlinks resolve inside
/// the folder and `..` stops at its top — the kernel enforces it (`openat2` with `RESOLVE_IN_ROOT`, in
/// its `FileSystemView`), so nothing read ever lies outside it.
public struct RootedHost: Host {
    /// The folder's real path.
    public var root: String { fileSystem.root }
    public let accounts: any Accounts
    public let mountTable: MountTable
    public let protectedSysctls: ProtectedSysctls
    public let securityModules: SecurityModules
    public let fileSystem: FileSystemView

    /// - Throws: `HostError` when the folder cannot be used as a root.
    public init(root: String) throws(HostError) {
        let view = try FileSystemView(image: root)
        fileSystem = view
        func text(_ path: String) -> String { (try? view.readFile(RawPath(path)).get()).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        accounts = FileAccounts(passwd: text("/etc/passwd"), group: text("/etc/group"))
        // The mounts are the running kernel's (its /proc, not the image's), seen from inside the folder.
        if case .success(let b) = Syscalls.readSmallFile("/proc/self/mountinfo") {
            mountTable = MountTable(mountinfo: String(decoding: b, as: UTF8.self)).rerooted(at: view.root)
        } else {
            mountTable = MountTable()
        }
        protectedSysctls = KernelSettings.protectedSysctls()
        securityModules = SecurityModules()
    }
}
