import CStatx
import Glibc
import PermauditCore

/// The access ACL read straight from its extended attribute, without libacl: the fast path for sweeps.
/// libacl (`Syscalls.acl`) stays the reference; the tests compare the two.
enum RawACL {
    static let accessName = "system.posix_acl_access"

    /// Decodes `system.posix_acl_access` as the kernel stores it: a little-endian u32 version (2), then
    /// 8-byte entries `{u16 tag, u16 perm, u32 id}`. Nil for malformed data.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> AccessControlList? {
        guard bytes.count >= 4, (bytes.count - 4) % 8 == 0 else { return nil }
        func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 { UInt32(u16(o)) | UInt32(u16(o + 2)) << 16 }
        guard u32(0) == 2 else { return nil }
        var entries: [ACLEntry] = []
        var o = 4
        while o < bytes.count {
            let perms = Permissions(rawValue: UInt8(u16(o + 2) & 7))
            let id = u32(o + 4)
            switch u16(o) {
            case 0x01: entries.append(ACLEntry(.userObj, nil, perms))
            case 0x02: entries.append(ACLEntry(.user, id, perms))
            case 0x04: entries.append(ACLEntry(.groupObj, nil, perms))
            case 0x08: entries.append(ACLEntry(.group, id, perms))
            case 0x10: entries.append(ACLEntry(.mask, nil, perms))
            case 0x20: entries.append(ACLEntry(.other, nil, perms))
            default: return nil
            }
            o += 8
        }
        let acl = AccessControlList(entries: entries)
        return acl.isMinimal ? nil : acl
    }

    /// `lgetxattr(2)` of the access ACL; `.success(nil)` when the object has none (ENODATA).
    static func read(path: UnsafePointer<CChar>) -> Result<AccessControlList?, HostError> {
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                      UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let n = withUnsafeMutableBytes(of: &buffer) { lgetxattr(path, accessName, $0.baseAddress, $0.count) }
        if n >= 0 {
            return withUnsafeBytes(of: &buffer) { .success(decode(UnsafeRawBufferPointer(rebasing: $0[0..<n]))) }
        }
        let e = errno
        if e == ENODATA || e == EOPNOTSUPP { return .success(nil) }
        if e == ERANGE {
            // More than 15 entries: ask for the size, then read it whole.
            let size = lgetxattr(path, accessName, nil, 0)
            guard size > 0 else { return .failure(HostError("lgetxattr", path: String(cString: path), errno: errno)) }
            var big = [UInt8](repeating: 0, count: size)
            let m = big.withUnsafeMutableBytes { lgetxattr(path, accessName, $0.baseAddress, size) }
            guard m >= 0 else { return .failure(HostError("lgetxattr", path: String(cString: path), errno: errno)) }
            return big.withUnsafeBytes { .success(decode(UnsafeRawBufferPointer(rebasing: $0[0..<m]))) }
        }
        return .failure(HostError("lgetxattr", path: String(cString: path), errno: e))
    }
}
