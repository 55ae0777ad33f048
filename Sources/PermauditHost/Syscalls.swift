import Glibc
import CStatx
internal import CACL
internal import CCap
import PermauditCore

/// The C calls of the host layer that are not the file-system view's, each in one place. ACL and capability handles never leave this file:
/// they are copied into value types and freed at once.
enum Syscalls {
    /// The access or default ACL through libacl; nil when the object has none beyond its mode. The reference
    /// the raw xattr reader is tested against, and what `ACLWriter` checks a write with.
    /// The corresponding C function is `acl_get_file`.
    static func acl(_ path: String, isDefault: Bool) -> Result<AccessControlList?, HostError> {
        let type = acl_type_t(isDefault ? ACL_TYPE_DEFAULT : ACL_TYPE_ACCESS)
        guard let handle = acl_get_file(path, type) else {
            let e = errno
            if e == ENODATA || e == EOPNOTSUPP || e == ENOTSUP { return .success(nil) }
            return .failure(HostError("acl_get_file", path: path, code: e))
        }
        defer { acl_free(UnsafeMutableRawPointer(handle)) }
        var entries: [ACLEntry] = []
        var entry: acl_entry_t?
        var which = ACL_FIRST_ENTRY
        while acl_get_entry(handle, which, &entry) == 1, let e = entry {
            which = ACL_NEXT_ENTRY
            var tagValue = acl_tag_t(0)
            guard acl_get_tag_type(e, &tagValue) == 0 else { continue }
            var permset: acl_permset_t?
            guard acl_get_permset(e, &permset) == 0, let ps = permset else { continue }
            var perms = Permissions.none
            if acl_get_perm(ps, acl_perm_t(ACL_READ)) == 1 { perms.insert(.read) }
            if acl_get_perm(ps, acl_perm_t(ACL_WRITE)) == 1 { perms.insert(.write) }
            if acl_get_perm(ps, acl_perm_t(ACL_EXECUTE)) == 1 { perms.insert(.execute) }
            let tag: ACLEntry.Tag
            var qualifier: UInt32?
            switch tagValue {
            case ACL_USER_OBJ: tag = .userObj
            case ACL_GROUP_OBJ: tag = .groupObj
            case ACL_MASK: tag = .mask
            case ACL_OTHER: tag = .other
            case ACL_USER, ACL_GROUP:
                tag = tagValue == ACL_USER ? .user : .group
                if let q = acl_get_qualifier(e) {
                    qualifier = q.load(as: UInt32.self)
                    acl_free(q)
                }
            default: continue
            }
            entries.append(ACLEntry(tag, qualifier, perms))
        }
        let list = AccessControlList(entries: entries)
        if entries.isEmpty || (!isDefault && list.isMinimal) { return .success(nil) }
        return .success(list)
    }

    /// Reads a whole small kernel file (`/proc`, `/sys`): the running kernel's, never an image's.
    static func readSmallFile(_ path: String, limit: Int = 4 << 20) -> Result<[UInt8], HostError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(HostError("open", path: path, errno: .current)) }
        defer { close(fd) }
        return readAll(fd, limit: limit).mapError { HostError("read", path: path, errno: $0) }
    }

    /// Everything an open descriptor reads, up to `limit` bytes. The corresponding C function is `read`.
    static func readAll(_ fd: Int32, limit: Int) -> Result<[UInt8], Errno> {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
            if n < 0 {
                let e = Errno.current
                if e == .interrupted { continue }
                return .failure(e)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return .success(out)
    }
}

extension FileType {
    init?(mode: UInt16) {
        switch mode & 0o170000 {
        case 0o100000: self = .regular
        case 0o040000: self = .directory
        case 0o120000: self = .symlink
        case 0o020000: self = .characterDevice
        case 0o060000: self = .blockDevice
        case 0o010000: self = .fifo
        case 0o140000: self = .socket
        default: return nil
        }
    }
}
