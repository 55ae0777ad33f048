/// A macOS extended ACL (the entries `chmod +a` writes and `ls -le` prints): an ordered list of allow and
/// deny entries for users and groups, named or by UUID, each with rights and inheritance flags.
/// macOS evaluates it before the POSIX mode (see `MacAccessCheck`).
public struct MacACL: Hashable, Sendable, Codable {
    public var entries: [MacACLEntry]
    public init(_ entries: [MacACLEntry] = []) { self.entries = entries }
    public var isEmpty: Bool { entries.isEmpty }
}

/// One entry: `group:elastic-agent allow read,readattr`.
public struct MacACLEntry: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable { case allow, deny }

    /// Who the entry is for, as `ls -le` names it.
    public enum Qualifier: Hashable, Sendable, Codable, CustomStringConvertible {
        /// `user:NAME`
        case user(String)
        /// `group:NAME`
        case group(String)
        /// A bare name (`admin allow write`, as chmod(1)'s examples write it): a user or a group of that name.
        case name(String)
        /// A bare UUID (`ls -le` prints one when the name cannot be resolved); user or group is unknown.
        case uuid(String)
        /// `user:UUID` / `group:UUID`: an entry whose principal is written by UUID with its kind.
        case userUUID(String)
        case groupUUID(String)

        public var description: String {
            switch self {
            case .user(let n): "user:" + n
            case .group(let n): "group:" + n
            case .name(let n): n
            case .uuid(let u): u
            case .userUUID(let u): "user:" + u
            case .groupUUID(let u): "group:" + u
            }
        }
    }

    public var qualifier: Qualifier
    public var kind: Kind
    public var rights: MacRights
    public var flags: MacInheritance

    public init(qualifier: Qualifier, kind: Kind, rights: MacRights, flags: MacInheritance = []) {
        self.qualifier = qualifier
        self.kind = kind
        self.rights = rights
        self.flags = flags
    }

    /// `group:elastic-agent allow read`, as `chmod +a` takes it (rights, then flags, comma-separated).
    public var description: String {
        let words = rights.words + flags.words
        return "\(qualifier) \(kind.rawValue) \(words.joined(separator: ","))"
    }

    /// An entry only for inheritance: it does not apply to the object that holds it.
    public var isInheritOnly: Bool { flags.contains(.onlyInherit) }
}

/// The rights of a macOS ACL entry (chmod(1), "ACL MANIPULATION OPTIONS"). The file and directory words
/// share bits as the kernel does (`read` = `list`, `write` = `add_file`, `execute` = `search`,
/// `append` = `add_subdirectory`).
public struct MacRights: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let read = MacRights(rawValue: 1 << 1)
    public static let write = MacRights(rawValue: 1 << 2)
    public static let execute = MacRights(rawValue: 1 << 3)
    public static let delete = MacRights(rawValue: 1 << 4)
    public static let append = MacRights(rawValue: 1 << 5)
    public static let deleteChild = MacRights(rawValue: 1 << 6)
    public static let readAttributes = MacRights(rawValue: 1 << 7)
    public static let writeAttributes = MacRights(rawValue: 1 << 8)
    public static let readExtendedAttributes = MacRights(rawValue: 1 << 9)
    public static let writeExtendedAttributes = MacRights(rawValue: 1 << 10)
    public static let readSecurity = MacRights(rawValue: 1 << 11)
    public static let writeSecurity = MacRights(rawValue: 1 << 12)
    public static let changeOwner = MacRights(rawValue: 1 << 13)

    public static let list = read
    public static let addFile = write
    public static let search = execute
    public static let addSubdirectory = append

    /// The words `chmod +a` accepts, in the order `ls -le` prints them, with the bit each names.
    /// Directory words come first for a bit both share only in `directoryWords`.
    static let fileWords: [(String, MacRights)] = [
        ("read", .read), ("write", .write), ("execute", .execute), ("delete", .delete), ("append", .append),
        ("delete_child", .deleteChild), ("readattr", .readAttributes), ("writeattr", .writeAttributes),
        ("readextattr", .readExtendedAttributes), ("writeextattr", .writeExtendedAttributes),
        ("readsecurity", .readSecurity), ("writesecurity", .writeSecurity), ("chown", .changeOwner),
    ]
    static let directoryWords: [(String, MacRights)] = [
        ("list", .list), ("add_file", .addFile), ("search", .search), ("add_subdirectory", .addSubdirectory),
    ]

    /// The right a word names, or nil.
    public init?(word: String) {
        guard let r = (Self.fileWords + Self.directoryWords).first(where: { $0.0 == word })?.1 else { return nil }
        self = r
    }

    /// File words for these rights, in `ls -le` order.
    public var words: [String] { words(directory: false) }

    /// The words `ls -le` prints: directory words (`list`, `add_file`, `search`, `add_subdirectory`) on a directory.
    public func words(directory: Bool) -> [String] {
        Self.fileWords.filter { contains($0.1) }.map { w in
            directory ? (Self.directoryWords.first { $0.1 == w.1 }?.0 ?? w.0) : w.0
        }
    }

    /// The rights an access asks for on the final object (`read` a file, `list` a directory: the same bit).
    public static func needed(for access: Access) -> MacRights? {
        switch access {
        case .read, .list: .read
        case .write: .write
        case .execute, .search: .execute
        case .statfs, .create, .delete: nil
        }
    }
}

/// The inheritance flags of an entry (chmod(1)).
public struct MacInheritance: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let inherited = MacInheritance(rawValue: 1 << 0)
    public static let fileInherit = MacInheritance(rawValue: 1 << 1)
    public static let directoryInherit = MacInheritance(rawValue: 1 << 2)
    public static let limitInherit = MacInheritance(rawValue: 1 << 3)
    public static let onlyInherit = MacInheritance(rawValue: 1 << 4)

    static let allWords: [(String, MacInheritance)] = [
        ("inherited", .inherited), ("file_inherit", .fileInherit), ("directory_inherit", .directoryInherit),
        ("limit_inherit", .limitInherit), ("only_inherit", .onlyInherit),
    ]

    public init?(word: String) {
        guard let f = Self.allWords.first(where: { $0.0 == word })?.1 else { return nil }
        self = f
    }

    public var words: [String] { Self.allWords.filter { contains($0.1) }.map(\.0) }
}
