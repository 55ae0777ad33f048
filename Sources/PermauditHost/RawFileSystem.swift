import Glibc
import CStatx
import PermauditCore

/// The host's file system by raw path bytes: listing, facts and globbing that never repair invalid UTF-8.
/// Used by fix plans, whose scripts must name exactly the file that was listed.
public enum RawFileSystem {
    /// The names in a directory as raw bytes, without `.` and `..`, sorted bytewise.
    /// The corresponding C function is `readdir`.
    public static func listDirectory(_ path: RawPath) -> Result<[[UInt8]], HostError> {
        let dir = path.withCString { opendir($0) }
        guard let dir else { return .failure(HostError("opendir", path: path.display, errno: errno)) }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return .success(names.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// The facts of the object at a raw path, not following a final symlink (as `FactSource.lookup`).
    public static func lookup(_ path: RawPath) -> FactLookup {
        var st = statx()
        let rc = path.withCString { permaudit_lstatx(AT_FDCWD, $0, &st) }
        if rc != 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return .missing }
            let err = HostError("stat", path: path.display, errno: e)
            return .unreadable(errno: err.errnoName, reason: err.description)
        }
        guard var facts = FileFacts(statx: st) else {
            return .unreadable(errno: "EINVAL", reason: "\(path.display): unknown file type \(st.stx_mode)")
        }
        if facts.type == .symlink {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = path.withCString { Glibc.readlink($0, &buffer, buffer.count - 1) }
            if n >= 0 { facts.symlinkTarget = RawPath(bytes: buffer[0..<n].map { UInt8(bitPattern: $0) }).display }
            return .found(facts)
        }
        let opened = openPathOnly(path)
        guard case .success(let fd) = opened else {
            if case .failure(let e) = opened { return e.errno == ENOENT ? .missing : .unreadable(errno: e.errnoName, reason: e.description) }
            return .missing
        }
        defer { close(fd) }
        do {
            try facts.addAccessControl(readingThrough: procPath(fd))
        } catch {
            return .unreadable(errno: error.errnoName, reason: "\(path.display): \(error.description)")
        }
        return .found(facts)
    }

    /// Expands a glob in the last component (`/var/log/auth.log*`) by listing its directory; a path
    /// without glob characters is returned as it is, whether it exists or not.
    public static func expand(_ pattern: RawPath) -> Result<[RawPath], HostError> {
        let last = pattern.lastComponent
        let globChars: Set<UInt8> = [UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "[")]
        guard last.contains(where: globChars.contains) else { return .success([pattern]) }
        let dir = pattern.parent
        return listDirectory(dir).map { names in
            names.filter { name in
                // Like the shell: a leading dot must be matched explicitly.
                if name.first == UInt8(ascii: "."), last.first != UInt8(ascii: ".") { return false }
                return fnmatchBytes(last, name)
            }.map { dir.appending($0) }
        }
    }

    /// `fnmatch(3)` on raw bytes.
    public static func fnmatchBytes(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        RawPath(bytes: pattern).withCString { p in RawPath(bytes: name).withCString { n in fnmatch(p, n, 0) == 0 } }
    }

    /// `open(O_PATH | O_NOFOLLOW)`: a handle on exactly this object, usable for `fstat` and, through
    /// `/proc/self/fd/N`, for ACL calls that cannot be redirected by a swapped path.
    static func openPathOnly(_ path: RawPath) -> Result<Int32, HostError> {
        let fd = path.withCString { open($0, oPath | O_NOFOLLOW | O_CLOEXEC) }
        if fd < 0 { return .failure(HostError("open", path: path.display, errno: errno)) }
        return .success(fd)
    }

    /// `O_PATH` (Linux), which Glibc's Swift overlay does not export.
    static let oPath: Int32 = 0o10000000

    static func procPath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }
}

extension RawPath {
    /// Calls `body` with the bytes NUL-terminated, as C wants a path.
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var terminated = bytes.map { CChar(bitPattern: $0) }
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer in
            // Never nil: the buffer holds at least the terminating NUL.
            guard let base = buffer.baseAddress else { preconditionFailure("empty C string buffer") }
            return try body(base)
        }
    }
}
