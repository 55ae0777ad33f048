import PermauditFacts

/// Whether a group SID is in the account's token: what Event Log Readers and Performance Monitor Users
/// rules ask. The token's groups decide; the group's member list (when gathered) is shown beside it.
enum GroupInTokenCheck {
    static func run(_ c: WindowsRuleContext, group: String) -> Finding {
        let account: WindowsFacts.Account
        switch c.facts.account {
        case .success(let a): account = a
        case .failure(let p): return c.unknown(p)
        }
        let (inToken, evidence) = judge(account, group: group, facts: c.facts)
        let name = groupName(group, facts: c.facts)
        if inToken { return c.finding(.pass, "\(account.name) is in \(name) (\(group))", evidence: evidence) }
        return c.finding(.fail, "\(account.name) is not in \(name) (\(group))", evidence: evidence)
    }

    /// Whether the group is in the token, with the evidence lines.
    static func judge(_ account: WindowsFacts.Account, group: String, facts: WindowsFacts) -> (Bool, [String]) {
        let inToken = account.groups.contains { $0.sid == group }
        var evidence = [
            "account \(account.name) \(account.sid): \(account.groups.count) group SID(s) in its token (from the \(account.groupsSource))",
            inToken ? "ok \(group) is in the token" : "NO \(group) is not in the token",
        ]
        if case .success(let g) = facts.group(group) {
            let listed = g.members.contains { $0.sid == account.sid }
            evidence.append("\(g.name) (\(g.sid)) lists \(g.members.count) member(s)\(listed ? ", the account among them" : ", not the account")")
        }
        return (inToken, evidence)
    }

    /// The group's name from the facts, else the well-known one.
    static func groupName(_ sid: String, facts: WindowsFacts) -> String {
        if case .success(let g) = facts.group(sid) { return g.name }
        return WellKnownGroups.names[sid] ?? sid
    }
}

/// Names of the built-in groups the Windows rules speak of (the facts' own names win: they are localized).
enum WellKnownGroups {
    static let administrators = "S-1-5-32-544"
    static let names: [String: String] = [
        "S-1-5-32-544": "Administrators", "S-1-5-32-545": "Users", "S-1-5-32-558": "Performance Monitor Users",
        "S-1-5-32-559": "Performance Log Users", "S-1-5-32-573": "Event Log Readers",
    ]
}
