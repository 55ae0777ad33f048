import PermauditAudit
import PermauditCore
import PermauditFacts

/// Plans the Windows fixes from the findings of `audit --facts`: the built-in groups the rules name (by
/// SID), one ACE with exactly the mask the agent opens a registry key with, and nothing for what only
/// an administrator can do.
public enum WindowsFixPlanner {
    /// The SIDs, besides the account's, whose rights on a changed key are compared before and after.
    static let observers = ["S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-32-544", "S-1-5-18", "S-1-5-19", "S-1-5-20", "S-1-5-6", "S-1-15-2-1", "S-1-3-4"]

    public static func plan(_ findings: [Finding], facts: WindowsFacts) throws -> WindowsFixPlan {
        let token: WindowsToken
        switch facts.token() {
        case .success(let t): token = t
        case .failure(let p): throw FactsQueryError("fix --facts: \(p); a fix needs the account's SID")
        }
        var steps: [WindowsFixPlan.Step] = []
        var unresolved: [WindowsFixPlan.Unresolved] = []
        var groups: [(sid: String, rules: [String])] = []
        func join(_ sid: String, _ rule: String) {
            if let i = groups.firstIndex(where: { $0.sid == sid }) { groups[i].rules.append(rule) } else { groups.append((sid, [rule])) }
        }
        for f in findings where f.state == .fail {
            switch f.ruleID {
            case "windows.security-log.read", "windows.sysmon-channel.read":
                if f.evidence.contains(where: { $0.hasPrefix("with ") && $0.contains("the narrow fix is that group") }) {
                    join(SID.eventLogReaders.description, f.ruleID)
                } else {
                    steps.append(.grantChannel(try channelGrant(channel: f.object, ruleID: f.ruleID, token: token, facts: facts)))
                }
            case "windows.perf-counters.read":
                join(SID.performanceMonitorUsers.description, f.ruleID)
            case "windows.partmgr.registry":
                steps.append(.grantRegistryKey(try registryGrant(key: f.object, ruleID: f.ruleID, mask: 0x2001F, token: token, facts: facts)))
            case "windows.volume.open":
                unresolved.append(.init(ruleID: f.ruleID, object: f.object, why: "no safe grant exists: opening a volume needs an administrator; accept the missing disk usage data or collect it with a privileged agent"))
            case "windows.processes.open":
                unresolved.append(.init(ruleID: f.ruleID, object: f.object, why: "no safe grant exists: SeDebugPrivilege is an administrator's; accept partial process data"))
            default:
                unresolved.append(.init(ruleID: f.ruleID, object: f.object, why: "no PowerShell fix is planned for this rule: \(f.leastPrivilegeFix ?? "see the rule")"))
            }
        }
        let joins = groups.map { g in
            WindowsFixPlan.Step.joinGroup(.init(
                groupSID: g.sid, groupName: GroupNames.name(g.sid, facts: facts), ruleIDs: g.rules,
                opens: opens(joining: g.sid, token: token, facts: facts)))
        }
        steps = joins + steps
        let account = (try? facts.account.get().name) ?? token.user.description
        let base = facts.file.file.split(separator: "/").last.map(String.init) ?? facts.file.file
        let id = Fingerprint.fnv1a64(base + "\u{0}" + token.user.description + "\u{0}" + steps.map { "\($0)" }.joined()).prefix(8)
        return WindowsFixPlan(
            account: account, accountSID: token.user.description, factsFile: base, host: facts.file.host.name,
            steps: steps, unresolved: unresolved, id: String(id))
    }

    /// Every channel of the facts the account reads with the group and could not read without it.
    static func opens(joining group: String, token: WindowsToken, facts: WindowsFacts) -> [String] {
        guard let g = SID(string: group) else { return [] }
        var with = token
        with.groups.append(g)
        var out: [String] = []
        for item in facts.securedItems {
            guard let kind = kind(of: item), let (s, sd) = try? facts.descriptor(item).get() else { continue }
            let desired: UInt32 = kind == .eventChannel ? 0x1 : kind == .registryKey ? 0x20019 : kind == .service ? 0x2008D : 0x120089
            let before = WindowsAccessCheck.check(sd, token: token, desired: desired, kind: kind, object: s.name)
            let after = WindowsAccessCheck.check(sd, token: with, desired: desired, kind: kind, object: s.name)
            if before.verdict != .granted && after.verdict == .granted { out.append("read \(kind.rawValue) \(s.name)") }
        }
        return out
    }

    static func kind(of item: String) -> WindowsObjectKind? {
        if item.hasPrefix("registry:") { return .registryKey }
        if item.hasPrefix("channel:") { return .eventChannel }
        if item.hasPrefix("service:") { return .service }
        if item.hasPrefix("pipe:") { return .file }
        return nil
    }

    /// One read ACE for the account in a channel's ACL, where Event Log Readers would not open it.
    static func channelGrant(channel: String, ruleID: String, token: WindowsToken, facts: WindowsFacts) throws -> WindowsFixPlan.ChannelGrant {
        guard case .success(let (s, sd)) = try facts.descriptor(WindowsFacts.Item.channel(channel)) else {
            throw FactsQueryError("fix --facts: the facts hold no channelAccess of \(channel)")
        }
        let ace = "(A;;0x1;;;\(token.user))"
        let after = try SDDLEdit.addingExplicitACE(ace, to: s.sddl)
        let newSD = try SDDL.parse(after)
        let account = WindowsAccessCheck.check(newSD, token: token, desired: 0x1, kind: .eventChannel, object: channel)
        guard account.verdict == .granted else { throw FactsQueryError("fix --facts: the planned ACE \(ace) would not let the account read \(channel): \(account.reason)") }
        return .init(channel: channel, ruleID: ruleID, sddlBefore: s.sddl, sddlAfter: after, ace: ace, othersChanged: othersChanged(before: sd, after: newSD, kind: .eventChannel, account: token.user))
    }

    /// The SIDs (each alone) whose maximum rights differ between two descriptors, the account's aside.
    static func othersChanged(before sd: SecurityDescriptor, after newSD: SecurityDescriptor, kind: WindowsObjectKind, account: SID) -> [String] {
        var changed: [String] = []
        let others = Set(sd.daclEntries.map(\.trustee.description) + observers).subtracting([account.description]).sorted()
        for o in others {
            guard let sid = SID(string: o) else { continue }
            let t = WindowsToken(user: sid, groups: [])
            let b = WindowsAccessCheck.check(sd, token: t, desired: WindowsRights.maximumAllowed, kind: kind, object: "").grantedMask
            let a = WindowsAccessCheck.check(newSD, token: t, desired: WindowsRights.maximumAllowed, kind: kind, object: "").grantedMask
            if a != b { changed.append(o) }
        }
        return changed
    }

    /// One ACE for the account with exactly `mask` on the key, no inheritance; judged again on the new descriptor.
    static func registryGrant(key: String, ruleID: String, mask: UInt32, token: WindowsToken, facts: WindowsFacts) throws -> WindowsFixPlan.RegistryGrant {
        guard case .success(let (s, sd)) = try facts.descriptor(WindowsFacts.Item.registryKey(key)) else {
            throw FactsQueryError("fix --facts: the facts hold no descriptor of \(key)")
        }
        let ace = "(A;;0x\(String(mask, radix: 16));;;\(token.user))"
        let after = try SDDLEdit.addingExplicitACE(ace, to: s.sddl)
        let newSD = try SDDL.parse(after)
        let account = WindowsAccessCheck.check(newSD, token: token, desired: mask, kind: .registryKey, object: key)
        guard account.verdict == .granted else { throw FactsQueryError("fix --facts: the planned ACE \(ace) would not grant \(WindowsRights.hex(mask)) on \(key): \(account.reason)") }
        // Nobody else gains: each other SID's maximum rights are the same before and after.
        let changed = othersChanged(before: sd, after: newSD, kind: .registryKey, account: token.user)
        let owner = sd.owner?.description ?? ""
        let max = WindowsAccessCheck.check(newSD, token: token, desired: WindowsRights.maximumAllowed, kind: .registryKey, object: key).grantedMask
        return .init(key: key, ruleID: ruleID, mask: mask, owner: owner, sddlBefore: s.sddl, sddlAfter: after, ace: ace, accountAfter: max, othersChanged: changed)
    }
}

/// Group names: the facts' (localized), else the well-known English ones.
enum GroupNames {
    static func name(_ sid: String, facts: WindowsFacts) -> String {
        if case .success(let g) = facts.group(sid) { return g.name }
        return ["S-1-5-32-573": "Event Log Readers", "S-1-5-32-558": "Performance Monitor Users"][sid] ?? sid
    }
}
