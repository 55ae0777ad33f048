/// What the host says about one object, read with `lstat` (links are not followed) and libacl.
public struct FileFacts: Hashable, Sendable, Codable {
    public var type: FileType
    public var uid: UInt32
    public var gid: UInt32
    public var mode: FileMode
    /// The access ACL when the object has an extended one; nil when the mode says it all.
    public var acl: AccessControlList?
    /// The default ACL of a directory, if any.
    public var defaultACL: AccessControlList?
    /// For a symlink: what it points to, as `readlink` returns it.
    public var symlinkTarget: RawPath?
    /// File capabilities (`security.capability`), permitted set, if any.
    public var fileCapabilities: CapabilitySet?
    public var isImmutable: Bool
    public var isAppendOnly: Bool
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// The id of the mount the object was reached through (mountinfo's first field), when the kernel said.
    public var mountID: Int?

    public init(
        type: FileType, uid: UInt32, gid: UInt32, mode: FileMode, acl: AccessControlList? = nil,
        defaultACL: AccessControlList? = nil, symlinkTarget: RawPath? = nil, fileCapabilities: CapabilitySet? = nil,
        isImmutable: Bool = false, isAppendOnly: Bool = false, device: UInt64 = 0, inode: UInt64 = 0, size: Int64 = 0,
        mountID: Int? = nil
    ) {
        self.type = type
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.acl = acl
        self.defaultACL = defaultACL
        self.symlinkTarget = symlinkTarget
        self.fileCapabilities = fileCapabilities
        self.isImmutable = isImmutable
        self.isAppendOnly = isAppendOnly
        self.device = device
        self.inode = inode
        self.size = size
        self.mountID = mountID
    }

    /// The ACL the kernel checks: the extended one, or the one the mode is equivalent to.
    public var effectiveACL: AccessControlList { acl ?? AccessControlList(mode: mode) }

    /// `drwxr-x---+` as `ls -l` prints it.
    public var modeString: String { String(type.letter) + mode.description + (acl != nil ? "+" : "") }
}
