import PermauditCore

/// An ACL as the kernel stores it in its extended attribute: how every reader of facts gets ACLs.
/// libacl (`ACLReference` in the tests) stays the reference the tests compare with.
enum RawACL {
    static let accessName = "system.posix_acl_access"
    static let defaultName = "system.posix_acl_default"

    /// Decodes `system.posix_acl_access` (or `_default`): a little-endian u32 version (2), then 8-byte
    /// entries `{u16 tag, u16 perm, u32 id}`. Nil for malformed data, and for an access ACL that says no
    /// more than the mode.
    static func decode(_ bytes: [UInt8], isDefault: Bool) -> AccessControlList? {
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
        if entries.isEmpty || (!isDefault && acl.isMinimal) { return nil }
        return acl
    }
}
