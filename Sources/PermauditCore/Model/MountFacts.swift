/// One mount, from `/proc/self/mountinfo`.
public struct MountFacts: Hashable, Sendable, Codable {
    public var mountPoint: String
    public var fsType: String
    public var source: String
    /// Per-mount options (`ro`, `noexec`, `nosuid`, `nodev`, …).
    public var mountOptions: [String]
    /// Filesystem options (`user_id=1000`, `allow_other`, `hidepid=2`, …).
    public var superOptions: [String]
    /// The mount's id and its parent's id (mountinfo's first two fields): the mount this one was made on.
    /// Nil for a mount made by hand in a test, or a parent that is not in the table (the root's).
    public var id: Int?
    public var parentID: Int?
    /// The filesystem's `major:minor`; nil when unknown.
    public var device: String?
    /// The folder of the filesystem this mount shows at its point (`/` unless a bind of a subfolder).
    public var root: String

    public init(mountPoint: String, fsType: String, source: String = "", mountOptions: [String] = [], superOptions: [String] = [],
                id: Int? = nil, parentID: Int? = nil, device: String? = nil, root: String = "/") {
        self.mountPoint = mountPoint
        self.fsType = fsType
        self.source = source
        self.mountOptions = mountOptions
        self.superOptions = superOptions
        self.id = id
        self.parentID = parentID
        self.device = device
        self.root = root
    }

    public var isReadOnly: Bool { mountOptions.contains("ro") || superOptions.contains("ro") }
    public var isNoExec: Bool { mountOptions.contains("noexec") }
    public var isNoDev: Bool { mountOptions.contains("nodev") }
    public var isFUSE: Bool { fsType == "fuse" || fsType.hasPrefix("fuse.") || fsType == "fuseblk" }
    public var allowsOther: Bool { superOptions.contains("allow_other") || mountOptions.contains("allow_other") }

    /// The value of an option `key=value` in either option list.
    public func option(_ key: String) -> String? {
        for o in superOptions + mountOptions where o.hasPrefix(key + "=") { return String(o.dropFirst(key.count + 1)) }
        return nil
    }

    /// For a FUSE mount without `allow_other`: the only uid and gid the kernel lets in
    /// (fs/fuse `fuse_allow_current_process`). Nil when the mount lets everyone through to the permission check.
    public var fuseOwnerOnly: (uid: UInt32, gid: UInt32)? {
        guard isFUSE, !allowsOther, let u = option("user_id").flatMap(UInt32.init), let g = option("group_id").flatMap(UInt32.init)
        else { return nil }
        return (u, g)
    }
}
