import PermauditCore

/// A file's capabilities as the kernel stores them in `security.capability` (`struct vfs_cap_data`):
/// a little-endian u32 `magic_etc` (revision in the top byte: 1, 2 or 3), then the permitted and
/// inheritable sets, low 32 bits and, from revision 2, high 32 bits (revision 3 adds the root uid).
enum FileCapabilityXattr {
    static let name = "security.capability"

    /// The permitted set; nil when empty or malformed.
    static func decode(_ bytes: [UInt8]) -> CapabilitySet? {
        func u32(_ o: Int) -> UInt32 {
            guard o + 4 <= bytes.count else { return 0 }
            return UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        guard bytes.count >= 12 else { return nil }
        let revision = u32(0) >> 24
        guard (1...3).contains(revision) else { return nil }
        let permitted = UInt64(u32(4)) | (revision >= 2 ? UInt64(u32(12)) << 32 : 0)
        var set = CapabilitySet()
        for n in 0...Capability.lastKnown where permitted & (1 << UInt64(n)) != 0 { set.insert(Capability(number: n)) }
        return set.isEmpty ? nil : set
    }
}
