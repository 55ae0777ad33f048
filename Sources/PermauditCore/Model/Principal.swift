/// Who is judged: a uid, a primary gid, the full supplementary group list and the effective capabilities.
public struct Principal: Hashable, Sendable, Codable, CustomStringConvertible {
    public var uid: UInt32
    public var gid: UInt32
    /// Supplementary groups (the primary group may or may not be listed; membership checks include it).
    public var groups: [UInt32]
    public var capabilities: CapabilitySet
    /// The user's name where known (`elastic-agent-user`).
    public var userName: String?
    /// Group names where known, by gid.
    public var groupNames: [UInt32: String]
    /// Where this principal came from: `--user`, `--pid 123`, `unit foo.service`, `planned`.
    public var origin: String
    /// A principal that does not exist yet (preflight): it holds no ACL entries and no other groups.
    public var isPlanned: Bool
    /// A Windows account judged from a facts file: its SID (uid and gid are then unused, 0).
    public var sid: String?
    /// The SIDs in that account's token, with names where the facts give them.
    public var groupSIDs: [String]
    public var sidNames: [String: String]

    public init(
        uid: UInt32, gid: UInt32, groups: [UInt32] = [], capabilities: CapabilitySet = .empty,
        userName: String? = nil, groupNames: [UInt32: String] = [:], origin: String = "numbers", isPlanned: Bool = false,
        sid: String? = nil, groupSIDs: [String] = [], sidNames: [String: String] = [:]
    ) {
        self.sid = sid
        self.groupSIDs = groupSIDs
        self.sidNames = sidNames
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.capabilities = capabilities
        self.userName = userName
        self.groupNames = groupNames
        self.origin = origin
        self.isPlanned = isPlanned
    }

    /// The kernel's `in_group_p`: the fsgid or any supplementary group.
    public func isMember(of gid: UInt32) -> Bool { gid == self.gid || groups.contains(gid) }

    /// Every group the principal is in, primary first, without repeats.
    public var allGroups: [UInt32] {
        var seen: Set<UInt32> = [gid]
        return [gid] + groups.filter { seen.insert($0).inserted }
    }

    public func name(ofGroup gid: UInt32) -> String { groupNames[gid].map { "\(gid)(\($0))" } ?? "\(gid)" }
    public var userLabel: String { userName.map { "\(uid)(\($0))" } ?? "\(uid)" }

    /// `uid=1001(elastic-agent-user) gid=1001(elastic-agent) groups=4(adm) caps=none`, like `id`.
    public var description: String {
        if let sid {
            let label = { (s: String) in sidNames[s].map { "\(s)(\($0))" } ?? s }
            return "sid=\(label(sid)) groups=\(groupSIDs.map(label).joined(separator: ","))"
        }
        let groupList = allGroups.map(name(ofGroup:)).joined(separator: ",")
        return "uid=\(userLabel) gid=\(name(ofGroup: gid)) groups=\(groupList) caps=\(capabilities)"
            + (isPlanned ? " (planned)" : "")
    }
}
