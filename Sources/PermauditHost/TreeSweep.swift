import Glibc
import PermauditCore

/// One object a sweep met.
public struct SweptObject: Sendable {
    /// The host path as raw bytes (file names may be any bytes but `/` and NUL).
    public let path: [UInt8]
    public let facts: FileFacts
    public let mount: MountFacts?
    public let depth: Int
    /// The directory holding it and its mount (nil for the sweep's start).
    public var parent: FileFacts? = nil
    public var parentMount: MountFacts? = nil
    /// The host path as a `RawPath`.
    /// What the one judge (`SweepJudge`) needs of it.
    public var reached: SweepJudge.Reached {
        SweepJudge.Reached(path: rawPath, facts: facts, mount: mount, parent: parent, parentMount: parentMount)
    }
    public var rawPath: RawPath { RawPath(bytes: path) }
    /// The path for people: bytes that are not UTF-8 shown as `\xNN`.
    public var displayPath: String { RawPath(bytes: path).display }
}

/// What a sweep reports.
public enum SweepEvent: Sendable {
    case object(SweptObject)
    /// permaudit itself could not look at this path (an unreadable directory): the answer below it is unknown.
    case unreadable(path: [UInt8], error: HostError)
}

/// Walks a tree depth-first, physically (symlinks are reported, never followed), as a user of the host's
/// `FileSystemView`: the start is opened through the door (inside an image's folder), and below it every
/// step is relative to an open directory — `getdents64` for the names, `statx`, `readlinkat` and the ACL
/// xattr relative to the directory, each child opened with `O_NOFOLLOW` — so no full path is ever
/// resolved again, however deep the tree. The caller decides which directories to enter, so a sweep for
/// one principal prunes every subtree that principal cannot search.
public struct TreeSweep: Sendable {
    public let host: any Host
    /// Stay on the file system of the starting point (`find -xdev`).
    public var oneFileSystem: Bool
    /// Objects that vanished between listing and looking (not errors: a live host changes).
    public internal(set) var vanished = 0
    /// When set, an object's access ACL is read only when this says it can matter (`SweepJudge.needsACL`);
    /// the objects' `acl` is then no statement about the objects that were not asked.
    public var readsACL: (@Sendable (_ uid: UInt32, _ mode: FileMode, _ isDirectory: Bool) -> Bool)?

    public init(host: any Host, oneFileSystem: Bool = false) {
        self.host = host
        self.oneFileSystem = oneFileSystem
    }

    /// - Parameters:
    ///   - start: an absolute, resolved host path (no symlinks on the way).
    ///   - visit: called for every event, depth-first, in bytewise name order; for a directory object,
    ///     return true to enter it.
    public mutating func run(from start: RawPath, visit: (SweepEvent) -> Bool) {
        withoutActuallyEscaping(visit) { visit in
            var visitor = ClosureVisitor(body: visit)
            guard let top = opening(start, visitor: &visitor, note: ()) else { return }
            var path = top.path
            var found = 0
            walk(host.fileSystem, top, path: &path, visitor: &visitor, pool: nil, vanished: &found)
            vanished += found
        }
    }

    /// The start of a sweep: its facts, visited, and the directory opened when it is to be entered.
    func opening<V: SweepVisitor>(_ start: RawPath, visitor: inout V, note: V.Note) -> Pending<V.Note>? {
        let view = host.fileSystem
        Self.raiseDescriptorLimit()
        // The directory holding the start, opened through the door; the start is then one name in it.
        let parentFD: Int32
        let name: [UInt8]
        if start.isRoot {
            guard case .success(let fd) = view.open(start, flags: openPathOnly | O_DIRECTORY) else { return nil }
            parentFD = fd
            name = [UInt8(ascii: ".")]
        } else {
            switch view.open(start.parent, flags: openPathOnly | O_DIRECTORY) {
            case .success(let fd): parentFD = fd
            case .failure(let e):
                if e.errno != .noSuchFileOrDirectory { _ = visitor.visit(.unreadable(path: start.bytes, error: e), in: note) }
                return nil
            }
            name = start.lastComponent
        }
        defer { close(parentFD) }
        let facts: FileFacts
        switch RawPath.withCString(name, { view.facts(in: parentFD, name: $0, path: start) }) {
        case .found(let f): facts = f
        case .missing: return nil
        case .unreadable(let errno, let reason):
            _ = visitor.visit(.unreadable(path: start.bytes, error: HostError("look at", path: start.display, errno: errno, hint: reason)), in: note)
            return nil
        }
        let mount = host.mount(containing: start)
        let object = SweptObject(path: start.bytes, facts: facts, mount: mount, depth: 0)
        guard let entered = visitor.visit(.object(object), in: note), facts.type == .directory else { return nil }
        let fd = RawPath.withCString(name) { view.openDirectory(in: parentFD, name: $0) }
        guard fd >= 0 else {
            _ = visitor.visit(.unreadable(path: start.bytes, error: HostError("open", path: start.display, errno: .current)), in: note)
            return nil
        }
        return Pending(fd: fd, path: start.isRoot ? [] : start.bytes, facts: facts, mount: mount, depth: 1, note: entered)
    }

    /// Convenience: a sweep from a path given as text.
    public mutating func run(from start: String, visit: (SweepEvent) -> Bool) { run(from: RawPath(start), visit: visit) }

    /// One open directory of the sweep: its descriptor, its names, how far the sweep is through them.
    private struct Level<Note> {
        let fd: Int32
        /// The directory's own facts.
        let facts: FileFacts
        var names: NameList
        var next = 0
        /// The length of the directory's path in the path buffer.
        let base: Int
        let device: UInt64
        let mountID: Int?
        let mount: MountFacts?
        let depth: Int
        /// What the visitor kept of this directory when it entered it.
        let note: Note
    }

    /// A directory's names in one buffer, each NUL-terminated (so the kernel takes it as it lies, with no
    /// copy per name), and where each starts, in bytewise order.
    struct NameList {
        var bytes: [UInt8] = []
        var entries: [(start: Int, count: Int)] = []

        /// Calls `body` with the name NUL-terminated, as C wants it.
        func withCName<R>(_ entry: (start: Int, count: Int), _ body: (UnsafePointer<CChar>) -> R) -> R {
            bytes.withUnsafeBufferPointer { buffer in
                // Never nil: an entry lies inside the buffer.
                guard let base = buffer.baseAddress else { preconditionFailure("empty name buffer") }
                return UnsafeRawPointer(base + entry.start).withMemoryRebound(to: CChar.self, capacity: entry.count + 1) { body($0) }
            }
        }

        /// Appends the name's bytes to `path`.
        func append(_ entry: (start: Int, count: Int), to path: inout [UInt8]) {
            bytes.withUnsafeBufferPointer { path.append(contentsOf: UnsafeBufferPointer(rebasing: $0[entry.start..<(entry.start + entry.count)])) }
        }

        /// Sorts the entries bytewise (a prefix first), as `[UInt8].lexicographicallyPrecedes` orders them.
        mutating func sort() {
            let bytes = self.bytes
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                entries.sort { a, b in
                    let c = memcmp(base + a.start, base + b.start, min(a.count, b.count))
                    return c != 0 ? c < 0 : a.count < b.count
                }
            }
        }
    }

    /// Lists an open directory (closing it when it cannot be listed): its names, bytewise sorted.
    private func names<V: SweepVisitor>(of fd: Int32, path: [UInt8], visitor: inout V, note: V.Note, sorted: Bool = true) -> NameList? {
        var names = NameList()
        let listed = DirectoryEntries.forEach(in: fd) { (name: UnsafeBufferPointer<UInt8>, _: UInt8) in
            names.entries.append((start: names.bytes.count, count: name.count))
            names.bytes.append(contentsOf: name)
            names.bytes.append(0)
        }
        if case .failure(let e) = listed {
            close(fd)
            _ = visitor.visit(.unreadable(path: path.isEmpty ? [UInt8(ascii: "/")] : path, error: HostError("list", path: RawPath(bytes: path).display, errno: e)), in: note)
            return nil
        }
        if sorted { names.sort() }
        return names
    }

    /// A directory the sweep is to enter, opened: its descriptor, host path (empty for `/`), facts, mount.
    struct Pending<Note: Sendable>: Sendable {
        let fd: Int32
        let path: [UInt8]
        let facts: FileFacts
        let mount: MountFacts?
        let depth: Int
        /// What the visitor kept of the directory when it entered it.
        let note: Note
    }

    /// Sweeps the open directory of `item` (closed here), with an explicit stack of levels, not recursion:
    /// a tree thousands of levels deep needs no deep call stack. With a pool, a directory to enter is
    /// offered to the pool first (another worker may take it) and descended into here only when the
    /// pool is full.
    func walk<V: SweepVisitor>(_ view: FileSystemView, _ item: Pending<V.Note>, path: inout [UInt8], visitor: inout V, pool: SweepPool<V.Note>?, vanished: inout Int) {
        path = item.path
        let aclFilter = readsACL.map { wants in { (f: FileFacts) in wants(f.uid, f.mode, f.type == .directory) } }
        // One thread walks in bytewise name order; a pool's order is no order anyway (`--sort` sorts at the end).
        let inOrder = pool == nil
        guard let first = names(of: item.fd, path: path, visitor: &visitor, note: item.note, sorted: inOrder) else { return }
        // A worker of a pool takes the mount in a box of its own (no reference count shared across cores).
        let mount = pool == nil ? item.mount : item.mount?.unshared()
        // The directory being listed, and the ones above it waiting (no copy of a level per object).
        var level = Level(fd: item.fd, facts: item.facts, names: first, base: path.count, device: item.facts.device, mountID: item.facts.mountID, mount: mount, depth: item.depth, note: item.note)
        var above: [Level<V.Note>] = []
        while true {
            guard level.next < level.names.entries.count else {
                close(level.fd)
                guard let up = above.popLast() else { break }
                level = up
                continue
            }
            let name = level.names.entries[level.next]
            level.next += 1
            path.removeSubrange(level.base...)
            path.append(UInt8(ascii: "/"))
            level.names.append(name, to: &path)
            let here = path
            let facts: FileFacts
            switch level.names.withCName(name, { view.facts(in: level.fd, name: $0, path: RawPath(bytes: here), accessACL: aclFilter) }) {
            case .found(let f): facts = f
            case .missing:
                vanished += 1
                continue
            case .unreadable(let errno, let reason):
                _ = visitor.visit(.unreadable(path: path, error: HostError("look at", path: RawPath(bytes: path).display, errno: errno, hint: reason)), in: level.note)
                continue
            }
            // A mount of the same filesystem (a bind, a read-only remount) keeps the device: the mount id tells.
            var mountHere = level.mount
            // Without mount ids (kernels before 5.8), a path in the mount table is a mount's top.
            if facts.device != level.device || facts.mountID != level.mountID
                || (facts.mountID == nil && host.mountTable.mountPoints.contains(RawPath(bytes: path).display)) {
                mountHere = facts.mountID.flatMap(host.mountTable.mount(id:)) ?? host.mount(containing: RawPath(bytes: path))
            }
            let entered = visitor.visit(.object(SweptObject(path: path, facts: facts, mount: mountHere, depth: level.depth, parent: level.facts, parentMount: level.mount)), in: level.note)
            guard let entered, facts.type == .directory, !(oneFileSystem && facts.device != level.device) else { continue }
            let child = level.names.withCName(name) { view.openDirectory(in: level.fd, name: $0) }
            if child < 0 {
                let e = Errno.current
                if e == .noSuchFileOrDirectory { vanished += 1; continue }
                _ = visitor.visit(.unreadable(path: path, error: HostError("open", path: RawPath(bytes: path).display, errno: e)), in: level.note)
                continue
            }
            if let pool, pool.offer(Pending(fd: child, path: path, facts: facts, mount: mountHere, depth: level.depth + 1, note: entered)) { continue }
            guard let childNames = names(of: child, path: path, visitor: &visitor, note: entered, sorted: inOrder) else { continue }
            let deeper = Level(fd: child, facts: facts, names: childNames, base: path.count, device: facts.device, mountID: facts.mountID, mount: mountHere, depth: level.depth + 1, note: entered)
            above.append(level)
            level = deeper
        }
    }

    /// A deep tree holds one descriptor per level: take the hard limit on open files.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
