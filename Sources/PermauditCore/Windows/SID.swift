/// A Windows security identifier: `S-1-5-32-573` (revision 1, authority 5, sub-authorities 32 and 573).
public struct SID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let revision: UInt8
    public let authority: UInt64
    public let subAuthorities: [UInt32]

    public init(revision: UInt8 = 1, authority: UInt64, subAuthorities: [UInt32]) {
        self.revision = revision
        self.authority = authority
        self.subAuthorities = subAuthorities
    }

    /// `S-1-5-32-573` (case-insensitive `s`); the authority may be hex (`0x...`), as Windows prints large ones.
    public init?(string: String) {
        let parts = string.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.count <= 3 + 15, parts[0] == "S" || parts[0] == "s",
            let rev = UInt8(parts[1]), rev == 1
        else { return nil }
        let a = parts[2]
        let authority: UInt64?
        if a.hasPrefix("0x") || a.hasPrefix("0X") { authority = a.count > 2 ? UInt64(a.dropFirst(2), radix: 16) : nil } else { authority = a.allSatisfy(\.isASCIIDigit) ? UInt64(a) : nil }
        guard let authority, authority < 1 << 48 else { return nil }
        var subs: [UInt32] = []
        for p in parts.dropFirst(3) {
            guard !p.isEmpty, p.allSatisfy(\.isASCIIDigit), let v = UInt32(p) else { return nil }
            subs.append(v)
        }
        self.init(revision: rev, authority: authority, subAuthorities: subs)
    }

    public var description: String {
        let a = authority < 1 << 32 ? String(authority) : "0x" + String(authority, radix: 16, uppercase: true)
        return "S-\(revision)-\(a)" + subAuthorities.map { "-\($0)" }.joined()
    }

    public static func < (a: SID, b: SID) -> Bool { a.description < b.description }

    /// The SID with one more sub-authority (a domain SID and a RID).
    public func appending(_ rid: UInt32) -> SID { SID(revision: revision, authority: authority, subAuthorities: subAuthorities + [rid]) }

    public static let everyone = SID(authority: 1, subAuthorities: [0])
    public static let creatorOwner = SID(authority: 3, subAuthorities: [0])
    public static let creatorGroup = SID(authority: 3, subAuthorities: [1])
    /// OWNER RIGHTS: an ACE for it replaces the owner's implicit READ_CONTROL | WRITE_DAC.
    public static let ownerRights = SID(authority: 3, subAuthorities: [4])
    public static let localSystem = SID(authority: 5, subAuthorities: [18])
    public static let administrators = SID(authority: 5, subAuthorities: [32, 544])
    public static let eventLogReaders = SID(authority: 5, subAuthorities: [32, 573])
    public static let performanceMonitorUsers = SID(authority: 5, subAuthorities: [32, 558])
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
