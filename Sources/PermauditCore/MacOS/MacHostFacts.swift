/// What the macOS collector gathered, decoded: each item the value or the collector's reason it could not.
public struct MacHostFacts: Hashable, Sendable {
    /// `/var/log/system.log`.
    public var systemLog: MacFact<MacFileFacts>
    /// `/var/log/system.log.*`: the copies ASL or newsyslog rotated away.
    public var rotatedLogs: MacFact<[MacFileFacts]>
    public var agentUser: MacFact<MacUserFacts>
    public var agentGroup: MacFact<MacGroupFacts>
    public var adminGroup: MacFact<MacGroupFacts>
    /// `/etc/asl.conf` and `/etc/asl/*`: the lines that name system.log.
    public var aslConfig: MacFact<[MacConfigLines]>
    /// `/etc/newsyslog.conf` and `/etc/newsyslog.d/*`: the lines that name system.log.
    public var newsyslogConfig: MacFact<[MacConfigLines]>

    public init(
        systemLog: MacFact<MacFileFacts>, rotatedLogs: MacFact<[MacFileFacts]>, agentUser: MacFact<MacUserFacts>,
        agentGroup: MacFact<MacGroupFacts>, adminGroup: MacFact<MacGroupFacts>, aslConfig: MacFact<[MacConfigLines]>,
        newsyslogConfig: MacFact<[MacConfigLines]>
    ) {
        self.systemLog = systemLog
        self.rotatedLogs = rotatedLogs
        self.agentUser = agentUser
        self.agentGroup = agentGroup
        self.adminGroup = adminGroup
        self.aslConfig = aslConfig
        self.newsyslogConfig = newsyslogConfig
    }

    /// The agent as macOS judges it, when its user was read.
    public var identity: MacIdentity? {
        guard case .value(let u) = agentUser else { return nil }
        var names: [UInt32: String] = [:]
        var uuids: [UInt32: String] = [:]
        for g in u.groups {
            names[g.gid] = g.name
            if let id = g.uuid, !id.isEmpty { uuids[g.gid] = id }
        }
        if case .value(let a) = adminGroup, let gid = a.gid { names[gid] = names[gid] ?? a.name }
        let principal = Principal(
            uid: u.uid, gid: u.gid, groups: u.groups.map(\.gid), userName: u.name, groupNames: names, origin: "macOS facts (agent-user)")
        return MacIdentity(principal: principal, userUUID: u.uuid, groupUUIDs: uuids)
    }
}

/// One item: its value, or why the collector could not read it (or that it is absent).
public enum MacFact<Value: Hashable & Sendable>: Hashable, Sendable {
    case value(Value)
    case missing(String)

    public var value: Value? { if case .value(let v) = self { v } else { nil } }
    public var problem: String? { if case .missing(let why) = self { why } else { nil } }
}

public struct MacUserFacts: Hashable, Sendable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var uuid: String?
    public var groups: [MacGroupRef]
    public init(name: String, uid: UInt32, gid: UInt32, uuid: String?, groups: [MacGroupRef]) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.uuid = uuid
        self.groups = groups
    }
}

public struct MacGroupRef: Hashable, Sendable {
    public var name: String
    public var gid: UInt32
    public var uuid: String?
    public init(name: String, gid: UInt32, uuid: String?) {
        self.name = name
        self.gid = gid
        self.uuid = uuid
    }
}

public struct MacGroupFacts: Hashable, Sendable {
    public var name: String
    public var gid: UInt32?
    public var uuid: String?
    /// `dscl . -read /Groups/NAME GroupMembership`: the direct members by name.
    public var members: [String]
    /// `dseditgroup -o checkmember`: nested groups included; nil when it gave no answer.
    public var agentIsMember: Bool?
    public init(name: String, gid: UInt32?, uuid: String?, members: [String], agentIsMember: Bool?) {
        self.name = name
        self.gid = gid
        self.uuid = uuid
        self.members = members
        self.agentIsMember = agentIsMember
    }
}

/// The lines of one configuration file that name system.log, with their line numbers.
public struct MacConfigLines: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public var number: Int
        public var text: String
        public init(number: Int, text: String) {
            self.number = number
            self.text = text
        }
    }
    public var path: String
    public var lines: [Line]
    public init(path: String, lines: [Line]) {
        self.path = path
        self.lines = lines
    }
}
