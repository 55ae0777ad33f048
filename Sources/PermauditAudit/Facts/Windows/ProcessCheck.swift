import PermauditFacts

/// `windows-process`: OpenProcess on other users' processes needs a privilege (SeDebugPrivilege) the
/// account does not hold; no safe grant exists (the privilege is an administrator's).
enum ProcessCheck {
    static func run(_ c: WindowsRuleContext) -> Finding {
        let privilege = c.fields["privilege"] ?? "SeDebugPrivilege"
        let rights: [String]
        switch c.facts.rights {
        case .success(let r): rights = r
        case .failure(let p): return c.unknown(p)
        }
        let held = rights.contains { $0.caseInsensitiveCompare(privilege) }
        let evidence = [
            "the account holds \(rights.count) user right(s) and privilege(s): \(rights.isEmpty ? "none" : rights.joined(separator: ", "))",
            held ? "ok \(privilege) is held" : "NO \(privilege) is not held",
        ]
        if held { return c.finding(.pass, "the account holds \(privilege): it opens other users' processes", evidence: evidence) }
        return c.finding(.fail, "the account lacks \(privilege): other users' processes stay partly hidden; no safe grant exists", evidence: evidence)
    }
}

extension String {
    /// Windows names privileges case-insensitively.
    func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
