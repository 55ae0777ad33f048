import PermauditCore

/// A catalog entry: one documented (or observed) failure of a service that runs without root, how to
/// detect it, what the user sees when it bites, and the fixes.
public struct Rule: Sendable, Hashable {
    /// Stable and dotted: `linux.auth-log.read`.
    public var id: String
    public var title: String
    /// Why the rule exists, in a sentence or two.
    public var summary: String
    public var platforms: Set<Platform>
    /// `/etc/os-release` IDs the rule is for (matched against ID and ID_LIKE); empty means every Linux.
    public var distributions: [String]
    /// Integrations or data streams that need this (`system.auth`, `system.syslog`).
    public var integrations: [String]
    public var severity: Severity
    public var check: RuleCheck
    /// The exact error text the user sees in the agent's logs when this fails.
    public var symptom: String
    /// The fix the product documentation gives.
    public var documentedFix: String
    /// The narrowest fix that works.
    public var leastPrivilegeFix: String
    /// What the documented (broad) fix also opens, or why it does not work.
    public var warning: String?
    /// What a fix planner can do about it.
    public var remedy: Remedy
    public var sources: [String]
    /// Where the rule was read from: `Rules/linux/auth-log.yaml:4`, or `embedded:…` in the binary.
    public var origin: String

    public init(
        id: String, title: String, summary: String, platforms: Set<Platform>, distributions: [String], integrations: [String],
        severity: Severity, check: RuleCheck, symptom: String, documentedFix: String, leastPrivilegeFix: String,
        warning: String?, remedy: Remedy, sources: [String], origin: String
    ) {
        self.id = id
        self.title = title
        self.summary = summary
        self.platforms = platforms
        self.distributions = distributions
        self.integrations = integrations
        self.severity = severity
        self.check = check
        self.symptom = symptom
        self.documentedFix = documentedFix
        self.leastPrivilegeFix = leastPrivilegeFix
        self.warning = warning
        self.remedy = remedy
        self.sources = sources
        self.origin = origin
    }
}

public enum Platform: String, Sendable, Hashable, CaseIterable, Comparable {
    case linux, macos, windows
    public static func < (a: Platform, b: Platform) -> Bool { a.rawValue < b.rawValue }
}

/// What a rule checks. Each kind has its own evaluator in PermauditAudit/Checks.
public enum RuleCheck: Sendable, Hashable {
    /// The principal needs `access` on every object the globs match (rotated copies included).
    case pathAccess(paths: [String], access: Access)
    /// The principal needs `statfs` on the mounts the globs match (FUSE mounts of other users refuse it).
    case mountStatfs(paths: [String])
    /// The principal must be in one of `needed` (when the `requires` paths exist), or must not be in any of `tooBroad`.
    case groupMembership(needed: [String], tooBroad: [String], requires: [String])
    /// The principal needs these capabilities, or must not hold the too-broad ones.
    case capabilities(needed: [String], tooBroad: [String])
    /// Seeing other users' processes: `/proc` mounted with `hidepid=` and ptrace-gated files.
    case processVisibility(needed: [String])
    /// Operators reach the agent's control socket through the agent's group.
    case controlSocket(paths: [String])
    /// Integrations that need a privileged agent.
    case requiresRoot(integrations: [String], blocking: Bool)
    /// A Windows object, evaluated from a facts file gathered on Windows.
    case windows(kind: WindowsCheckKind, fields: [String: String])
    /// A macOS object, evaluated from a facts file gathered on macOS.
    case macos(kind: MacOSCheckKind, fields: [String: String])
    /// A kind registered in `CheckRegistry` (defined in one file: `must-not-reach`, `elasticsearch-config`).
    case defined(DefinedCheck)

    /// The `kind:` word in the YAML.
    public var kind: String {
        switch self {
        case .pathAccess: "path-access"
        case .mountStatfs: "mount-statfs"
        case .groupMembership: "group-membership"
        case .capabilities: "capabilities"
        case .processVisibility: "process-visibility"
        case .controlSocket: "control-socket"
        case .requiresRoot: "requires-root"
        case .windows(let k, _): "windows-" + k.rawValue
        case .macos(let k, _): "macos-" + k.rawValue
        case .defined(let c): c.kind
        }
    }
}

public enum WindowsCheckKind: String, Sendable, Hashable, CaseIterable {
    case eventChannel = "event-channel", registryKey = "registry-key", volume, process, namedPipe = "named-pipe", perfCounters = "perf-counters"
    /// The fields each kind takes (all required).
    public var fields: [String] {
        switch self {
        case .eventChannel: ["channel", "reader-group-sid"]
        case .registryKey: ["key", "rights"]
        case .volume: ["volume"]
        case .process: ["privilege"]
        case .namedPipe: ["pipe"]
        case .perfCounters: ["group-sid"]
        }
    }
}

public enum MacOSCheckKind: String, Sendable, Hashable, CaseIterable {
    case path, processes
    public var fields: [String] {
        switch self {
        case .path: ["path", "access"]
        case .processes: ["group"]
        }
    }
}

/// What a fix planner can do for a failing finding.
public enum Remedy: String, Sendable, Hashable, CaseIterable, Codable {
    /// A named-group ACL entry for the agent's group on the objects (and search on blocking ancestors).
    case acl
    /// The same, on log files under rotation: it must survive logrotate and the logger recreating the file.
    case logACL = "log-acl"
    /// A systemd drop-in adding a supplementary group.
    case supplementaryGroup = "supplementary-group"
    /// A systemd drop-in adding ambient capabilities.
    case ambientCapabilities = "ambient-capabilities"
    /// Remove the principal from a group (too broad).
    case leaveGroup = "leave-group"
    /// Take away exactly the grant that lets someone reach what it must not, keeping the service's own access.
    case revoke
    /// No permission helps: change configuration instead (say which).
    case configuration
    /// Nothing to do from this host (Windows/macOS, needs root by design).
    case none
}
