import CStatx
import Glibc
import PermauditCore

/// Reads facts inside a folder as if it were `/`, through `openat2(RESOLVE_IN_ROOT)`: the kernel resolves
/// every path against the folder, so no symlink, `..` or race can make permaudit read outside it.
/// ACLs and capabilities are then read through the descriptor's `/proc/self/fd` name.
/// `openPathOnly` (open for the name only), which Glibc's Swift module does not export.
let openPathOnly: Int32 = 0o10000000

final class RootedFactReader: Sendable {
    let rootFD: Int32

    init(root: String) throws(HostError) {
        let fd = open(root, openPathOnly | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw HostError("open root", path: root, errno: errno) }
        rootFD = fd
    }

    deinit { close(rootFD) }

    /// Opens a host path inside the root. `O_PATH|O_NOFOLLOW` opens a final symlink itself.
    func openInside(_ path: String, flags: Int32) -> Result<Int32, HostError> {
        let relative = path == "/" ? "." : String(path.drop(while: { $0 == "/" }))
        let fd = permaudit_open_in_root(rootFD, relative, Int64(flags | O_CLOEXEC))
        if fd < 0 { return .failure(HostError("open", path: path, errno: errno)) }
        return .success(fd)
    }

    func lookup(_ path: String) -> FactLookup {
        let fd: Int32
        switch openInside(path, flags: openPathOnly | O_NOFOLLOW) {
        case .success(let f): fd = f
        case .failure(let e):
            if e.errno == ENOENT || e.errno == ENOTDIR { return .missing }
            return .unreadable(errno: e.errnoName, reason: e.description)
        }
        defer { close(fd) }
        var st = statx()
        guard permaudit_fstatx(fd, &st) == 0 else {
            let e = HostError("stat", path: path, errno: errno)
            return .unreadable(errno: e.errnoName, reason: e.description)
        }
        guard var facts = FileFacts(statx: st) else {
            return .unreadable(errno: "EINVAL", reason: "\(path): unknown file type \(st.stx_mode)")
        }
        if facts.type == .symlink {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlinkat(fd, "", &buffer, buffer.count - 1)
            guard n >= 0 else {
                let e = HostError("readlink", path: path, errno: errno)
                return .unreadable(errno: e.errnoName, reason: e.description)
            }
            facts.symlinkTarget = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .found(facts)
        }
        do {
            try facts.addAccessControl(readingThrough: "/proc/self/fd/\(fd)")
        } catch {
            return .unreadable(errno: error.errnoName, reason: "\(path): \(error.description)")
        }
        return .found(facts)
    }

    /// A small file's bytes, opened inside the root.
    func read(_ path: String) -> Result<[UInt8], HostError> {
        openInside(path, flags: O_RDONLY).flatMap { fd in
            defer { close(fd) }
            return Syscalls.readSmallFile("/proc/self/fd/\(fd)").mapError { _ in HostError("read", path: path, errno: errno) }
        }
    }

    /// A directory's names, opened inside the root.
    func list(_ path: String) -> Result<[String], HostError> {
        openInside(path, flags: O_RDONLY | O_DIRECTORY).flatMap { fd in
            defer { close(fd) }
            return Syscalls.listDirectory("/proc/self/fd/\(fd)").mapError { _ in HostError("list", path: path, errno: errno) }
        }
    }
}
