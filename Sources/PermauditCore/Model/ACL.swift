/// One entry of a POSIX ACL.
public struct ACLEntry: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Tag: String, Hashable, Sendable, Codable {
        case userObj = "user_obj", user, groupObj = "group_obj", group, mask, other
        /// The order the kernel keeps entries in (and checks them in).
        var order: Int {
            switch self {
            case .userObj: 0
            case .user: 1
            case .groupObj: 2
            case .group: 3
            case .mask: 4
            case .other: 5
            }
        }
    }

    public var tag: Tag
    /// The uid of a `user` entry or the gid of a `group` entry; nil for the others.
    public var qualifier: UInt32?
    public var permissions: Permissions

    public init(_ tag: Tag, _ qualifier: UInt32? = nil, _ permissions: Permissions) {
        self.tag = tag
        self.qualifier = qualifier
        self.permissions = permissions
    }

    /// `user:1001:r--`, with numeric ids as `getfacl -n` prints them.
    public var description: String {
        let q = qualifier.map(String.init) ?? ""
        switch tag {
        case .userObj, .user: return "user:\(q):\(permissions)"
        case .groupObj, .group: return "group:\(q):\(permissions)"
        case .mask: return "mask::\(permissions)"
        case .other: return "other::\(permissions)"
        }
    }
}

/// A POSIX access control list, its entries in the kernel's order.
public struct AccessControlList: Hashable, Sendable, Codable, CustomStringConvertible {
    public private(set) var entries: [ACLEntry]

    public init(entries: [ACLEntry]) {
        self.entries = entries.sorted { ($0.tag.order, $0.qualifier ?? 0) < ($1.tag.order, $1.qualifier ?? 0) }
    }

    /// The minimal ACL that a plain mode is equivalent to.
    public init(mode: FileMode) {
        self.init(entries: [ACLEntry(.userObj, nil, mode.owner), ACLEntry(.groupObj, nil, mode.group), ACLEntry(.other, nil, mode.other)])
    }

    public var mask: Permissions? { entries.first { $0.tag == .mask }?.permissions }
    public var hasNamedEntries: Bool { entries.contains { $0.tag == .user || $0.tag == .group } }
    /// An ACL with only the three base entries says nothing the mode does not.
    public var isMinimal: Bool { entries.count <= 3 && mask == nil }

    public func entry(_ tag: ACLEntry.Tag, _ qualifier: UInt32? = nil) -> ACLEntry? {
        entries.first { $0.tag == tag && $0.qualifier == qualifier }
    }

    /// Sets (adds or replaces) an entry; the mask is not recomputed here (see `recomputingMask()`).
    public func setting(_ entry: ACLEntry) -> AccessControlList {
        var list = entries.filter { !($0.tag == entry.tag && $0.qualifier == entry.qualifier) }
        list.append(entry)
        return AccessControlList(entries: list)
    }

    /// The mask `setfacl -m` computes: the union of the group class (named users, owning group, named groups).
    public func recomputingMask() -> AccessControlList {
        guard hasNamedEntries || mask != nil else { return self }
        var union = Permissions.none
        for e in entries where e.tag == .user || e.tag == .groupObj || e.tag == .group { union.formUnion(e.permissions) }
        return setting(ACLEntry(.mask, nil, union))
    }

    /// The entries one per line, numeric ids (`getfacl -n` without the header).
    public var description: String { entries.map(\.description).joined(separator: "\n") }
}
