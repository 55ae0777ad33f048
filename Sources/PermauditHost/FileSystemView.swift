import CStatx
import Glibc
import PermauditCore
import Synchronization

/// What a lookup reads beyond `statx`, `readlink` and the access ACL, for the few callers that use it.
public struct FactDetail: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// A directory's default ACL (`system.posix_acl_default`).
    public static let defaultACL = FactDetail(rawValue: 1)
    /// A regular file's capabilities (`security.capability`).
    public static let fileCapabilities = FactDetail(rawValue: 2)
}

/// The one door to a file system: every lookup, listing, ACL read, readlink, file read and sweep step
/// goes through here, relative to directory descriptors, with names as bytes.
///
/// Anchored at a descriptor opened once: the live host's `/`, or an image's folder. For an image every
/// path is resolved by the kernel with `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`: absolute
/// symlinks and `..` stop at the folder's top on every step, so no symlink, `..` chain or race can make
/// permaudit read outside it. Below an opened directory, names are single components opened with
/// `O_NOFOLLOW`, so a sweep never resolves a path at all.
public final class FileSystemView: Sendable {
    /// The anchor: an `O_PATH` descriptor on `/` or on the image's folder, open for the view's life.
    let rootFD: Int32
    /// An image: the kernel keeps every resolution inside `rootFD`.
    public let isConfined: Bool
    /// `/`, or the image folder's real path (for reports and for tools that need a real path).
    public let root: String

    /// The live host's file system, anchored at `/`.
    public static let live = FileSystemView()

    private init() {
        let fd = Glibc.open("/", openPathOnly | O_DIRECTORY | O_CLOEXEC)
        // `/` always opens (O_PATH needs no permission); a process without one cannot audit anything.
        precondition(fd >= 0, "cannot open / (errno \(Glibc.errno))")
        rootFD = fd
        isConfined = false
        root = "/"
    }

    /// An image or container root: a folder seen as `/`.
    /// - Throws: `HostError` when the folder cannot be opened or is not a directory.
    public init(image folder: String) throws(HostError) {
        // Opened once (the kernel resolves the name this one time); its real path is then the descriptor's.
        let fd = Glibc.open(folder, openPathOnly | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = Errno.current
            throw HostError("open root", path: folder, errno: e, hint: e == .notDirectory ? "--root must name a folder" : "give --root an existing folder (a mounted image or container root)")
        }
        rootFD = fd
        isConfined = true
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = Glibc.readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        root = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : folder
    }

    deinit { close(rootFD) }

    // MARK: - Opening

    /// Opens a path of this file system (absolute, as the host sees it). On an image the kernel resolves
    /// it inside the folder. Add `O_NOFOLLOW` to open a final symlink itself (with `O_PATH`).
    /// The corresponding C function is `openat2` (an image) or `openat` (the live host).
    public func open(_ path: RawPath, flags: Int32) -> Result<Int32, HostError> {
        RawPath.withCString(path.relativeToRoot) { rel in
            guard isConfined else {
                let fd = openat(rootFD, rel, flags | O_CLOEXEC)
                return fd < 0 ? .failure(HostError("open", path: path.display, errno: .current)) : .success(fd)
            }
            // openat2 answers EAGAIN when a `..` met a rename or mount anywhere on the system meanwhile
            // (it cannot then prove it stayed inside): asking again is what the kernel expects.
            for _ in 0..<1000 {
                let fd = permaudit_open_in_root(rootFD, rel, Int64(flags | O_CLOEXEC))
                if fd >= 0 { return .success(fd) }
                let e = Errno.current
                if e != .resourceTemporarilyUnavailable { return .failure(HostError("open", path: path.display, errno: e)) }
            }
            return .failure(HostError("open", path: path.display, errno: .resourceTemporarilyUnavailable, hint: "the kernel could not resolve it for renames racing with it; try again"))
        }
    }

    /// Opens one entry of an open directory as a directory, never following a symlink and never leaving
    /// the directory: the step of a sweep. The corresponding C function is `openat`.
    public func openDirectory(in dirFD: Int32, name: UnsafePointer<CChar>) -> Int32 {
        openat(dirFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    }

    // MARK: - Facts

    /// The facts of the object at a path, not following a final symlink (`lstat`): the directory above
    /// is opened through the door, and the object is read relative to it.
    public func lookup(_ path: RawPath, detail: FactDetail = []) -> FactLookup {
        if path.isRoot { return facts(in: rootFD, name: ".", path: path, detail: detail) }
        let name = path.lastComponent
        let dir: Int32
        switch open(path.parent, flags: openPathOnly | O_DIRECTORY) {
        case .success(let fd): dir = fd
        case .failure(let e): return e.lookup
        }
        defer { close(dir) }
        return RawPath.withCString(name) { facts(in: dir, name: $0, path: path, detail: detail) }
    }

    /// The one place that builds `FileFacts`: `statx`, `readlinkat` and the ACL xattr of `name` in the
    /// open directory `dirFD`, never following a final symlink. `path` is only for messages. A sweep that
    /// wants verdicts only passes `accessACL`: the access ACL is read when it says the ACL can matter (else
    /// `acl` stays nil, which is then no statement about the object).
    public func facts(in dirFD: Int32, name: UnsafePointer<CChar>, path: @autoclosure () -> RawPath, detail: FactDetail = [],
                      accessACL: ((FileFacts) -> Bool)? = nil) -> FactLookup {
        var st = statx()
        guard permaudit_lstatx(dirFD, name, &st) == 0 else {
            return HostError("stat", path: path().display, errno: .current).lookup
        }
        guard var facts = FileFacts(statx: st) else {
            return .unreadable(errno: .invalidArgument, reason: "\(path().display): unknown file type \(String(st.stx_mode, radix: 8))")
        }
        if facts.type == .symlink {
            switch readlink(in: dirFD, name: name, size: Int(st.stx_size)) {
            case .success(let target): facts.symlinkTarget = target
            case .failure(let e): return HostError("readlink", path: path().display, errno: e).lookup
            }
            return .found(facts)
        }
        if let accessACL, !accessACL(facts) { return .found(facts) }
        switch xattr(in: dirFD, name: name, RawACL.accessName) {
        case .success(let bytes): facts.acl = bytes.flatMap { RawACL.decode($0, isDefault: false) }
        case .failure(let e): return HostError("read ACL of", path: path().display, errno: e).lookup
        }
        if detail.contains(.defaultACL), facts.type == .directory {
            switch xattr(in: dirFD, name: name, RawACL.defaultName) {
            case .success(let bytes): facts.defaultACL = bytes.flatMap { RawACL.decode($0, isDefault: true) }
            case .failure(let e): return HostError("read default ACL of", path: path().display, errno: e).lookup
            }
        }
        if detail.contains(.fileCapabilities), facts.type == .regular {
            switch xattr(in: dirFD, name: name, FileCapabilityXattr.name) {
            case .success(let bytes): facts.fileCapabilities = bytes.flatMap(FileCapabilityXattr.decode)
            case .failure(let e): return HostError("read capabilities of", path: path().display, errno: e).lookup
            }
        }
        return .found(facts)
    }

    /// A symlink's target as stored, bytes kept. The corresponding C function is `readlinkat`.
    func readlink(in dirFD: Int32, name: UnsafePointer<CChar>, size: Int) -> Result<RawPath, Errno> {
        var capacity = max(size + 1, 256)
        while true {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
            defer { buffer.deallocate() }
            let n = readlinkat(dirFD, name, buffer, capacity)
            if n < 0 { return .failure(.current) }
            // A target that grew between statx and readlink: read again with more room.
            if n < capacity {
                return .success(buffer.withMemoryRebound(to: UInt8.self, capacity: n) { RawPath(bytes: Array(UnsafeBufferPointer(start: $0, count: n))) })
            }
            capacity *= 2
        }
    }

    /// Whether `getxattrat(2)` exists here (Linux 6.13); checked once, on the first ENOSYS.
    private static let hasGetxattrat = Atomic(true)

    /// An extended attribute of `name` in `dirFD`, not following a final symlink; nil when absent
    /// (ENODATA) or unsupported by the file system. With `getxattrat(2)` the kernel reads it relative
    /// to the directory; before 6.13 the fallback names it through the directory's descriptor
    /// (`/proc/self/fd/N/name`), never by a full path.
    func xattr(in dirFD: Int32, name: UnsafePointer<CChar>, _ attribute: String) -> Result<[UInt8]?, Errno> {
        var small = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                     UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let n = withUnsafeMutableBytes(of: &small) { getxattr(in: dirFD, name: name, attribute, $0.baseAddress, $0.count) }
        if n >= 0 { return .success(withUnsafeBytes(of: &small) { Array($0[0..<n]) }) }
        var e = Errno.current
        if e == .outOfRange {
            // Larger than 128 bytes (more than 15 ACL entries): ask for the size, then read it whole.
            let size = getxattr(in: dirFD, name: name, attribute, nil, 0)
            if size > 0 {
                var big = [UInt8](repeating: 0, count: size)
                let m = big.withUnsafeMutableBytes { getxattr(in: dirFD, name: name, attribute, $0.baseAddress, size) }
                if m >= 0 { return .success(Array(big[0..<m])) }
            }
            e = .current
        }
        if e == .noData || e == .notSupported { return .success(Optional<[UInt8]>.none) }
        return .failure(e)
    }

    private func getxattr(in dirFD: Int32, name: UnsafePointer<CChar>, _ attribute: String, _ buffer: UnsafeMutableRawPointer?, _ size: Int) -> Int {
        if Self.hasGetxattrat.load(ordering: .relaxed) {
            let n = permaudit_getxattrat(dirFD, name, attribute, buffer, UInt(size))
            if n >= 0 || Glibc.errno != ENOSYS { return n }
            Self.hasGetxattrat.store(false, ordering: .relaxed)
        }
        let through = "/proc/self/fd/\(dirFD)/" + String(cString: name)
        return lgetxattr(through, attribute, buffer, size)
    }

    // MARK: - Listing and reading

    /// The names in a directory as raw bytes, without `.` and `..`, sorted bytewise.
    public func listDirectory(_ path: RawPath) -> Result<[[UInt8]], HostError> {
        open(path, flags: O_RDONLY | O_DIRECTORY).flatMap { fd in
            defer { close(fd) }
            var names: [[UInt8]] = []
            let listed = DirectoryEntries.forEach(in: fd) { (name: UnsafeBufferPointer<UInt8>, _: UInt8) in names.append(Array(name)) }
            if case .failure(let e) = listed { return .failure(HostError("list", path: path.display, errno: e)) }
            return .success(names.sorted { $0.lexicographicallyPrecedes($1) })
        }
    }

    /// A small file's bytes (at most `limit`), opened through the door.
    public func readFile(_ path: RawPath, limit: Int = 4 << 20) -> Result<[UInt8], HostError> {
        open(path, flags: O_RDONLY | O_NONBLOCK).flatMap { fd in
            defer { close(fd) }
            return Syscalls.readAll(fd, limit: limit).mapError { HostError("read", path: path.display, errno: $0) }
        }
    }

    /// The path on this machine's file system that a host path names, for printing and for tools that
    /// need one (a script run against the image). Never used to read: reads go through the door.
    public func realPath(_ path: RawPath) -> RawPath {
        if !isConfined { return path }
        return path.isRoot ? RawPath(root) : RawPath(bytes: Array(root.utf8) + path.bytes)
    }

    // MARK: - String conveniences

    /// Convenience: `lookup` of a path given as text (valid UTF-8 names only).
    public func lookup(_ path: String, detail: FactDetail = []) -> FactLookup { lookup(RawPath(path), detail: detail) }
}

/// `O_PATH` (open for the name only), which Glibc's Swift module does not export.
let openPathOnly: Int32 = 0o10000000
