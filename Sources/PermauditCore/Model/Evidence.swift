/// One step the kernel takes on the way to a decision, with what it found.
public struct EvidenceStep: Hashable, Sendable, Codable {
    public enum Role: String, Sendable, Codable {
        /// A directory on the way: needs search (`x`).
        case ancestor
        /// A symbolic link that was followed.
        case symlink
        /// The object the access is about.
        case target
        /// The directory that holds the entry being created or deleted.
        case parent
        /// A mount that decided (read-only, noexec, nodev, a FUSE mount of another user).
        case mount
        /// A file attribute that decided (immutable, append-only) or a sysctl (protected_*).
        case attribute
        /// A layer permaudit does not model (SELinux, AppArmor).
        case securityModule = "security-module"
    }

    public enum Outcome: String, Sendable, Codable {
        case granted, denied, unknown, info
    }

    public var path: String
    public var role: Role
    /// What was asked of this object: `search`, `read`, `write+search`, `follow`, `statfs`, …
    public var check: String
    public var outcome: Outcome
    /// Why, in words: `other r-x`, `named group 1001 r-- but mask ---`, `CAP_DAC_READ_SEARCH`.
    public var because: String
    /// The object's type and mode bits, when its facts were read: numbers, rendered only when printed.
    public var fileType: FileType?
    public var fileMode: FileMode?
    /// The object has an access ACL (the `+` after the mode).
    public var hasACL: Bool
    public var owner: String?
    public var group: String?
    /// The ACL entry that decided, if the ACL was consulted.
    public var matchedEntry: String?
    /// The ACL mask in force when an entry was limited by it.
    public var mask: String?
    /// The capability that overrode the permission bits.
    public var capability: String?
    /// The error the kernel returns when this step refuses (`EACCES`, `EPERM`, `EROFS`, …).
    public var errno: Errno?

    public init(
        path: String, role: Role, check: String, outcome: Outcome, because: String,
        fileType: FileType? = nil, fileMode: FileMode? = nil, hasACL: Bool = false, owner: String? = nil, group: String? = nil, matchedEntry: String? = nil, mask: String? = nil,
        capability: String? = nil, errno: Errno? = nil
    ) {
        self.path = path
        self.role = role
        self.check = check
        self.outcome = outcome
        self.because = because
        self.fileType = fileType
        self.fileMode = fileMode
        self.hasACL = hasACL
        self.owner = owner
        self.group = group
        self.matchedEntry = matchedEntry
        self.mask = mask
        self.capability = capability
        self.errno = errno
    }

    /// `drwxr-x---+`, when the object's facts were read (as `ls -l` prints it).
    public var mode: String? {
        guard let fileType, let fileMode else { return nil }
        return String(fileType.letter) + fileMode.description + (hasACL ? "+" : "")
    }
}
