import Glibc
import PermauditCore

/// A failure at the host's edge: what failed, on which path, the errno underneath, and what to do.
public struct HostError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    /// The path as people read it (bytes that are not UTF-8 shown as `\xNN`).
    public var path: String
    public var errno: Errno
    public var hint: String?

    public init(_ operation: String, path: String, errno: Errno, hint: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.hint = hint
    }

    /// The error of a C call that just failed: `code` is the errno it left, read once, right after the call.
    init(_ operation: String, path: String, code: Int32, hint: String? = nil) {
        self.init(operation, path: path, errno: Errno(rawValue: code), hint: hint)
    }

    /// `EACCES`, `ENOENT`, …
    public var errnoName: String { errno.name }

    public var description: String {
        let base = "\(operation) \(path): \(errno.description)"
        return hint.map { "\(base); \($0)" } ?? base
    }

    /// The lookup answer for this failure: missing for ENOENT and ENOTDIR, unreadable otherwise.
    var lookup: FactLookup {
        errno == .noSuchFileOrDirectory || errno == .notDirectory ? .missing : .unreadable(errno: errno, reason: description)
    }
}

extension Errno {
    /// The calling thread's errno, read now: call it right after the failing C call, before any other.
    static var current: Errno { Errno(rawValue: Glibc.errno) }
}
