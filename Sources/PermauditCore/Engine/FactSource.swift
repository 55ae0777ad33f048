/// What a lookup of one path found.
public enum FactLookup: Sendable, Hashable {
    case found(FileFacts)
    /// No such file or directory (ENOENT, or ENOTDIR on the way).
    case missing
    /// The auditing process itself could not look: the errno and a sentence.
    case unreadable(errno: Errno, reason: String)
}

/// Where the access engine gets its facts. The live host, a host rooted at a folder and an in-memory
/// model all answer the same questions; the decision itself never touches the disk. Paths are bytes,
/// as the kernel stores them: a name that is not UTF-8 is asked about as itself.
public protocol FactSource: Sendable {
    /// The facts of the object at an absolute path, not following a final symlink (`lstat`).
    /// Paths given here are already resolved: no symlinks in the directories above.
    func lookup(_ path: RawPath) -> FactLookup
    /// The mount an absolute, resolved path reaches (the last one made over it or over an ancestor).
    func mount(containing path: RawPath) -> MountFacts?
    var protectedSysctls: ProtectedSysctls { get }
    var securityModules: SecurityModules { get }
    func userName(_ uid: UInt32) -> String?
    func groupName(_ gid: UInt32) -> String?
    /// Whether a directory (absolute, resolved) holds no entries; nil when the source cannot tell.
    /// `rmdir` of a directory that holds entries fails with ENOTEMPTY even when every permission allows it.
    func isEmptyDirectory(_ path: RawPath) -> Bool?
    /// Whether a mount sits on this path (absolute, resolved), even one hidden by a later mount over an
    /// ancestor: unlink and rmdir refuse a mount point with EBUSY.
    func isMountPoint(_ path: RawPath) -> Bool

    // Conveniences for sources that only hold UTF-8 paths (test models, older code): a source implements
    // the byte-path version (the one the engine calls) or this one, which the byte version then forwards
    // to with the path's display text. Implement at least one of `lookup` and `mount(containing:)`.

    /// Convenience: `lookup` of a path given as text.
    func lookup(_ path: String) -> FactLookup
    /// Convenience: `mount(containing:)` of a path given as text.
    func mount(containing path: String) -> MountFacts?
    /// Convenience: `isEmptyDirectory` of a path given as text.
    func isEmptyDirectory(_ path: String) -> Bool?
    /// Convenience: `isMountPoint` of a path given as text.
    func isMountPoint(_ path: String) -> Bool
}

extension FactSource {
    public func userName(_ uid: UInt32) -> String? { nil }
    public func groupName(_ gid: UInt32) -> String? { nil }
    public func lookup(_ path: RawPath) -> FactLookup { lookup(path.display) }
    public func lookup(_ path: String) -> FactLookup { lookup(RawPath(path)) }
    public func mount(containing path: RawPath) -> MountFacts? { mount(containing: path.display) }
    public func mount(containing path: String) -> MountFacts? { mount(containing: RawPath(path)) }
    public func isEmptyDirectory(_ path: RawPath) -> Bool? { isEmptyDirectory(path.display) }
    public func isEmptyDirectory(_ path: String) -> Bool? { nil }
    public func isMountPoint(_ path: RawPath) -> Bool { isMountPoint(path.display) }
    public func isMountPoint(_ path: String) -> Bool { mount(containing: path)?.mountPoint == path }
}

/// Joins path components into an absolute path (`[]` is `/`).
@inlinable
public func absolutePath(_ components: [String]) -> String {
    components.isEmpty ? "/" : "/" + components.joined(separator: "/")
}

/// Splits a path into its non-empty components.
@inlinable
public func pathComponents(_ path: String) -> [String] {
    path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
}

/// One component of a path (bytes) and whether a `/` follows it (`a/b/` makes `b` a directory lookup).
struct PathComponent: Hashable, Sendable {
    var name: [UInt8]
    var slash: Bool

    /// Splits a path into components; repeated slashes count as one.
    static func split(_ path: RawPath) -> [PathComponent] {
        var out: [PathComponent] = []
        for part in path.bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if part.isEmpty {
                if let i = out.indices.last { out[i].slash = true }
                continue
            }
            out.append(PathComponent(name: Array(part), slash: false))
        }
        return out
    }
}
