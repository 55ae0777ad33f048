import Glibc

/// A failure at the host's edge: what failed, on which path, the errno underneath, and what to do.
public struct HostError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var path: String
    public var errno: Int32
    public var hint: String?

    public init(_ operation: String, path: String, errno: Int32, hint: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.hint = hint
    }

    /// `EACCES`, `ENOENT`, …
    public var errnoName: String { errnoNames[errno] ?? "errno \(errno)" }

    public var description: String {
        let base = "\(operation) \(path): \(String(cString: strerror(errno))) (\(errnoName))"
        return hint.map { "\(base); \($0)" } ?? base
    }
}

let errnoNames: [Int32: String] = [
    EPERM: "EPERM", ENOENT: "ENOENT", EIO: "EIO", EACCES: "EACCES", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR",
    EROFS: "EROFS", ELOOP: "ELOOP", ENAMETOOLONG: "ENAMETOOLONG", ENODATA: "ENODATA", EOPNOTSUPP: "EOPNOTSUPP",
    EINVAL: "EINVAL", ENOMEM: "ENOMEM", ESRCH: "ESRCH", EBUSY: "EBUSY", EEXIST: "EEXIST", EXDEV: "EXDEV",
]
