import PermauditCore
import PermauditHost

/// An ordered list of changes that turn failing findings into passing ones, each with its blast radius.
public struct FixPlan: Sendable, Hashable {
    public enum Strategy: String, Sendable, Hashable, CaseIterable, Codable {
        /// A named-group ACL entry on the object, search on the ancestors that block.
        case acl
        /// Membership of a group that already has access (the broad fix the docs suggest).
        case group
        /// A capability for the service (`AmbientCapabilities=`).
        case capability
    }

    public var principal: Principal
    public var strategy: Strategy
    /// What was asked: each object and access, and the decision before the plan.
    public var targets: [FixTarget]
    public var steps: [FixStep]
    /// Targets no permission can fix, with the configuration fix instead.
    public var unresolved: [Unresolved]
    /// Objects the principal can use after the plan that it could not before (the plan's whole effect on it).
    public var gained: [AccessChange]
    /// A short stable id: the name of the state folder the script keeps its backups in.
    public var id: String

    public struct Unresolved: Sendable, Hashable {
        /// What is not fixed: a path of this host, or something that is not a path.
        public enum Object: Sendable, Hashable {
            case path(RawPath)
            /// The agent's service: a unit setting the plan cannot write without `--unit`.
            case service
            /// Not a path of this host (another platform's object, a volume): as the finding names it.
            case named(String)

            public var display: String {
                switch self {
                case .path(let p): p.display
                case .service: "the agent's service"
                case .named(let n): n
                }
            }
        }

        public var object: Object
        public var access: Access
        public var reason: String
        public var configurationFix: String

        public init(object: Object, access: Access, reason: String, configurationFix: String) {
            self.object = object
            self.access = access
            self.reason = reason
            self.configurationFix = configurationFix
        }

        public init(path: RawPath, access: Access, reason: String, configurationFix: String) {
            self.init(object: .path(path), access: access, reason: reason, configurationFix: configurationFix)
        }

        /// The path, when the object is one.
        public var path: RawPath? {
            if case .path(let p) = object { return p }
            return nil
        }

        /// `read /var/log/x` for a path; the object alone for a service or another platform's object.
        public var subject: String {
            if case .path(let p) = object { return "\(access.rawValue) \(p.display)" }
            return object.display
        }
    }
}

/// One object and access the principal needs.
public struct FixTarget: Sendable, Hashable {
    public var path: RawPath
    public var access: Access
    /// The rule that asked for it, when it came from an audit.
    public var ruleID: String?
    /// Why it is in the plan: `asked`, or `rotated copy of /var/log/auth.log`.
    public var origin: String
    public var before: AccessDecision
    public var after: AccessDecision?

    public init(path: RawPath, access: Access, ruleID: String? = nil, origin: String = "asked", before: AccessDecision, after: AccessDecision? = nil) {
        self.path = path
        self.access = access
        self.ruleID = ruleID
        self.origin = origin
        self.before = before
        self.after = after
    }
}

/// One change of the plan.
public struct FixStep: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// Replace the access ACL of one object.
        case setACL(ACLChange)
        /// Replace a configuration file's content (a logrotate stanza that re-applies the grant).
        case editFile(FileEdit)
        /// Write a new file (a systemd drop-in, a re-apply helper); removed by the rollback.
        case writeFile(NewFile)
        /// Add a user to a group (`usermod -a -G`).
        case addToGroup(user: String, group: String, gid: UInt32)
    }

    public var number: Int
    public var action: Action
    /// Why this step is needed.
    public var why: String
    /// The exact change, in words and as the command an admin would type.
    public var change: String
    /// Every other principal and object whose access changes.
    public var blastRadius: BlastRadius
    /// How the change persists (log rotation, restarts).
    public var persistence: String?
    /// What must happen after (a service restart).
    public var followUp: String?
}

public struct ACLChange: Sendable, Hashable {
    public var path: RawPath
    public var identity: ObjectIdentity
    public var before: AccessControlList
    public var after: AccessControlList
    /// The entry that grants (`group:1001:r--`).
    public var entry: ACLEntry
    /// Existing entries whose effective rights the new mask widens (empty when the mask is kept narrow).
    public var widened: [WidenedEntry]
}

public struct WidenedEntry: Sendable, Hashable {
    public var entry: ACLEntry
    public var before: Permissions
    public var after: Permissions
}

public struct FileEdit: Sendable, Hashable {
    public var path: RawPath
    public var before: [UInt8]
    public var after: [UInt8]
}

public struct NewFile: Sendable, Hashable {
    public var path: RawPath
    public var content: [UInt8]
    public var mode: UInt16
}

/// Who gains or loses what because of a step.
public struct BlastRadius: Sendable, Hashable {
    public var changes: [AccessChange]
    /// Plain-language notes (the mask, what a group also opens).
    public var notes: [String]
    public init(changes: [AccessChange] = [], notes: [String] = []) {
        self.changes = changes
        self.notes = notes
    }

    /// How many of the objects a change also opens are named one by one in the notes.
    static let listedLimit = 100

    /// The notes on what a broad change opens: the figure (the sentence the audit prints too), then the
    /// objects beyond the asked ones by name.
    static func opensNotes(_ opened: [AccessChange], asked: Set<String>, change: String, roots: [String], who: Principal) -> [String] {
        var notes = [ReachDelta.sentence(change, opens: opened.count, under: roots, for: who.userName ?? String(who.uid))]
        let also = opened.filter { !asked.contains($0.object) }
        notes += also.prefix(listedLimit).map { "also opens: \($0.access.rawValue) \($0.object)" }
        if also.count > listedLimit { notes.append("… and \(also.count - listedLimit) more") }
        return notes
    }
}

public struct AccessChange: Sendable, Hashable {
    public var principal: String
    public var object: String
    public var access: Access
    public var before: AccessDecision.Verdict
    public var after: AccessDecision.Verdict
}
