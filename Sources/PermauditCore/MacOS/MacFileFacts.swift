/// What a macOS collector read about one file: `stat` (not following the last symlink) and `ls -le`.
public struct MacFileFacts: Hashable, Sendable, Codable {
    public var path: String
    public var type: FileType
    public var uid: UInt32
    public var gid: UInt32
    /// Names as `stat -f %Su` / `%Sg` print them (the number when it has no name).
    public var owner: String
    public var group: String
    public var mode: FileMode
    public var device: UInt64
    public var inode: UInt64
    public var acl: MacACL

    public init(
        path: String, type: FileType, uid: UInt32, gid: UInt32, owner: String, group: String, mode: FileMode,
        device: UInt64, inode: UInt64, acl: MacACL
    ) {
        self.path = path
        self.type = type
        self.uid = uid
        self.gid = gid
        self.owner = owner
        self.group = group
        self.mode = mode
        self.device = device
        self.inode = inode
        self.acl = acl
    }

    /// `-rw-r-----+` as `ls -le` prints it (`+` when an extended ACL is present).
    public var modeString: String { String(type.letter) + mode.description + (acl.isEmpty ? "" : "+") }
}

/// The principal as macOS sees it: ids, names, and the UUIDs (GeneratedUID) ACL entries may name.
public struct MacIdentity: Hashable, Sendable, Codable {
    public var principal: Principal
    /// The user's GeneratedUID (`dscl . -read /Users/NAME GeneratedUID`), upper-case.
    public var userUUID: String?
    /// Each group's GeneratedUID, by gid, upper-case.
    public var groupUUIDs: [UInt32: String]

    public init(principal: Principal, userUUID: String? = nil, groupUUIDs: [UInt32: String] = [:]) {
        self.principal = principal
        self.userUUID = userUUID?.uppercased()
        self.groupUUIDs = groupUUIDs.mapValues { $0.uppercased() }
    }

    /// The well-known UUID of the `everyone` group (membership.h), which every principal is in.
    public static let everyoneUUID = "ABCDEFAB-CDEF-ABCD-EFAB-CDEF0000000C"
}
