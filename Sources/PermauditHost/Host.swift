import PermauditCore

/// A host permaudit can audit: the facts the access engine needs, plus what rules read
/// (directory listings, small text files, accounts, mounts). Every read of its files goes through
/// its one `FileSystemView`.
public protocol Host: FactSource {
    /// `/` for the live host, the folder for a rooted one: for reports.
    var rootDescription: String { get }
    var accounts: any Accounts { get }
    var mountTable: MountTable { get }
    /// The door every read of this host's files goes through.
    var fileSystem: FileSystemView { get }
}

extension Host {
    public var rootDescription: String { fileSystem.root }
    public func lookup(_ path: RawPath) -> FactLookup { fileSystem.lookup(path) }
    /// The names in a directory as bytes, sorted bytewise (a path inside the host; symlinks on the way resolve inside it).
    public func listDirectory(_ path: RawPath) -> Result<[[UInt8]], HostError> { fileSystem.listDirectory(path) }
    /// A small text file's content (a path inside the host; symlinks on the way resolve inside it).
    public func readTextFile(_ path: RawPath) -> Result<String, HostError> {
        fileSystem.readFile(path).map { String(decoding: $0, as: UTF8.self) }
    }
    /// The path on this machine's file system that a host path names (for printing, and for tools that need a real path).
    public func realPath(_ path: RawPath) -> RawPath { fileSystem.realPath(path) }

    public func mount(containing path: RawPath) -> MountFacts? { mountTable.mount(containing: path.display) }
    public func isMountPoint(_ path: RawPath) -> Bool { mountTable.isMountPoint(path.display) }
    public func userName(_ uid: UInt32) -> String? { accounts.user(uid: uid)?.name }
    public func groupName(_ gid: UInt32) -> String? { accounts.group(gid: gid)?.name }
    /// Listed through the host, so a rooted host stays inside its folder.
    public func isEmptyDirectory(_ path: RawPath) -> Bool? {
        guard case .success(let names) = listDirectory(path) else { return nil }
        return names.isEmpty
    }

    // MARK: String conveniences (valid UTF-8 paths), forwarding to the byte-path versions.

    /// Convenience: the names in a directory as text (names that are not UTF-8 shown as `\xNN`).
    public func listDirectory(_ path: String) -> Result<[String], HostError> {
        listDirectory(RawPath(path)).map { $0.map { RawPath(bytes: $0).display } }
    }
    /// Convenience: `readTextFile` of a path given as text.
    public func readTextFile(_ path: String) -> Result<String, HostError> { readTextFile(RawPath(path)) }
    /// Convenience: `realPath` of a path given as text.
    public func realPath(_ path: String) -> String { realPath(RawPath(path)).display }
    /// Convenience: the mount a path given as text reaches.
    public func mount(containing path: String) -> MountFacts? { mountTable.mount(containing: path) }
    /// Convenience: whether a mount sits on a path given as text.
    public func isMountPoint(_ path: String) -> Bool { mountTable.isMountPoint(path) }

    /// `/etc/os-release` as key/value pairs (quotes removed); empty when absent.
    public var osRelease: [String: String] {
        guard case .success(let text) = readTextFile(RawPath("/etc/os-release")) ?? readTextFile(RawPath("/usr/lib/os-release")) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            var value = String(line[line.index(after: eq)...])
            if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f { value = String(value.dropFirst().dropLast()) }
            out[String(line[..<eq])] = value
        }
        return out
    }
}

extension Result where Success == String, Failure == HostError {
    static func ?? (a: Result, b: @autoclosure () -> Result) -> Result {
        if case .success = a { return a }
        return b()
    }
}

/// Reads the `fs.protected_*` sysctls and the MAC layers from the running kernel.
enum KernelSettings {
    static func protectedSysctls() -> ProtectedSysctls {
        func value(_ name: String) -> Int {
            guard case .success(let b) = Syscalls.readSmallFile("/proc/sys/fs/protected_\(name)") else { return 0 }
            return Int(String(decoding: b, as: UTF8.self).trimmingCharacters(in: " \n")) ?? 0
        }
        return ProtectedSysctls(symlinks: value("symlinks"), hardlinks: value("hardlinks"), regular: value("regular"), fifos: value("fifos"))
    }

    static func securityModules(pid: Int32? = nil) -> SecurityModules {
        var selinux = SecurityModules.SELinux.disabled
        if case .success(let b) = Syscalls.readSmallFile("/sys/fs/selinux/enforce") {
            selinux = String(decoding: b, as: UTF8.self).hasPrefix("1") ? .enforcing : .permissive
        }
        var apparmor = false
        if case .success(let b) = Syscalls.readSmallFile("/sys/module/apparmor/parameters/enabled") {
            apparmor = String(decoding: b, as: UTF8.self).hasPrefix("Y")
        }
        var label: String?
        if apparmor, let pid {
            for file in ["/proc/\(pid)/attr/apparmor/current", "/proc/\(pid)/attr/current"] {
                if case .success(let b) = Syscalls.readSmallFile(file) {
                    label = String(decoding: b, as: UTF8.self).trimmingCharacters(in: " \n\0")
                    break
                }
            }
        }
        return SecurityModules(selinux: selinux, appArmorEnabled: apparmor, appArmorLabel: label)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
