/// Why a decision refused, as a value: the fix and the reports switch on it, never on the reason's words.
public enum DenialCause: String, Sendable, Codable, Hashable, CaseIterable {
    /// The mode bits or the ACL (`EACCES` from `generic_permission`): a permission change can grant it.
    case permission
    /// Another user's FUSE mount without `allow_other`: refuses everyone but its owner, root included.
    case fuseOwnerOnly = "fuse-owner-only"
    /// A read-only mount or superblock (`EROFS`).
    case readOnlyMount = "read-only-mount"
    /// A `noexec` mount refuses to execute its files.
    case noExecMount = "noexec-mount"
    /// A `nodev` mount refuses to open its device files.
    case noDevMount = "nodev-mount"
    /// `chattr +i` (`EPERM`).
    case immutable
    /// `chattr +a` (`EPERM`): no write without `O_APPEND`, no entry removed.
    case appendOnly = "append-only"
    /// A sticky directory: only the entry's or the directory's owner removes an entry (`EPERM`).
    case stickyDirectory = "sticky-directory"
    /// `fs.protected_symlinks`, `fs.protected_regular`, `fs.protected_fifos`.
    case protectedSysctl = "protected-sysctl"
    /// No such file (`ENOENT`).
    case missing
    case notADirectory = "not-a-directory"
    case isADirectory = "is-a-directory"
    /// `.` or `..` where an entry is named.
    case invalidName = "invalid-name"
    /// A mount point or the root, which unlink and rmdir refuse (`EBUSY`).
    case busy
    case notEmpty = "not-empty"
    case symlinkLoop = "symlink-loop"
    /// permaudit could not look (the verdict is unknown).
    case cannotLook = "cannot-look"

    /// A mount option or the kind of mount decided: the mount's configuration, not a permission, changes it.
    public var isMountRefusal: Bool { [.fuseOwnerOnly, .readOnlyMount, .noExecMount, .noDevMount].contains(self) }

    /// Whether an ACL entry, a group or a capability could ever lift it.
    public var permissionCanHelp: Bool { self == .permission }
}
