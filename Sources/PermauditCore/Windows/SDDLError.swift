/// An SDDL string permaudit refuses to read, with where and what (exit 2: never a guessed descriptor).
public struct SDDLError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Error, Sendable, Hashable {
        case unknownSIDAlias(String)
        case domainAliasWithoutDomain(String)
        case badSID(String)
        case unknownRight(String)
        case badMask(String)
        case unknownACEType(String)
        case unknownACEFlag(String)
        case unknownACLFlag(String)
        case brokenACE(String)
        case unexpected(String)
        case duplicate(String)
        case empty
    }

    public var sddl: String
    /// 0-based character offset where the problem is.
    public var offset: Int
    public var problem: Problem

    public init(sddl: String, offset: Int, problem: Problem) {
        self.sddl = sddl
        self.offset = offset
        self.problem = problem
    }

    public var description: String {
        let what: String
        switch problem {
        case .unknownSIDAlias(let a): what = "'\(a)' is not an SDDL SID alias (SY, BA, BU, AU, WD, NS, LS, IU, SU, SO, OW, ER, ...) nor a SID S-1-..."
        case .domainAliasWithoutDomain(let a): what = "'\(a)' names a domain group: its SID depends on the domain; write the SID (S-1-5-21-...-RID) instead, or give the domain (explain --domain-sid)"
        case .badSID(let s): what = "'\(s)' is not a SID (S-1-5-...)"
        case .unknownRight(let r): what = "'\(r)' is not an SDDL right (GA, GR, GW, GX, RC, SD, WD, WO, KA, KR, KW, KX, FA, FR, FW, FX, CC, DC, LC, SW, RP, WP, DT, LO, CR, NR, NW, NX) nor a mask 0x..."
        case .badMask(let m): what = "'\(m)' is not a 32-bit mask"
        case .unknownACEType(let t): what = "'\(t)' is not an ACE type (A, D, OA, OD, AU, AL, OU, OL, ML, XA, XD, ZA, XU, SP, RA)"
        case .unknownACEFlag(let f): what = "'\(f)' is not an ACE flag (CI, OI, NP, IO, ID, SA, FA)"
        case .unknownACLFlag(let f): what = "'\(f)' is not an ACL flag (P, AI, AR, NO_ACCESS_CONTROL)"
        case .brokenACE(let why): what = "a broken ACE: \(why); an ACE is (type;flags;rights;object-guid;inherit-guid;sid)"
        case .unexpected(let t): what = "unexpected '\(t)': an SDDL is O:owner G:group D:flags(ace)... S:flags(ace)..."
        case .duplicate(let c): what = "\(c) is given twice"
        case .empty: what = "the SDDL is empty"
        }
        return "SDDL at character \(offset + 1): \(what)\n  \(sddl)\n  \(String(repeating: " ", count: offset))^"
    }
}
