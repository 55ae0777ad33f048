import CStatx
import Glibc
import PermauditCore

extension FileFacts {
    /// Type, owner, group, mode, immutable/append-only attributes and identity from a statx record;
    /// nil for a file type the model does not know. ACLs, capabilities and link targets come
    /// from `FileSystemView.facts(in:name:)`, the one place that builds facts.
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
}
