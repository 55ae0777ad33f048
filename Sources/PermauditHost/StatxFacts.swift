import CStatx
import Glibc
import PermauditCore

extension FileFacts {
    /// Type, owner, group, mode, immutable/append-only attributes and identity from a statx record;
    /// nil for a file type the model does not know. ACLs, capabilities and link targets come separately.
    init?(statx st: statx) {
        guard let type = FileType(mode: st.stx_mode) else { return nil }
        self.init(
            type: type, uid: st.stx_uid, gid: st.stx_gid, mode: FileMode(st.stx_mode),
            isImmutable: st.stx_attributes & UInt64(STATX_ATTR_IMMUTABLE) != 0,
            isAppendOnly: st.stx_attributes & UInt64(STATX_ATTR_APPEND) != 0,
            device: UInt64(st.stx_dev_major) << 32 | UInt64(st.stx_dev_minor), inode: st.stx_ino,
            size: Int64(bitPattern: st.stx_size),
            mountID: st.stx_mask & UInt32(STATX_MNT_ID) != 0 ? Int(st.stx_mnt_id) : nil)
    }

    /// Adds what `statx` does not say: the access ACL (libacl), the default ACL of a directory and the
    /// capabilities of a regular file (libcap), read through `path` — a real path, or
    /// `/proc/self/fd/N` for a handle already opened on the object. Throws when the ACL cannot be read:
    /// then the answer about the object is unknown, never a guess.
    mutating func addAccessControl(readingThrough path: String) throws(HostError) {
        switch Syscalls.acl(path, isDefault: false) {
        case .success(let a): acl = a
        case .failure(let e): throw e
        }
        if type == .directory, case .success(let d) = Syscalls.acl(path, isDefault: true) { defaultACL = d }
        if type == .regular { fileCapabilities = Syscalls.fileCapabilities(path) }
    }
}
