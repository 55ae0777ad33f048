import CStatx
import Glibc
import PermauditCore

/// One object a sweep met.
public struct SweptObject: Sendable {
    /// The host path as raw bytes (file names may be any bytes but `/` and NUL).
    public let path: [UInt8]
    public let facts: FileFacts
    public let mount: MountFacts?
    public let depth: Int
    /// The path for people: invalid UTF-8 shown as U+FFFD.
    public var displayPath: String { String(decoding: path, as: UTF8.self) }
}

/// What a sweep reports.
public enum SweepEvent: Sendable {
    case object(SweptObject)
    /// permaudit itself could not look at this path (an unreadable directory): the answer below it is unknown.
    case unreadable(path: [UInt8], error: HostError)
}

/// Walks a tree depth-first, physically (symlinks are reported, never followed), with `statx` relative
/// to the open directory and the ACL read straight from its xattr: one pass, no path re-resolution.
/// The caller decides which directories to enter, so a sweep for one principal prunes every subtree
/// that principal cannot search.
public struct TreeSweep: Sendable {
    public let host: any Host
    /// Stay on the file system of the starting point (`find -xdev`).
    public var oneFileSystem: Bool
    /// Objects that vanished between listing and looking (not errors: a live host changes).
    public private(set) var vanished = 0

    public init(host: any Host, oneFileSystem: Bool = false) {
        self.host = host
        self.oneFileSystem = oneFileSystem
    }

    /// - Parameters:
    ///   - start: an absolute, resolved host path (no symlinks on the way).
    ///   - visit: called for every event; for a directory object, return true to enter it.
    public mutating func run(from start: String, visit: (SweepEvent) -> Bool) {
        let hostPath = Array(start.utf8)
        let real = Array(host.realPath(start).utf8)
        // The part of a real path before the host path: the folder of a rooted host, nothing on the live one.
        let top = host.realPath("/")
        let prefixLength = top == "/" ? 0 : top.utf8.count
        var cpath = real.map { CChar(bitPattern: $0) } + [0]
        var st = statx()
        guard permaudit_lstatx(AT_FDCWD, &cpath, &st) == 0 else {
            if errno != ENOENT { _ = visit(.unreadable(path: hostPath, error: HostError("stat", path: start, errno: errno))) }
            return
        }
        let mount = host.mount(containing: start)
        let facts: FileFacts
        switch Self.facts(st, cpath: &cpath) {
        case .success(let f): facts = f
        case .failure(let e):
            _ = visit(.unreadable(path: hostPath, error: e))
            return
        case nil: return
        }
        let object = SweptObject(path: hostPath, facts: facts, mount: mount, depth: 0)
        guard visit(.object(object)), facts.type == .directory else { return }
        let fd = open(&cpath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            _ = visit(.unreadable(path: hostPath, error: HostError("open", path: start, errno: errno)))
            return
        }
        var buffer = real
        walk(fd: fd, path: &buffer, prefixLength: prefixLength, device: facts.device, mountID: facts.mountID, mount: mount, depth: 1, visit: visit)
    }

    private mutating func walk(fd: Int32, path: inout [UInt8], prefixLength: Int, device: UInt64, mountID: Int?, mount: MountFacts?, depth: Int, visit: (SweepEvent) -> Bool) {
        guard let dir = fdopendir(fd) else {
            close(fd)
            return
        }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [46] || name == [46, 46] { continue }
            names.append(name)
        }
        names.sort { $0.lexicographicallyPrecedes($1) }
        let dfd = dirfd(dir)
        let base = path.count
        for name in names {
            path.removeSubrange(base...)
            if path.last != UInt8(ascii: "/") { path.append(UInt8(ascii: "/")) }
            path.append(contentsOf: name)
            var cname = name.map { CChar(bitPattern: $0) } + [0]
            var st = statx()
            if permaudit_lstatx(dfd, &cname, &st) != 0 {
                if errno == ENOENT { vanished += 1; continue }
                _ = visit(.unreadable(path: Array(path[prefixLength...]), error: HostError("stat", path: String(decoding: path, as: UTF8.self), errno: errno)))
                continue
            }
            var cpath = path.map { CChar(bitPattern: $0) } + [0]
            let hostPath = Array(path[prefixLength...])
            let facts: FileFacts
            switch Self.facts(st, cpath: &cpath) {
            case .success(let f): facts = f
            case .failure(let e):
                _ = visit(.unreadable(path: hostPath, error: e))
                continue
            case nil:
                vanished += 1
                continue
            }
            // A mount of the same filesystem (a bind, a read-only remount) keeps the device: the mount id tells.
            var here = mount
            // Without mount ids (kernels before 5.8), a path in the mount table is a mount's top.
            if facts.device != device || facts.mountID != mountID
                || (facts.mountID == nil && host.mountTable.mountPoints.contains(String(decoding: hostPath, as: UTF8.self))) {
                here = facts.mountID.flatMap(host.mountTable.mount(id:)) ?? host.mount(containing: String(decoding: hostPath, as: UTF8.self))
            }
            let object = SweptObject(path: hostPath, facts: facts, mount: here, depth: depth)
            let enter = visit(.object(object))
            guard enter, facts.type == .directory, !(oneFileSystem && facts.device != device) else { continue }
            let child = openat(dfd, &cname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if child < 0 {
                if errno == ENOENT { vanished += 1; continue }
                _ = visit(.unreadable(path: hostPath, error: HostError("open", path: String(decoding: path, as: UTF8.self), errno: errno)))
                continue
            }
            walk(fd: child, path: &path, prefixLength: prefixLength, device: facts.device, mountID: facts.mountID, mount: here, depth: depth + 1, visit: visit)
        }
        path.removeSubrange(base...)
    }

    /// Facts from a statx record and the raw ACL xattr; nil when the object vanished meanwhile, a failure
    /// when its ACL could not be read (then the answer for it is unknown, never a guess).
    static func facts(_ st: statx, cpath: inout [CChar]) -> Result<FileFacts, HostError>? {
        guard var facts = FileFacts(statx: st) else { return nil }
        if facts.type != .symlink {
            switch RawACL.read(path: &cpath) {
            case .success(let acl): facts.acl = acl
            case .failure(let e): return e.errno == ENOENT ? nil : .failure(e)
            }
        }
        return .success(facts)
    }
}
