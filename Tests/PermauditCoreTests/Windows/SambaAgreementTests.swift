import Foundation
import PermauditCore
import Testing

/// Samba is the specification of the Windows access check, as the kernel is on Linux: random
/// descriptors and tokens, permaudit's answer against Samba's `se_access_check` (Debian's python3-samba,
/// run with /usr/bin/python3), 0 disagreements.
///
/// What the test translates before it asks, because Samba 4.17 does not do it: SDDL rights aliases
/// KA/KR/KW/KX (its parser lacks them) and every mask are written as hex, with the generic rights of
/// the ACEs and of the desired mask mapped for the object type (its check does not map them); SID
/// aliases are written as S-1-... SIDs.
/// What it does not ask Samba, because Samba does not model it as Windows does (each is a table test in
/// WindowsAccessCheckTests instead): NULL and absent DACLs (its parser has no NO_ACCESS_CONTROL; it
/// denies with no DACL), object and conditional ACEs (it ignores OA and treats every OD as a deny, and
/// does not evaluate conditions), OWNER RIGHTS ACEs for a token that holds the owner (it applies them
/// after the walk, not in order), ACCESS_SYSTEM_SECURITY inside an ACE's mask (it lets an ACE grant it),
/// and MAXIMUM_ALLOWED over a DACL whose matching denies do not all come before its allows (it ORs the
/// allows and subtracts the denies, unordered) or that denies the owner READ_CONTROL/WRITE_DAC.
///
/// `PERMAUDIT_SAMBA_CASES=N` (default 5000) sets how many; `PERMAUDIT_SEED=S` replays a run.
@Suite("Samba agreement")
struct SambaAgreementTests {
    static let python = "/usr/bin/python3"
    static let helper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samba/samba_access_check.py").path
    static let hasSamba: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import samba.security, samba.dcerpc.security"]
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    static let domain = "S-1-5-21-1000-2000-3000"
    static let agent = SID(string: domain + "-1001")!
    /// SIDs a token may hold, and some it never does.
    static let tokenPool = ["S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-6", "S-1-5-32-573", "S-1-5-32-558", "S-1-5-32-544", domain + "-513", domain + "-1105"]
    static let otherPool = ["S-1-5-18", "S-1-5-19", "S-1-5-20", "S-1-3-0", "S-1-5-4", "S-1-5-32-551", domain + "-1002"]
    static let aliasOf = SIDAliases.aliasOf

    struct Case {
        var sddl: String
        var sambaSDDL: String
        var token: WindowsToken
        var kind: WindowsObjectKind
        var desired: UInt32
        var maximum: Bool
    }

    @Test(.enabled(if: hasSamba, "needs python3-samba for /usr/bin/python3 (apt-get install python3-samba)"))
    func agreesWithSamba() throws {
        let env = ProcessInfo.processInfo.environment
        let count = Int(env["PERMAUDIT_SAMBA_CASES"] ?? "") ?? 5000
        let seed = UInt64(env["PERMAUDIT_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("Samba agreement: \(count) cases, PERMAUDIT_SEED=\(seed)")
        var rng = SplitMix64(seed: seed)
        let cases = (0..<count).map { _ in Self.randomCase(&rng) }

        let input = cases.map { c in
            "{\"sddl\":\"\(c.sambaSDDL)\",\"sids\":[\(([c.token.user] + c.token.groups).map { "\"\($0)\"" }.joined(separator: ","))],\"desired\":\(c.desired | (c.maximum ? WindowsRights.maximumAllowed : 0))}"
        }.joined(separator: "\n") + "\n"
        let answers = try Self.askSamba(input)
        try #require(answers.count == cases.count, "Samba answered \(answers.count) of \(cases.count)")

        var disagreements = 0
        var granted = 0
        for (c, a) in zip(cases, answers) {
            if let e = a["error"] as? String { Issue.record("Samba could not judge \(c.sambaSDDL): \(e) (seed \(seed))"); disagreements += 1; continue }
            let sd = try SDDL.parse(c.sddl, domain: SID(string: Self.domain))
            let ours = WindowsAccessCheck.check(sd, token: c.token, desired: c.desired | (c.maximum ? WindowsRights.maximumAllowed : 0), kind: c.kind, object: "obj")
            let sambaGranted = a["granted"] as? Bool ?? false
            let sambaMask = (a["mask"] as? NSNumber)?.uint32Value ?? 0
            let agree: Bool
            if c.maximum {
                agree = (sambaGranted ? sambaMask : 0) == ours.grantedMask
            } else {
                agree = sambaGranted == (ours.verdict == .granted) && ours.verdict != .unknown
            }
            if ours.verdict == .granted { granted += 1 }
            if !agree {
                disagreements += 1
                if disagreements <= 10 {
                    Issue.record("""
                        disagreement (PERMAUDIT_SEED=\(seed)): \(c.kind.rawValue) \(c.sddl)
                          as Samba reads it: \(c.sambaSDDL) (Samba: \(a["parsed"] ?? ""))
                          token \(([c.token.user] + c.token.groups).map(\.description).joined(separator: ","))
                          desired \(WindowsRights.hex(c.desired))\(c.maximum ? " | MAXIMUM_ALLOWED" : "")
                          Samba: \(sambaGranted ? "granted \(WindowsRights.hex(sambaMask))" : "denied"); permaudit: \(ours.verdict) \(WindowsRights.hex(ours.grantedMask)) (\(ours.reason))
                        """)
                }
            }
        }
        print("Samba agreement: \(cases.count) cases (\(granted) granted, \(cases.filter(\.maximum).count) MAXIMUM_ALLOWED), \(disagreements) disagreements, PERMAUDIT_SEED=\(seed)")
        #expect(disagreements == 0)
        // A test that cannot fail proves nothing: the cases must cover both answers.
        #expect(granted > count / 20 && granted < count - count / 20, "\(granted) of \(count) granted")
    }

    static func askSamba(_ input: String) throws -> [[String: Any]] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [helper]
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        try p.run()
        // Write from another thread so a full pipe on either side cannot deadlock.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func randomCase(_ r: inout SplitMix64) -> Case {
        let kind = WindowsObjectKind.allCases[r.below(4)]
        let mapping = kind.mapping
        var groups: [SID] = []
        for s in tokenPool where r.below(100) < 45 { groups.append(SID(string: s)!) }
        let token = WindowsToken(user: agent, groups: groups)
        let ownerPool = [agent.description] + tokenPool + otherPool
        let owner = SID(string: ownerPool[r.below(ownerPool.count)])!
        let ownerInToken = token.has(owner)
        let trustees = [agent.description] + tokenPool + otherPool + (ownerInToken ? [] : ["S-1-3-4"])

        var ours = "O:" + spell(owner, &r) + "G:" + spell(SID(string: "S-1-5-18")!, &r) + "D:" + ["", "P", "AI", "PAI"][r.below(4)]
        var samba = "O:\(owner)G:S-1-5-18D:"
        var aces: [(deny: Bool, mask: UInt32, sid: SID, inheritOnly: Bool)] = []
        for _ in 0..<r.below(9) {
            let deny = r.below(100) < 30
            var flags = ""
            for f in ["OI", "CI", "NP", "IO", "ID"] where r.below(100) < 15 { flags += f }
            let (maskText, mask) = randomMask(&r, kind: kind)
            let sid = SID(string: trustees[r.below(trustees.count)])!
            let type = deny ? "D" : "A"
            ours += "(\(type);\(flags);\(maskText);;;\(spell(sid, &r)))"
            samba += "(\(type);\(flags);0x\(String(mapping.map(mask), radix: 16));;;\(sid))"
            aces.append((deny, mapping.map(mask), sid, flags.contains("IO")))
        }
        // The rights asked: some of the object's, sometimes generic, sometimes ACCESS_SYSTEM_SECURITY.
        var desired: UInt32 = 0
        let bits = (0..<9).map { UInt32(1) << $0 } + [WindowsRights.delete, WindowsRights.readControl, WindowsRights.writeDAC, WindowsRights.writeOwner, WindowsRights.synchronize]
        repeat {
            for b in bits where mapping.all & b != 0 || b == WindowsRights.synchronize { if r.below(100) < 20 { desired |= b } }
            if r.below(100) < 10 { desired |= [WindowsRights.genericRead, WindowsRights.genericWrite, WindowsRights.genericExecute, WindowsRights.genericAll][r.below(4)] }
            if r.below(100) < 2 { desired |= WindowsRights.accessSystemSecurity }
        } while desired == 0
        // MAXIMUM_ALLOWED only where Samba's unordered answer is Windows' ordered one.
        let matching = aces.filter { !$0.inheritOnly && token.has($0.sid) }
        let firstAllow = matching.firstIndex { !$0.deny } ?? matching.count
        let canonical = !matching[firstAllow...].contains { $0.deny }
        let deniesOwner = ownerInToken && matching.contains { $0.deny && $0.mask & 0x60000 != 0 }
        let maximum = canonical && !deniesOwner && r.below(100) < 15
        if maximum { desired = 0 }
        return Case(sddl: ours, sambaSDDL: samba, token: token, kind: kind, desired: maximum ? 0 : mapping.map(desired), maximum: maximum)
    }

    /// A SID as SDDL may write it: its alias or the S-1-... form.
    static func spell(_ sid: SID, _ r: inout SplitMix64) -> String {
        if let a = aliasOf[sid.description], r.below(2) == 0 { return a }
        return sid.description
    }

    /// A mask as SDDL may write it: hex, decimal, or rights aliases (the object's own and the generic ones).
    static func randomMask(_ r: inout SplitMix64, kind: WindowsObjectKind) -> (String, UInt32) {
        switch r.below(4) {
        case 0:
            let names = ["GA", "GR", "GW", "GX", "RC", "SD", "WD", "WO", "CC", "DC", "LC", "SW", "RP", "WP", "KA", "KR", "KW", "KX", "FA", "FR", "FW", "FX"]
            var text = "", mask: UInt32 = 0
            for _ in 0...r.below(3) {
                let n = names[r.below(names.count)]
                text += n
                mask |= SDDL.rightAliases[n]!
            }
            return (text, mask)
        case 1:
            let m = UInt32(truncatingIfNeeded: r.next()) & (kind.mapping.all | WindowsRights.synchronize) | UInt32(r.below(2)) << 31
            return (String(max(m, 1)), max(m, 1))
        default:
            var m = UInt32(truncatingIfNeeded: r.next()) & (kind.mapping.all | WindowsRights.synchronize)
            if r.below(100) < 20 { m &= UInt32(truncatingIfNeeded: r.next()) }
            if r.below(100) < 10 { m |= WindowsRights.genericBits & UInt32(truncatingIfNeeded: r.next()) }
            m = max(m, 1)
            return ("0x" + String(m, radix: 16, uppercase: r.below(2) == 0), m)
        }
    }
}

/// SplitMix64: a small seeded generator, so a failing run can be replayed from its printed seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
