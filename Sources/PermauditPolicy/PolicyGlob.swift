/// A `paths:` glob as the agent expands it: Go's `filepath.Glob` (`*`, `?`, `[...]`, `[^...]`, `\` escapes,
/// a leading dot matched like any other character) on each component, and, where the input allows it
/// (`recursive_glob`, on by default in filestream and log), one `**` component standing for zero to eight
/// directories.
///
/// Differences from the shell globs of the rule catalog (`PermauditRules.Glob`): `*` matches dot files,
/// `!` does not negate a class (only `^` does), and names are compared as bytes.
public struct PolicyGlob: Hashable, Sendable {
    public struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        public var pattern: String
        public var reason: String
        public var description: String { "glob '\(pattern)': \(reason)" }
    }

    /// How deep `**` reaches (Filebeat's limit).
    public static let recursiveDepth = 8

    public let pattern: String
    /// The components, `**` included, as bytes.
    public let components: [[UInt8]]
    public let recursive: Bool

    public init(_ pattern: String, recursive: Bool) throws(Invalid) {
        self.pattern = pattern
        self.recursive = recursive
        guard pattern.hasPrefix("/") else { throw Invalid(pattern: pattern, reason: "not an absolute path (the agent resolves relative paths against its own working directory; give the full path)") }
        components = Array(pattern.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init)
        var stars = 0
        for c in components {
            if recursive, c == Self.doubleStar { stars += 1; continue }
            if let why = Self.problem(c) { throw Invalid(pattern: pattern, reason: why) }
        }
        if stars > 1 { throw Invalid(pattern: pattern, reason: "more than one ** component (the agent expands only one)") }
    }

    static let doubleStar: [UInt8] = [0x2A, 0x2A]

    /// The component lists to walk: `**` replaced by zero to eight `*` components (one list without it).
    public var alternatives: [[[UInt8]]] {
        guard recursive, let i = components.firstIndex(of: Self.doubleStar) else { return [components] }
        return (0...Self.recursiveDepth).map { depth in
            Array(components[..<i]) + Array(repeating: [0x2A], count: depth) + Array(components[(i + 1)...])
        }
    }

    /// Whether a component holds glob characters (else it is one name, looked up directly).
    public static func hasMagic(_ component: [UInt8]) -> Bool {
        component.contains { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B || $0 == 0x5C }
    }

    /// Go's `filepath.Match` of one component against one name.
    public static func matches(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        match(units(pattern), 0, units(name), 0)
    }

    /// Why a component is not a valid pattern, or nil.
    static func problem(_ component: [UInt8]) -> String? {
        let p = units(component)
        var i = 0
        while i < p.count {
            switch p[i] {
            case 0x5C:
                if i + 1 >= p.count { return "ends in a lone backslash" }
                i += 2
            case 0x5B:
                guard let (_, next) = bracket(p, i, 0x61) else { return "a '[' is never closed or its class is empty" }
                i = next
            default: i += 1
            }
        }
        return nil
    }

    /// Bytes as match units: each valid UTF-8 scalar one unit, each invalid byte its own unit (above the
    /// scalar range, so it matches only itself and `?` / `*`).
    static func units(_ bytes: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        var i = 0
        while i < bytes.count {
            let (scalar, length) = decodeOne(bytes, i)
            if let scalar { out.append(scalar.value); i += length } else { out.append(0x11_0000 + UInt32(bytes[i])); i += 1 }
        }
        return out
    }

    static func decodeOne(_ b: [UInt8], _ i: Int) -> (Unicode.Scalar?, Int) {
        let lead = b[i]
        let n: Int
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: n = 2
        case 0xE0...0xEF: n = 3
        case 0xF0...0xF4: n = 4
        default: return (nil, 1)
        }
        guard i + n <= b.count else { return (nil, 1) }
        if let s = String(validating: b[i..<(i + n)], as: UTF8.self), let scalar = s.unicodeScalars.first, s.unicodeScalars.count == 1 {
            return (scalar, n)
        }
        return (nil, 1)
    }

    private static func match(_ p: [UInt32], _ pi: Int, _ s: [UInt32], _ si: Int) -> Bool {
        var pi = pi, si = si
        while pi < p.count {
            switch p[pi] {
            case 0x2A:
                while pi < p.count, p[pi] == 0x2A { pi += 1 }
                if pi == p.count { return true }
                for k in si...s.count where match(p, pi, s, k) { return true }
                return false
            case 0x3F:
                guard si < s.count else { return false }
                pi += 1
                si += 1
            case 0x5B:
                guard si < s.count, let (matched, next) = bracket(p, pi, s[si]), matched else { return false }
                pi = next
                si += 1
            case 0x5C:
                guard pi + 1 < p.count, si < s.count, p[pi + 1] == s[si] else { return false }
                pi += 2
                si += 1
            default:
                guard si < s.count, p[pi] == s[si] else { return false }
                pi += 1
                si += 1
            }
        }
        return si == s.count
    }

    /// One unit against `[...]` (Go: `^` negates, `\` escapes, `lo-hi` ranges); nil when malformed.
    private static func bracket(_ p: [UInt32], _ start: Int, _ c: UInt32) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == 0x5E { negate = true; i += 1 }
        var matched = false
        var count = 0
        func unit(_ j: inout Int) -> UInt32? {
            guard j < p.count else { return nil }
            if p[j] == 0x5C { j += 1; guard j < p.count else { return nil } }
            defer { j += 1 }
            return p[j]
        }
        while i < p.count, p[i] != 0x5D || count == 0 {
            if p[i] == 0x5D && count == 0 { return nil }
            guard let lo = unit(&i) else { return nil }
            var hi = lo
            if i + 1 < p.count, p[i] == 0x2D, p[i + 1] != 0x5D {
                i += 1
                guard let h = unit(&i) else { return nil }
                hi = h
            }
            if lo <= c && c <= hi { matched = true }
            count += 1
        }
        guard i < p.count, count > 0 else { return nil }
        return (matched != negate, i + 1)
    }
}
