import Glibc
import PermauditCore

/// A host rooted at a folder: a mounted image, a container's root file system, a debootstrap tree.
/// Users and groups come from its own `etc/passwd` and `etc/group`; absolute symlinks resolve inside
/// the folder and `..` stops at its top, so nothing read ever lies outside it.
public struct RootedHost: Host {
    public let root: String
    public let accounts: any Accounts
    public let mountTable: MountTable
    public let protectedSysctls: ProtectedSysctls
    public let securityModules: SecurityModules
    let reader: FactReader

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
        reader = FactReader(prefix: self.root == "/" ? "" : self.root)
        let passwd = (try? Self.read(self.root, "/etc/passwd")) ?? ""
        let group = (try? Self.read(self.root, "/etc/group")) ?? ""
        accounts = FileAccounts(passwd: passwd, group: group)
        if case .success(let b) = Syscalls.readSmallFile("/proc/self/mountinfo") {
            mountTable = MountTable(mountinfo: String(decoding: b, as: UTF8.self)).rerooted(at: self.root)
        } else {
            mountTable = MountTable(mounts: [])
        }
        protectedSysctls = KernelSettings.protectedSysctls()
        securityModules = SecurityModules()
    }

    private static func read(_ root: String, _ path: String) throws -> String {
        let host = FactReader(prefix: root)
        let resolved = try resolveInside(path, reader: host).get()
        return try Syscalls.readSmallFile(host.real(resolved)).map { String(decoding: $0, as: UTF8.self) }.get()
    }

    public var rootDescription: String { root }
    public func lookup(_ path: String) -> FactLookup { reader.lookup(path) }
    public func realPath(_ path: String) -> String { reader.real(path) }

    public func listDirectory(_ path: String) -> Result<[String], HostError> {
        resolveInside(path, reader: reader).flatMap { Syscalls.listDirectory(reader.real($0)) }
    }

    public func readTextFile(_ path: String) -> Result<String, HostError> {
        resolveInside(path, reader: reader).flatMap { Syscalls.readSmallFile(reader.real($0)).map { String(decoding: $0, as: UTF8.self) } }
    }
}

/// Resolves every symlink in a host path the way the kernel would inside a chroot: absolute targets
/// start again at the host's `/`, `..` never climbs above it.
func resolveInside(_ path: String, reader: FactReader) -> Result<String, HostError> {
    var resolved: [String] = []
    var pending = Array(pathComponents(path).reversed())
    var links = 0
    while let name = pending.popLast() {
        if name == "." { continue }
        if name == ".." {
            if !resolved.isEmpty { resolved.removeLast() }
            continue
        }
        let child = absolutePath(resolved + [name])
        if case .found(let f) = reader.lookup(child), f.type == .symlink, let target = f.symlinkTarget {
            links += 1
            if links > 40 { return .failure(HostError("resolve", path: path, errno: ELOOP)) }
            if target.hasPrefix("/") { resolved = [] }
            pending.append(contentsOf: pathComponents(target).reversed())
            continue
        }
        resolved.append(name)
    }
    return .success(absolutePath(resolved))
}
