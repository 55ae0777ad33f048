import PermauditCore
import PermauditFacts

/// The access check on one secured object of the facts (a registry key, event channel, service or
/// pipe) for the account's token: what the event channel, registry key and named pipe rules share.
enum SecuredObjectCheck {
    struct Judged {
        var decision: WindowsAccessDecision
        var token: WindowsToken
        var secured: WindowsFacts.Secured
        var descriptor: SecurityDescriptor
    }

    /// The decision, or why it cannot be had (an item missing or unreadable).
    static func judge(_ facts: WindowsFacts, item: String, kind: WindowsObjectKind, desired: UInt32) throws(FactsFileError) -> Result<Judged, FactsItemProblem> {
        let token: WindowsToken
        switch facts.token() {
        case .success(let t): token = t
        case .failure(let p): return .failure(p)
        }
        switch try facts.descriptor(item) {
        case .failure(let p): return .failure(p)
        case .success(let (s, sd)):
            var d = WindowsAccessCheck.check(sd, token: token, desired: desired, kind: kind, object: s.name)
            if case .failure(let p) = facts.rights { d.caveats.append("privileges unknown (\(p)); judged as if the account held none") }
            if case .success(let a) = facts.account, a.groupsSource != "token" {
                d.caveats.append("the account's groups come from the \(a.groupsSource), not from a logon token: a group granted by a domain or at logon may be missing")
            }
            return .success(Judged(decision: d, token: token, secured: s, descriptor: sd))
        }
    }

    /// The kind of object an item name is (`registry:` → a registry key).
    static func kind(ofItem item: String) -> WindowsObjectKind? {
        if item.hasPrefix("registry:") { return .registryKey }
        if item.hasPrefix("channel:") { return .eventChannel }
        if item.hasPrefix("service:") { return .service }
        if item.hasPrefix("pipe:") { return .file }
        return nil
    }

    /// The finding of a judged object.
    static func finding(_ c: WindowsRuleContext, _ j: Judged, extra: [String] = []) -> Finding {
        let d = j.decision
        let lines = ["descriptor \(j.secured.sddl)"] + WindowsDecisionRenderer.lines(d) + extra
        let what = "\(WindowsRights.hex(d.desired)) (\(WindowsRights.names(of: d.desired, for: d.kind)))"
        switch d.verdict {
        case .granted: return c.finding(.pass, "the account gets \(what) on \(j.secured.name)", evidence: lines)
        case .denied: return c.finding(.fail, "the account does not get \(what) on \(j.secured.name): \(d.reason)", evidence: lines)
        case .unknown: return c.finding(.unknown, "\(j.secured.name): \(d.reason)", evidence: lines)
        }
    }
}
