/// What the principal wants to do to an object.
public enum Access: String, CaseIterable, Sendable, Codable, Hashable {
    /// Read a file; list a directory (`test -r`).
    case read
    /// Write a file; change a directory's entries (`test -w`).
    case write
    /// Execute a file; search (enter) a directory (`test -x`).
    case execute
    /// Enter a directory: the directory word for `execute`.
    case search
    /// Read a directory's entries: the directory word for `read`.
    case list
    /// `statfs(2)` the file system the path sits on.
    case statfs
    /// Create a new entry at the path (write and search on its directory).
    case create
    /// Remove the entry at the path (write and search on its directory, the sticky bit's owner rule).
    case delete

    /// The permission bits the kernel asks for on the final object, for the accesses that check it.
    public var bits: Permissions? {
        switch self {
        case .read, .list: .read
        case .write: .write
        case .execute, .search: .execute
        case .statfs, .create, .delete: nil
        }
    }

    public static let helpText = "read, write, execute, search, list, statfs, create or delete"
}
