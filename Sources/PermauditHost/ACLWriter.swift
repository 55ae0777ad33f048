import Glibc
internal import CACL
import PermauditCore

/// What a fix expects to find at a path before it touches it: the same object that was planned.
public struct ObjectIdentity: Hashable, Sendable, Codable {
    public var type: FileType
    public var uid: UInt32
    public var gid: UInt32
    /// `major << 32 | minor`, as `FileFacts.device`.
    public var device: UInt64
    public var inode: UInt64

    public init(type: FileType, uid: UInt32, gid: UInt32, device: UInt64, inode: UInt64) {
        self.type = type
        self.uid = uid
        self.gid = gid
        self.device = device
        self.inode = inode
    }

    public init(_ facts: FileFacts) {
        self.init(type: facts.type, uid: facts.uid, gid: facts.gid, device: facts.device, inode: facts.inode)
    }

    /// The device as `stat -c %d` prints it (glibc's `makedev` encoding of `st_dev`).
    public var statDevice: UInt64 {
        let major = device >> 32, minor = device & 0xFFFF_FFFF
        return (minor & 0xFF) | ((major & 0xFFF) << 8) | ((minor & ~0xFF) << 12) | ((major & ~0xFFF) << 32)
    }
}

/// Writes access ACLs through libacl, onto exactly the object that was checked: the path is opened
/// with `O_PATH | O_NOFOLLOW`, the handle's identity compared with the plan's, and the ACL set through
/// `/proc/self/fd/N`, so a symlink or a file swapped in after the check is never written.
public enum ACLWriter {
    /// Why a write was refused or failed.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// The object is not the one planned (a symlink, another type, owner, device or inode).
        case changed(path: String, expected: ObjectIdentity, found: String)
        case system(HostError)

        public var description: String {
            switch self {
            case .changed(let path, let expected, let found):
                "\(path): not the object that was planned (expected \(expected.type.rawValue) uid \(expected.uid) device \(expected.device) inode \(expected.inode), found \(found)); left untouched: re-run `permaudit fix` to plan again"
            case .system(let e): e.description
            }
        }
    }

    /// The current access ACL of the object, the planned identity checked first.
    /// The minimal ACL (just the mode) when it has no extended entries.
    public static func currentACL(_ path: RawPath, in view: FileSystemView = .live, expecting identity: ObjectIdentity?) throws(Failure) -> AccessControlList {
        let fd = try open(path, in: view, expecting: identity)
        defer { close(fd) }
        return try read(fd, path)
    }

    /// Sets the access ACL of the object and returns the one it replaced.
    /// - Throws: `.changed` when the object is not the planned one; `.system` when libacl refuses.
    /// The corresponding C functions are `acl_from_text` and `acl_set_file`.
    @discardableResult
    public static func setACL(_ acl: AccessControlList, on path: RawPath, in view: FileSystemView = .live, expecting identity: ObjectIdentity?) throws(Failure) -> AccessControlList {
        let fd = try open(path, in: view, expecting: identity)
        defer { close(fd) }
        let previous = try read(fd, path)
        let text = acl.entries.map(shortText).joined(separator: ",")
        guard let handle = acl_from_text(text) else {
            throw .system(HostError("acl_from_text", path: path.display, errno: .current, hint: "ACL text '\(text)'"))
        }
        defer { acl_free(UnsafeMutableRawPointer(handle)) }
        guard acl_valid(handle) == 0 else {
            throw .system(HostError("acl_valid", path: path.display, errno: .current, hint: "ACL text '\(text)' is not a valid ACL"))
        }
        if acl_set_file(procPath(fd), acl_type_t(ACL_TYPE_ACCESS), handle) != 0 {
            throw .system(HostError("acl_set_file", path: path.display, errno: .current, hint: "is the file system mounted with ACL support, and are you root?"))
        }
        return previous
    }

    /// `u::rw-`, `g:1001:r--`, `m::r--`: the short text form with numeric ids, as `acl_from_text` reads it.
    public static func shortText(_ e: ACLEntry) -> String {
        let q = e.qualifier.map(String.init) ?? ""
        switch e.tag {
        case .userObj, .user: return "u:\(q):\(e.permissions)"
        case .groupObj, .group: return "g:\(q):\(e.permissions)"
        case .mask: return "m::\(e.permissions)"
        case .other: return "o::\(e.permissions)"
        }
    }

    /// The object's own descriptor (`O_PATH | O_NOFOLLOW`), opened through the view (inside an image's folder).
    static func open(_ path: RawPath, in view: FileSystemView, expecting identity: ObjectIdentity?) throws(Failure) -> Int32 {
        let fd: Int32
        switch view.open(path, flags: openPathOnly | O_NOFOLLOW) {
        case .success(let f): fd = f
        case .failure(let e):
            if e.errno == .tooManySymbolicLinkLevels, let identity { throw .changed(path: path.display, expected: identity, found: "a symbolic link") }
            throw .system(e)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = Errno.current
            close(fd)
            throw .system(HostError("fstat", path: path.display, errno: e))
        }
        guard let identity else { return fd }
        let type = FileType(mode: UInt16(truncatingIfNeeded: st.st_mode))
        let found = ObjectIdentity(
            type: type ?? .regular, uid: st.st_uid, gid: st.st_gid, device: identity.device, inode: UInt64(st.st_ino))
        if type != identity.type || st.st_uid != identity.uid || UInt64(st.st_dev) != identity.statDevice || UInt64(st.st_ino) != identity.inode {
            close(fd)
            let what = type == .symlink ? "a symbolic link" : "\(type?.rawValue ?? "unknown type") uid \(found.uid) st_dev \(st.st_dev) inode \(found.inode)"
            throw .changed(path: path.display, expected: identity, found: what)
        }
        return fd
    }

    static func read(_ fd: Int32, _ path: RawPath) throws(Failure) -> AccessControlList {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .system(HostError("fstat", path: path.display, errno: .current)) }
        switch Syscalls.acl(procPath(fd), isDefault: false) {
        case .success(let acl): return acl ?? AccessControlList(mode: FileMode(UInt16(truncatingIfNeeded: st.st_mode)))
        case .failure(let e): throw .system(e)
        }
    }

    /// The name of an open descriptor, for libacl calls that take a path: it cannot be redirected by a swapped path.
    static func procPath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }
}
