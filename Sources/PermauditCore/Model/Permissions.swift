/// The three permission bits the kernel checks: read, write, execute (search on a directory).
public struct Permissions: OptionSet, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 7 }

    public static let read = Permissions(rawValue: 4)
    public static let write = Permissions(rawValue: 2)
    public static let execute = Permissions(rawValue: 1)
    public static let all: Permissions = [.read, .write, .execute]
    public static let none: Permissions = []

    /// `rwx`, `r--`, … as `ls` and `getfacl` print them.
    public var description: String {
        (contains(.read) ? "r" : "-") + (contains(.write) ? "w" : "-") + (contains(.execute) ? "x" : "-")
    }

    /// Parses `rwx`, `r-x`, `rw`, `x` (order free, dashes ignored).
    public init?(text: String) {
        var bits: UInt8 = 0
        for c in text {
            switch c {
            case "r": bits |= 4
            case "w": bits |= 2
            case "x", "X": bits |= 1
            case "-": continue
            default: return nil
            }
        }
        self.init(rawValue: bits)
    }
}
