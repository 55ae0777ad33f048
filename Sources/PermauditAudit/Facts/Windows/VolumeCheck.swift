import PermauditFacts

/// `windows-volume`: opening a volume device (`\\.\C:`) needs an administrator; no narrower grant exists.
enum VolumeCheck {
    static func run(_ c: WindowsRuleContext) -> Finding {
        let volume = c.fields["volume"] ?? "\\\\.\\C:"
        let account: WindowsFacts.Account
        switch c.facts.account {
        case .success(let a): account = a
        case .failure(let p): return c.unknown(p)
        }
        let admin = account.groups.contains { $0.sid == WellKnownGroups.administrators }
        let evidence = [
            "opening \(volume) for disk usage needs an administrator's token (Administrators, \(WellKnownGroups.administrators)); no narrower grant exists",
            admin ? "ok \(WellKnownGroups.administrators) is in \(account.name)'s token" : "NO \(WellKnownGroups.administrators) is not in \(account.name)'s token",
        ]
        if admin { return c.finding(.pass, "\(account.name) is an administrator: it can open \(volume)", evidence: evidence) }
        return c.finding(.fail, "\(account.name) cannot open \(volume): only administrators can, and no safe grant exists", evidence: evidence)
    }
}
