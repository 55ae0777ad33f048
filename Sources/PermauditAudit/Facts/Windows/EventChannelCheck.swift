import PermauditCore
import PermauditFacts

/// `windows-event-channel`: the account reads the channel (ELF_LOGFILE_READ, 0x1, on the channel's
/// `channelAccess` SDDL); when it cannot, whether the reader group (Event Log Readers) would let it.
enum EventChannelCheck {
    static func run(_ c: WindowsRuleContext) throws(FactsFileError) -> Finding {
        let channel = c.fields["channel"] ?? ""
        let item = WindowsFacts.Item.channel(channel)
        switch try SecuredObjectCheck.judge(c.facts, item: item, kind: .eventChannel, desired: 0x1) {
        case .failure(let p): return c.unknown(p)
        case .success(let j):
            var extra: [String] = []
            if j.decision.verdict == .denied, let group = c.fields["reader-group-sid"].flatMap(SID.init(string:)) {
                var with = j.token
                with.groups.append(group)
                let fixed = WindowsAccessCheck.check(j.descriptor, token: with, desired: 0x1, kind: .eventChannel, object: j.secured.name)
                let name = GroupInTokenCheck.groupName(group.description, facts: c.facts)
                extra.append(fixed.verdict == .granted
                    ? "with \(name) (\(group)) in its token the account would read \(channel): the narrow fix is that group"
                    : "even \(name) (\(group)) would not let the account read \(channel): the channel's ACL needs an ACE for the account (wevtutil sl \(channel) /ca:...)")
            }
            return SecuredObjectCheck.finding(c, j, extra: extra)
        }
    }
}
