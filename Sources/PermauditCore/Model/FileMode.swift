/// The type of a file system object, as `lstat` reports it.
public enum FileType: String, Sendable, Codable, Hashable {
    case regular, directory, symlink, characterDevice, blockDevice, fifo, socket

    /// The letter `ls -l` prints.
    public var letter: Character {
        switch self {
        case .regular: "-"
        case .directory: "d"
        case .symlink: "l"
        case .characterDevice: "c"
        case .blockDevice: "b"
        case .fifo: "p"
        case .socket: "s"
        }
    }
}

/// The permission and special bits of a mode (`st_mode & 07777`).
public struct FileMode: Hashable, Sendable, Codable, CustomStringConvertible {
    public var bits: UInt16
    public init(_ bits: UInt16) { self.bits = bits & 0o7777 }

    public var owner: Permissions { Permissions(rawValue: UInt8((bits >> 6) & 7)) }
    public var group: Permissions { Permissions(rawValue: UInt8((bits >> 3) & 7)) }
    public var other: Permissions { Permissions(rawValue: UInt8(bits & 7)) }
    public var isSetUID: Bool { bits & 0o4000 != 0 }
    public var isSetGID: Bool { bits & 0o2000 != 0 }
    public var isSticky: Bool { bits & 0o1000 != 0 }
    /// Some execute bit is set: the condition under which `CAP_DAC_OVERRIDE` may execute a file.
    public var anyExecute: Bool { bits & 0o111 != 0 }

    /// `rwxr-x---` with `s`/`t` where the special bits are set.
    public var description: String {
        var s = Array(owner.description + group.description + other.description)
        if isSetUID { s[2] = s[2] == "x" ? "s" : "S" }
        if isSetGID { s[5] = s[5] == "x" ? "s" : "S" }
        if isSticky { s[8] = s[8] == "x" ? "t" : "T" }
        return String(s)
    }

    /// `0640`.
    public var octal: String {
        let o = String(bits, radix: 8)
        return String(repeating: "0", count: max(0, 4 - o.count)) + o
    }
}
