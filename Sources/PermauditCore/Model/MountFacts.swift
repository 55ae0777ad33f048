/// One mount, from `/proc/self/mountinfo`.
///
/// A value with its fields in one shared, copy-on-write box: a sweep hands the mount of every object it
/// meets to the judge, and a copy is then one reference, not seven strings and arrays. The flags the
/// judge asks of every object (read-only, noexec, nodev, FUSE owner only) are worked out once, when a
/// field is set, not by searching the option lists each time.
public struct MountFacts: Hashable, Sendable, Codable {
    private var storage: Storage

    public var mountPoint: String {
        get { storage.mountPoint }
        set { unique().mountPoint = newValue }
    }
    public var fsType: String {
        get { storage.fsType }
        set { unique().fsType = newValue; storage.settle() }
    }
    public var source: String {
        get { storage.source }
        set { unique().source = newValue }
    }
    /// Per-mount options (`ro`, `noexec`, `nosuid`, `nodev`, …).
    public var mountOptions: [String] {
        get { storage.mountOptions }
        set { unique().mountOptions = newValue; storage.settle() }
    }
    /// Filesystem options (`user_id=1000`, `allow_other`, `hidepid=2`, …).
    public var superOptions: [String] {
        get { storage.superOptions }
        set { unique().superOptions = newValue; storage.settle() }
    }
    /// The mount's id and its parent's id (mountinfo's first two fields): the mount this one was made on.
    /// Nil for a mount made by hand in a test, or a parent that is not in the table (the root's).
    public var id: Int? {
        get { storage.id }
        set { unique().id = newValue }
    }
    public var parentID: Int? {
        get { storage.parentID }
        set { unique().parentID = newValue }
    }
    /// The filesystem's `major:minor`; nil when unknown.
    public var device: String? {
        get { storage.device }
        set { unique().device = newValue }
    }
    /// The folder of the filesystem this mount shows at its point (`/` unless a bind of a subfolder).
    public var root: String {
        get { storage.root }
        set { unique().root = newValue }
    }

    public init(mountPoint: String, fsType: String, source: String = "", mountOptions: [String] = [], superOptions: [String] = [],
                id: Int? = nil, parentID: Int? = nil, device: String? = nil, root: String = "/") {
        storage = Storage(
            mountPoint: mountPoint, fsType: fsType, source: source, mountOptions: mountOptions, superOptions: superOptions,
            id: id, parentID: parentID, device: device, root: root)
    }

    public var isReadOnly: Bool { storage.isReadOnly }
    public var isNoExec: Bool { storage.isNoExec }
    public var isNoDev: Bool { storage.isNoDev }
    public var isFUSE: Bool { storage.isFUSE }
    public var allowsOther: Bool { superOptions.contains("allow_other") || mountOptions.contains("allow_other") }

    /// The value of an option `key=value` in either option list.
    public func option(_ key: String) -> String? { Storage.option(key, superOptions + mountOptions) }

    /// For a FUSE mount without `allow_other`: the only uid and gid the kernel lets in
    /// (fs/fuse `fuse_allow_current_process`). Nil when the mount lets everyone through to the permission check.
    public var fuseOwnerOnly: (uid: UInt32, gid: UInt32)? {
        guard let owner = storage.fuseOwnerOnly else { return nil }
        return (owner.uid, owner.gid)
    }

    /// The same mount in a box of its own: a sweep worker takes one, so that the reference counts it
    /// touches for every object are its own, not a line every core writes.
    public func unshared() -> MountFacts {
        var copy = self
        copy.storage = storage.copy()
        return copy
    }

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    public static func == (a: MountFacts, b: MountFacts) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(storage.fields) }

    private enum CodingKeys: String, CodingKey { case mountPoint, fsType, source, mountOptions, superOptions, id, parentID, device, root }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            mountPoint: try c.decode(String.self, forKey: .mountPoint), fsType: try c.decode(String.self, forKey: .fsType),
            source: try c.decode(String.self, forKey: .source), mountOptions: try c.decode([String].self, forKey: .mountOptions),
            superOptions: try c.decode([String].self, forKey: .superOptions), id: try c.decodeIfPresent(Int.self, forKey: .id),
            parentID: try c.decodeIfPresent(Int.self, forKey: .parentID), device: try c.decodeIfPresent(String.self, forKey: .device),
            root: try c.decode(String.self, forKey: .root))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mountPoint, forKey: .mountPoint)
        try c.encode(fsType, forKey: .fsType)
        try c.encode(source, forKey: .source)
        try c.encode(mountOptions, forKey: .mountOptions)
        try c.encode(superOptions, forKey: .superOptions)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(parentID, forKey: .parentID)
        try c.encodeIfPresent(device, forKey: .device)
        try c.encode(root, forKey: .root)
    }

    /// The box. Mutated only when uniquely referenced (copy on write), so sharing it across threads is safe.
    private final class Storage: @unchecked Sendable {
        var mountPoint: String
        var fsType: String
        var source: String
        var mountOptions: [String]
        var superOptions: [String]
        var id: Int?
        var parentID: Int?
        var device: String?
        var root: String
        private(set) var isReadOnly = false
        private(set) var isNoExec = false
        private(set) var isNoDev = false
        private(set) var isFUSE = false
        private(set) var fuseOwnerOnly: (uid: UInt32, gid: UInt32)?

        init(mountPoint: String, fsType: String, source: String, mountOptions: [String], superOptions: [String],
             id: Int?, parentID: Int?, device: String?, root: String) {
            self.mountPoint = mountPoint
            self.fsType = fsType
            self.source = source
            self.mountOptions = mountOptions
            self.superOptions = superOptions
            self.id = id
            self.parentID = parentID
            self.device = device
            self.root = root
            settle()
        }

        func copy() -> Storage {
            Storage(mountPoint: mountPoint, fsType: fsType, source: source, mountOptions: mountOptions, superOptions: superOptions,
                    id: id, parentID: parentID, device: device, root: root)
        }

        /// Works the flags out again from the options and the type.
        func settle() {
            isReadOnly = mountOptions.contains("ro") || superOptions.contains("ro")
            isNoExec = mountOptions.contains("noexec")
            isNoDev = mountOptions.contains("nodev")
            isFUSE = fsType == "fuse" || fsType.hasPrefix("fuse.") || fsType == "fuseblk"
            let allowsOther = superOptions.contains("allow_other") || mountOptions.contains("allow_other")
            let options = superOptions + mountOptions
            if isFUSE, !allowsOther, let u = Self.option("user_id", options).flatMap(UInt32.init),
               let g = Self.option("group_id", options).flatMap(UInt32.init) {
                fuseOwnerOnly = (u, g)
            } else {
                fuseOwnerOnly = nil
            }
        }

        static func option(_ key: String, _ options: [String]) -> String? {
            for o in options where o.hasPrefix(key + "=") { return String(o.dropFirst(key.count + 1)) }
            return nil
        }

        /// Every field, for equality and hashing.
        var fields: Fields {
            Fields(mountPoint: mountPoint, fsType: fsType, source: source, mountOptions: mountOptions, superOptions: superOptions,
                   id: id, parentID: parentID, device: device, root: root)
        }
    }

    private struct Fields: Hashable {
        var mountPoint: String, fsType: String, source: String, mountOptions: [String], superOptions: [String]
        var id: Int?, parentID: Int?, device: String?, root: String
    }
}
