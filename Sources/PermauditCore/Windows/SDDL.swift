/// The Security Descriptor Definition Language, read in full: `O:` owner, `G:` group, `D:` and `S:` with
/// their flags (`P`, `AI`, `AR`, `NO_ACCESS_CONTROL`) and ACEs `(type;flags;rights;object;inherit;sid[;condition])`.
/// Anything it does not know is an `SDDLError` that points at it.
public enum SDDL {
    /// The rights aliases: generic, standard, directory-service, file and registry ones, and the label ones.
    public static let rightAliases: [String: UInt32] = [
        "GA": 0x1000_0000, "GR": 0x8000_0000, "GW": 0x4000_0000, "GX": 0x2000_0000,
        "RC": 0x20000, "SD": 0x10000, "WD": 0x40000, "WO": 0x80000,
        "RP": 0x10, "WP": 0x20, "CC": 0x1, "DC": 0x2, "LC": 0x4, "SW": 0x8, "LO": 0x80, "DT": 0x40, "CR": 0x100,
        "FA": 0x1F01FF, "FR": 0x120089, "FW": 0x120116, "FX": 0x1200A0,
        "KA": 0xF003F, "KR": 0x20019, "KW": 0x20006, "KX": 0x20019,
        "NR": 0x1, "NW": 0x2, "NX": 0x4,
    ]

    static let aceFlags: [String: ACE.Flags] = [
        "OI": .objectInherit, "CI": .containerInherit, "NP": .noPropagate, "IO": .inheritOnly, "ID": .inherited,
        "SA": .successfulAccess, "FA": .failedAccess,
    ]

    /// Parses an SDDL string.
    /// - Parameters:
    ///   - domain: the domain SID for domain-relative aliases (`DA`, `DU`); nil makes them an error.
    ///   - resolved: domain-relative aliases as the host that printed the SDDL resolves them (a collector's
    ///     `sddl-aliases`); they win over `domain`.
    /// - Throws: `SDDLError` with the offset and what is wrong.
    public static func parse(_ sddl: String, domain: SID? = nil, resolved: [String: SID] = [:]) throws(SDDLError) -> SecurityDescriptor {
        var p = Parser(text: Array(sddl), sddl: sddl, domain: domain, resolved: resolved)
        return try p.descriptor()
    }

    struct Parser {
        let text: [Character]
        let sddl: String
        let domain: SID?
        let resolved: [String: SID]
        var i = 0

        func fail(_ problem: SDDLError.Problem, at offset: Int? = nil) -> SDDLError {
            SDDLError(sddl: sddl, offset: offset ?? i, problem: problem)
        }

        /// Whether a component (`O:`, `G:`, `D:`, `S:`) starts at `k`.
        func componentStarts(at k: Int) -> Bool {
            k + 1 < text.count && "OGDS".contains(text[k]) && text[k + 1] == ":"
        }

        mutating func descriptor() throws(SDDLError) -> SecurityDescriptor {
            while i < text.count, text[i] == " " { i += 1 }
            var end = text.count
            while end > i, text[end - 1] == " " || text[end - 1] == "\n" || text[end - 1] == "\r" { end -= 1 }
            guard i < end else { throw fail(.empty) }
            var sd = SecurityDescriptor(owner: nil, group: nil, dacl: .absent, sacl: nil)
            var seen: Set<Character> = []
            while i < end {
                guard componentStarts(at: i) else { throw fail(.unexpected(String(text[i..<min(end, i + 8)]))) }
                let c = text[i]
                guard seen.insert(c).inserted else { throw fail(.duplicate("\(c):")) }
                let start = i
                i += 2
                switch c {
                case "O", "G":
                    let s = i
                    while i < end, !componentStarts(at: i) { i += 1 }
                    let word = String(text[s..<i])
                    let sid = try self.sid(word, at: s)
                    if c == "O" {
                        sd.owner = sid
                        sd.ownerText = String(text[start..<i])
                    } else {
                        sd.group = sid
                        sd.groupText = String(text[start..<i])
                    }
                default:
                    let (flags, entries, isNull) = try acl(end: end)
                    if c == "D" {
                        sd.dacl = isNull ? .null : .list(WindowsACL(flagsText: flags, entries: entries))
                    } else {
                        sd.sacl = WindowsACL(flagsText: flags, entries: entries)
                        sd.saclText = String(text[start..<i])
                    }
                }
            }
            return sd
        }

        mutating func acl(end: Int) throws(SDDLError) -> (String, [ACE], Bool) {
            let s = i
            var isNull = false
            while i < end, text[i] != "(", !componentStarts(at: i) {
                let rest = String(text[i..<end])
                if rest.hasPrefix("NO_ACCESS_CONTROL") {
                    isNull = true
                    i += 17
                } else if rest.hasPrefix("AI") || rest.hasPrefix("AR") {
                    i += 2
                } else if text[i] == "P" {
                    i += 1
                } else {
                    throw fail(.unknownACLFlag(String(text[i..<min(end, i + 2)])))
                }
            }
            let flags = String(text[s..<i])
            var entries: [ACE] = []
            while i < end, text[i] == "(" { entries.append(try ace(end: end)) }
            if i < end, !componentStarts(at: i) { throw fail(.unexpected(String(text[i..<min(end, i + 8)]))) }
            if isNull, !entries.isEmpty { throw fail(.brokenACE("NO_ACCESS_CONTROL (a NULL DACL) cannot hold ACEs"), at: s) }
            return (flags, entries, isNull)
        }

        mutating func ace(end: Int) throws(SDDLError) -> ACE {
            let open = i
            i += 1
            // Fields split on ';' outside a callback's condition, which may hold parentheses, quotes and ';'.
            var fields: [(String, Int)] = []
            var fieldStart = i
            var depth = 0
            var quoted = false
            while true {
                guard i < end else { throw fail(.brokenACE("no closing ')'"), at: open) }
                let ch = text[i]
                if quoted {
                    if ch == "\"" { quoted = false }
                } else if ch == "\"" {
                    quoted = true
                } else if ch == "(" {
                    depth += 1
                } else if ch == ")" {
                    if depth == 0 { break }
                    depth -= 1
                } else if ch == ";", depth == 0 {
                    fields.append((String(text[fieldStart..<i]), fieldStart))
                    fieldStart = i + 1
                }
                i += 1
            }
            fields.append((String(text[fieldStart..<i]), fieldStart))
            i += 1
            let aceText = String(text[open..<i])
            guard fields.count == 6 || fields.count == 7 else {
                throw fail(.brokenACE("\(fields.count) field(s) where 6 are needed (7 with a condition)"), at: open)
            }
            guard let kind = ACE.Kind(rawValue: fields[0].0) else { throw fail(.unknownACEType(fields[0].0), at: fields[0].1) }
            var flags: ACE.Flags = []
            let f = Array(fields[1].0)
            guard f.count % 2 == 0 else { throw fail(.unknownACEFlag(fields[1].0), at: fields[1].1) }
            for k in stride(from: 0, to: f.count, by: 2) {
                let word = String(f[k..<k + 2])
                guard let flag = SDDL.aceFlags[word] else { throw fail(.unknownACEFlag(word), at: fields[1].1 + k) }
                flags.insert(flag)
            }
            let mask = try rights(fields[2].0, at: fields[2].1)
            let object = try guid(fields[3].0, at: fields[3].1)
            let inherit = try guid(fields[4].0, at: fields[4].1)
            if !kind.isObject, object != nil || inherit != nil {
                throw fail(.brokenACE("a '\(kind.rawValue)' ACE takes no object GUIDs (use OA/OD)"), at: fields[3].1)
            }
            let trustee = try sid(fields[5].0, at: fields[5].1)
            var condition: String?
            if fields.count == 7 {
                guard kind.isCallback || kind == .resourceAttribute || kind == .callbackAudit else {
                    throw fail(.brokenACE("only callback ACEs (XA, XD, ZA, XU) and RA carry a 7th field"), at: fields[6].1)
                }
                condition = fields[6].0
            } else if kind.isCallback {
                throw fail(.brokenACE("a callback ACE needs its condition as the 7th field"), at: open)
            }
            return ACE(kind: kind, flags: flags, mask: mask, objectType: object, inheritedObjectType: inherit, trustee: trustee, condition: condition, text: aceText)
        }

        func rights(_ word: String, at offset: Int) throws(SDDLError) -> UInt32 {
            if word.isEmpty { throw fail(.brokenACE("no rights"), at: offset) }
            if word.hasPrefix("0x") || word.hasPrefix("0X") {
                let hex = word.dropFirst(2)
                guard !hex.isEmpty, hex.count <= 8, let v = UInt32(hex, radix: 16) else { throw fail(.badMask(word), at: offset) }
                return v
            }
            if let c = word.first, c.isASCIIDigit {
                guard word.allSatisfy(\.isASCIIDigit), let v = UInt32(word) else { throw fail(.badMask(word), at: offset) }
                return v
            }
            let r = Array(word)
            guard r.count % 2 == 0 else { throw fail(.unknownRight(word), at: offset) }
            var mask: UInt32 = 0
            for k in stride(from: 0, to: r.count, by: 2) {
                let a = String(r[k..<k + 2])
                guard let v = SDDL.rightAliases[a] else { throw fail(.unknownRight(a), at: offset + k) }
                mask |= v
            }
            return mask
        }

        func guid(_ word: String, at offset: Int) throws(SDDLError) -> String? {
            if word.isEmpty { return nil }
            let groups = word.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            guard groups == [8, 4, 4, 4, 12], word.allSatisfy({ $0 == "-" || $0.isHexDigit }) else {
                throw fail(.brokenACE("'\(word)' is not a GUID"), at: offset)
            }
            return word.lowercased()
        }

        func sid(_ word: String, at offset: Int) throws(SDDLError) -> SID {
            if word.hasPrefix("S-") || word.hasPrefix("s-") {
                guard let s = SID(string: word) else { throw fail(.badSID(word), at: offset) }
                return s
            }
            if word.isEmpty { throw fail(.badSID(word), at: offset) }
            if SIDAliases.domainRelative[word] != nil, let s = resolved[word] { return s }
            switch SIDAliases.sid(word, domain: domain) {
            case .success(let s): return s
            case .failure(let p): throw fail(p, at: offset)
            }
        }
    }
}
