/// Access mask bits common to every Windows object, and reading `--access` rights.
public enum WindowsRights {
    public static let delete: UInt32 = 0x10000
    public static let readControl: UInt32 = 0x20000
    public static let writeDAC: UInt32 = 0x40000
    public static let writeOwner: UInt32 = 0x80000
    public static let synchronize: UInt32 = 0x100000
    public static let accessSystemSecurity: UInt32 = 0x0100_0000
    public static let maximumAllowed: UInt32 = 0x0200_0000
    public static let genericAll: UInt32 = 0x1000_0000
    public static let genericExecute: UInt32 = 0x2000_0000
    public static let genericWrite: UInt32 = 0x4000_0000
    public static let genericRead: UInt32 = 0x8000_0000
    public static let genericBits: UInt32 = 0xF000_0000

    static let standard: [(name: String, bit: UInt32)] = [
        ("delete", delete), ("read-control", readControl), ("write-dac", writeDAC), ("write-owner", writeOwner),
        ("synchronize", synchronize), ("access-system-security", accessSystemSecurity), ("maximum-allowed", maximumAllowed),
        ("generic-all", genericAll), ("generic-execute", genericExecute), ("generic-write", genericWrite), ("generic-read", genericRead),
    ]

    /// `0x2001F`, `131103`, or names (`query-value,set-value`, `read`, `read-control`) for an object kind.
    public static func parse(_ text: String, for kind: WindowsObjectKind) -> Result<UInt32, WindowsRightsError> {
        let t = text.trimmingSpaces
        if t.hasPrefix("0x") || t.hasPrefix("0X") {
            let hex = t.dropFirst(2)
            guard !hex.isEmpty, hex.count <= 8, let v = UInt32(hex, radix: 16) else { return .failure(WindowsRightsError(text: text, kind: kind, bad: t)) }
            return v == 0 ? .failure(WindowsRightsError(text: text, kind: kind, bad: t, isZero: true)) : .success(v)
        }
        if let first = t.first, first.isASCIIDigit {
            guard t.allSatisfy(\.isASCIIDigit), let v = UInt32(t) else { return .failure(WindowsRightsError(text: text, kind: kind, bad: t)) }
            return v == 0 ? .failure(WindowsRightsError(text: text, kind: kind, bad: t, isZero: true)) : .success(v)
        }
        var mask: UInt32 = 0
        for word in t.split(separator: ",") {
            let w = String(word).trimmingSpaces.lowercased()
            guard let bit = named(w, for: kind) else { return .failure(WindowsRightsError(text: text, kind: kind, bad: w)) }
            mask |= bit
        }
        return mask == 0 ? .failure(WindowsRightsError(text: text, kind: kind, bad: t, isZero: true)) : .success(mask)
    }

    static func named(_ w: String, for kind: WindowsObjectKind) -> UInt32? {
        if let c = kind.combinedRights.first(where: { $0.name == w }) { return c.mask }
        if let s = kind.specificRights.first(where: { $0.name == w }) { return s.bit }
        if let s = standard.first(where: { $0.name == w }) { return s.bit }
        return nil
    }

    /// Every name `--access` takes for a kind, for messages.
    public static func names(for kind: WindowsObjectKind) -> [String] {
        kind.combinedRights.map(\.name) + kind.specificRights.map(\.name) + standard.map(\.name)
    }

    /// The name of one bit on a kind (`query-value`), or its hex.
    public static func name(ofBit bit: UInt32, for kind: WindowsObjectKind) -> String {
        kind.specificRights.first { $0.bit == bit }?.name ?? standard.first { $0.bit == bit }?.name ?? hex(bit)
    }

    /// The bits of a mask by name: `query-value,set-value,read-control`.
    public static func names(of mask: UInt32, for kind: WindowsObjectKind) -> String {
        let bits = (0..<32).map { UInt32(1) << $0 }.filter { mask & $0 != 0 }
        return bits.isEmpty ? "none" : bits.map { name(ofBit: $0, for: kind) }.joined(separator: ",")
    }

    /// `0x2001F`.
    public static func hex(_ mask: UInt32) -> String { "0x" + String(mask, radix: 16, uppercase: true) }
}

/// `--access` rights that are not a mask nor names of this object kind.
public struct WindowsRightsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var kind: WindowsObjectKind
    public var bad: String
    public var isZero = false

    public var description: String {
        if isZero { return "--access \(text): asks for no right at all; give a mask (0x2001F) or names" }
        return "--access \(text): '\(bad)' is not a right of a \(kind.rawValue); give a hex mask (0x2001F) or names: \(WindowsRights.names(for: kind).joined(separator: ", "))"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
