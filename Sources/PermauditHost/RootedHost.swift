import Glibc
import PermauditCore

/// A host rooted at a folder: a mounted image, a container's root file system, a debootstrap tree.
/// Users and groups come from its own `etc/passwd` and `etc/group`; absolute symlinks resolve inside
/// the folder and `..` stops at its top — the kernel enforces it (`openat2` with `RESOLVE_IN_ROOT`),
/// so nothing read ever lies outside it.
public struct RootedHost: Host {
    public let root: String
    public let accounts: any Accounts
    public let mountTable: MountTable
    public let protectedSysctls: ProtectedSysctls
    public let securityModules: SecurityModules
    let reader: RootedFactReader

    /// - Throws: `HostError` when the folder cannot be used as a root.
    public init(root: String) throws(HostError) {
        var cleaned = root
        while cleaned.count > 1 && cleaned.hasSuffix("/") { cleaned.removeLast() }
        guard let real = realpath(cleaned, nil) else {
            throw HostError("open root", path: root, errno: errno, hint: "give --root an existing folder (a mounted image or container root)")
        }
        self.root = String(cString: real)
        free(real)
        guard case .success(let st) = Syscalls.lstatx(self.root), FileType(mode: st.stx_mode) == .directory else {
            throw HostError("open root", path: root, errno: ENOTDIR, hint: "--root must name a folder")
        }
        let reader = try RootedFactReader(root: self.root)
        self.reader = reader
        func text(_ path: String) -> String { (try? reader.read(path).get()).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        accounts = FileAccounts(passwd: text("/etc/passwd"), group: text("/etc/group"))
        if case .success(let b) = Syscalls.readSmallFile("/proc/self/mountinfo") {
            mountTable = MountTable(mountinfo: String(decoding: b, as: UTF8.self)).rerooted(at: self.root)
        } else {
            mountTable = MountTable()
        }
        protectedSysctls = KernelSettings.protectedSysctls()
        securityModules = SecurityModules()
    }

    public var rootDescription: String { root }
    public func lookup(_ path: String) -> FactLookup { reader.lookup(path) }
    public func realPath(_ path: String) -> String { path == "/" ? root : (root == "/" ? path : root + path) }
    public func listDirectory(_ path: String) -> Result<[String], HostError> { reader.list(path) }
    public func readTextFile(_ path: String) -> Result<String, HostError> {
        reader.read(path).map { String(decoding: $0, as: UTF8.self) }
    }
}
