/// An error number as the kernel returns it, compared as a value (never by its name or its text).
///
/// In the style of swift-system's `Errno`: named cases for the numbers permaudit meets, the C name
/// (`EACCES`) and the C library's message (`Permission denied`) for printing. The numbers are Linux's
/// (the generic table shared by x86_64 and arm64); the host layer makes these from `errno` at the edge.
public struct Errno: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The C name, `EACCES`; `errno 123` for a number this table does not name.
    public var name: String { Self.table[rawValue]?.name ?? "errno \(rawValue)" }
    /// The C library's message (`strerror`), `Permission denied`.
    public var message: String { Self.table[rawValue]?.message ?? "Unknown error \(rawValue)" }
    /// `Permission denied (EACCES)`, as the host's errors print it.
    public var description: String { "\(message) (\(name))" }

    /// The errno whose C name this is (`EACCES`); nil for a name this table does not know.
    public init?(name: String) {
        guard let hit = Self.table.first(where: { $0.value.name == name }) else { return nil }
        rawValue = hit.key
    }

    public static let notPermitted = Errno(rawValue: 1)
    public static let noSuchFileOrDirectory = Errno(rawValue: 2)
    public static let noSuchProcess = Errno(rawValue: 3)
    public static let interrupted = Errno(rawValue: 4)
    public static let ioError = Errno(rawValue: 5)
    public static let badFileDescriptor = Errno(rawValue: 9)
    public static let resourceTemporarilyUnavailable = Errno(rawValue: 11)
    public static let noMemory = Errno(rawValue: 12)
    public static let permissionDenied = Errno(rawValue: 13)
    public static let badAddress = Errno(rawValue: 14)
    public static let resourceBusy = Errno(rawValue: 16)
    public static let fileExists = Errno(rawValue: 17)
    public static let improperLink = Errno(rawValue: 18)
    public static let noSuchDevice = Errno(rawValue: 19)
    public static let notDirectory = Errno(rawValue: 20)
    public static let isDirectory = Errno(rawValue: 21)
    public static let invalidArgument = Errno(rawValue: 22)
    public static let tooManyOpenFilesInSystem = Errno(rawValue: 23)
    public static let tooManyOpenFiles = Errno(rawValue: 24)
    public static let textFileBusy = Errno(rawValue: 26)
    public static let fileTooLarge = Errno(rawValue: 27)
    public static let noSpace = Errno(rawValue: 28)
    public static let readOnlyFileSystem = Errno(rawValue: 30)
    public static let outOfRange = Errno(rawValue: 34)
    public static let fileNameTooLong = Errno(rawValue: 36)
    public static let noFunction = Errno(rawValue: 38)
    public static let directoryNotEmpty = Errno(rawValue: 39)
    public static let tooManySymbolicLinkLevels = Errno(rawValue: 40)
    public static let noData = Errno(rawValue: 61)
    public static let overflow = Errno(rawValue: 75)
    public static let notSupported = Errno(rawValue: 95)
    public static let staleFileHandle = Errno(rawValue: 116)

    private static let table: [Int32: (name: String, message: String)] = [
        1: ("EPERM", "Operation not permitted"), 2: ("ENOENT", "No such file or directory"),
        3: ("ESRCH", "No such process"), 4: ("EINTR", "Interrupted system call"), 5: ("EIO", "Input/output error"),
        9: ("EBADF", "Bad file descriptor"), 11: ("EAGAIN", "Resource temporarily unavailable"),
        12: ("ENOMEM", "Cannot allocate memory"), 13: ("EACCES", "Permission denied"), 14: ("EFAULT", "Bad address"),
        16: ("EBUSY", "Device or resource busy"), 17: ("EEXIST", "File exists"), 18: ("EXDEV", "Invalid cross-device link"),
        19: ("ENODEV", "No such device"), 20: ("ENOTDIR", "Not a directory"), 21: ("EISDIR", "Is a directory"),
        22: ("EINVAL", "Invalid argument"), 23: ("ENFILE", "Too many open files in system"),
        24: ("EMFILE", "Too many open files"), 26: ("ETXTBSY", "Text file busy"), 27: ("EFBIG", "File too large"), 28: ("ENOSPC", "No space left on device"),
        30: ("EROFS", "Read-only file system"), 34: ("ERANGE", "Numerical result out of range"),
        36: ("ENAMETOOLONG", "File name too long"), 38: ("ENOSYS", "Function not implemented"),
        39: ("ENOTEMPTY", "Directory not empty"), 40: ("ELOOP", "Too many levels of symbolic links"),
        61: ("ENODATA", "No data available"), 75: ("EOVERFLOW", "Value too large for defined data type"),
        95: ("EOPNOTSUPP", "Operation not supported"), 116: ("ESTALE", "Stale file handle"),
    ]
}

extension Errno: Codable {
    /// Encoded as its C name (`"EACCES"`), as reports have always shown it.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let e = Errno(name: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown errno name \(text)"))
        }
        self = e
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
