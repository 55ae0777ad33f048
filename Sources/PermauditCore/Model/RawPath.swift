/// A path as the kernel stores it: raw bytes, never repaired.
///
/// Swift's `String` replaces invalid UTF-8 with U+FFFD, so a name read into a `String` no longer names
/// the file. Fix plans carry `RawPath` from the directory listing to the script and to `--apply`.
public struct RawPath: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { bytes = Array(string.utf8) }
    public init(stringLiteral value: String) { bytes = Array(value.utf8) }

    /// The path as text, each byte that is not valid UTF-8 shown as `\xNN`: unique per raw path for
    /// names that do not themselves contain `\x`, and readable in reports.
    public var display: String {
        // Most paths are UTF-8: validated in one pass, nothing to escape.
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var out = ""
        var i = 0
        while i < bytes.count {
            if let (scalar, length) = RawPath.decodeScalar(bytes, at: i) {
                out.unicodeScalars.append(scalar)
                i += length
            } else {
                let hex = String(bytes[i], radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                i += 1
            }
        }
        return out
    }

    public var description: String { display }

    /// Whether the bytes are valid UTF-8 (then `display` is exactly the path).
    public var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }

    public var components: [[UInt8]] { bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init) }

    public var lastComponent: [UInt8] {
        if let cut = cleanAbsoluteCut { return Array(bytes[(cut + 1)...]) }
        return components.last ?? []
    }

    public var parent: RawPath {
        // A sweep's paths are clean (absolute, no `//`, no trailing `/`): cut at the last slash, no splitting.
        if let cut = cleanAbsoluteCut { return cut == 0 ? RawPath("/") : RawPath(bytes: Array(bytes[..<cut])) }
        let c = components
        if c.count <= 1 { return RawPath("/") }
        return RawPath(components: Array(c.dropLast()))
    }

    /// For an absolute path with no empty component and no trailing slash (not `/` itself), the index of
    /// its last slash; nil otherwise (the general split decides).
    private var cleanAbsoluteCut: Int? {
        guard bytes.count > 1, bytes[0] == UInt8(ascii: "/"), bytes[bytes.count - 1] != UInt8(ascii: "/") else { return nil }
        var last = 0
        var previousSlash = false
        for i in bytes.indices {
            if bytes[i] == UInt8(ascii: "/") {
                if previousSlash { return nil }
                previousSlash = true
                last = i
            } else {
                previousSlash = false
            }
        }
        return last
    }

    /// Hashes the bytes in one call (the synthesized hash fed the hasher one byte at a time: a tenth of a
    /// sweep's time went there).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (a: RawPath, b: RawPath) -> Bool { a.bytes == b.bytes }

    public init(components: [[UInt8]]) {
        var out: [UInt8] = []
        for c in components { out.append(UInt8(ascii: "/")); out += c }
        bytes = out.isEmpty ? [UInt8(ascii: "/")] : out
    }

    public func appending(_ component: [UInt8]) -> RawPath {
        var out = bytes
        if out.last != UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        out += component
        return RawPath(bytes: out)
    }

    /// Whether the path starts at `/`.
    public var isAbsolute: Bool { bytes.first == UInt8(ascii: "/") }

    /// `/` itself (or a path of slashes only).
    public var isRoot: Bool { !bytes.isEmpty && bytes.allSatisfy { $0 == UInt8(ascii: "/") } }

    /// `/`.
    public static let root = RawPath(bytes: [UInt8(ascii: "/")])

    /// The path relative to `/` (`etc/passwd`; `.` for the root), as `openat` relative to a root descriptor wants it.
    public var relativeToRoot: [UInt8] {
        let trimmed = bytes.drop { $0 == UInt8(ascii: "/") }
        return trimmed.isEmpty ? [UInt8(ascii: ".")] : Array(trimmed)
    }

    /// Calls `body` with the bytes NUL-terminated, as C wants a path.
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try RawPath.withCString(bytes, body)
    }

    /// Calls `body` with `bytes` NUL-terminated.
    public static func withCString<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var terminated = bytes
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer in
            // Never nil: the buffer holds at least the terminating NUL.
            guard let base = buffer.baseAddress else { preconditionFailure("empty C string buffer") }
            return try base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { try body($0) }
        }
    }

    /// Every directory above this path, `/` first.
    public var ancestors: [RawPath] {
        let c = components
        return (0..<c.count).map { RawPath(components: Array(c.prefix($0))) }
    }

    public static func < (a: RawPath, b: RawPath) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Decodes one UTF-8 scalar strictly (no overlongs, no surrogates); nil when the bytes at `i` are not one.
    static func decodeScalar(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let b0 = b[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let length: Int
        let minimum: UInt32
        var value: UInt32
        switch b0 {
        case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(b0 & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(b0 & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(b0 & 0x07)
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        for k in 1..<length {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(c & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}

extension RawPath: Codable {
    /// Encoded as its display text plus, when that is not the path itself, the bytes in hex.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if let hex = try c.decodeIfPresent(String.self, forKey: .hex) {
            var out: [UInt8] = []
            var it = hex.makeIterator()
            while let h = it.next(), let l = it.next(), let v = UInt8(String([h, l]), radix: 16) { out.append(v) }
            bytes = out
        } else {
            bytes = Array(try c.decode(String.self, forKey: .path).utf8)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(display, forKey: .path)
        if !isValidUTF8 { try c.encode(hex, forKey: .hex) }
    }

    public var hex: String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

    enum Keys: String, CodingKey { case path, hex }
}
