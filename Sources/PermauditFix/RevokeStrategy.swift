import PermauditAudit
import PermauditCore
import PermauditHost
import PermauditRules

/// The fix for `must-not-reach` findings: take away exactly the grant the engine says lets someone in
/// (the other bits, a stray named entry, the owning group's bits), and nothing the service needs.
///
/// Each object is changed on the model and judged again until no one who must not reach it does: every
/// judged account with the engine's full walk, and the service (the plan's principal) at the object, so
/// it keeps what it had and gains what a failing finding says it needs. Grants that no change of this
/// object can remove without hurting someone else (the account owns it, a group the service or other users
/// share, a capability) are listed with the exact change to make instead.
struct RevokeStrategy {
    let planner: FixPlanner

    struct Outcome {
        var steps: [FixStep] = []
        var targets: [FixTarget] = []
        var unresolved: [FixPlan.Unresolved] = []
        /// The objects' facts after the revocations, for the grant planner to start from.
        var changed: [String: FileFacts] = [:]
        var raw: [String: RawPath] = [:]
        /// Who must not reach what: re-judged on the final plan.
        var forbidden: [(path: String, access: Access, who: [Principal])] = []
    }

    /// - Parameters:
    ///   - findings: failing findings whose remedy is `revoke`.
    ///   - needs: what the service must be able to do on each object (from its failing path findings).
    func plan(_ findings: [Finding], needs: [String: Permissions]) -> Outcome {
        var out = Outcome()
        let service = planner.principal
        var others: [Principal]?
        let overlayBase = OverlaySource(base: planner.host)
        var overlay = overlayBase
        var order: [String] = []
        var original: [String: FileFacts] = [:]
        var entries: [String: (ACLEntry, [WidenedEntry], [String])] = [:]
        for f in findings {
            guard let access = f.access, let d = f.decision else { continue }
            let path = d.path
            let principalCase = d.principal.uid == service.uid
            let judged: [Principal]
            if principalCase {
                judged = [service]
            } else {
                if others == nil { others = MustNotReach.otherAccounts(on: planner.host, except: service) }
                judged = others ?? []
            }
            let before = d
            var tried = Set<String>()
            var stuck = false
            // An account no change of the object can shut out is named and set aside; the others still get theirs.
            var setAside = Set<UInt32>()
            for _ in 0..<64 {
                guard let (who, decision) = judged.lazy.filter({ !setAside.contains($0.uid) }).map({ ($0, planner.decide(overlay, path, access, $0)) })
                        .first(where: { $0.1.verdict == .granted }),
                      let grant = GrantPath.of(decision)
                else { break }
                let key = "\(grant.object)\u{0}\(grant.how)"
                let name = who.userName ?? String(who.uid)
                guard tried.insert(key).inserted, let facts = overlay.facts(grant.object) else {
                    stuck = true
                    setAside.insert(who.uid)
                    out.unresolved.append(.init(path: RawPath(path), access: access, reason: "\(name) still reaches \(path) through \(grant.how)", configurationFix: grant.fix(for: name, groupName: groupName)))
                    continue
                }
                guard var revoked = revoke(grant, on: facts, principalCase: principalCase, service: service) else {
                    stuck = true
                    setAside.insert(who.uid)
                    out.unresolved.append(.init(
                        path: RawPath(path), access: access, reason: "\(name) reaches \(path) through \(grant.how); no change of \(grant.object) removes it without taking it from others",
                        configurationFix: grant.fix(for: name, groupName: groupName)))
                    continue
                }
                var changedEntry = revoked.entry
                var widened: [WidenedEntry] = []
                // The service keeps what it could do at the object, and gets what its failing findings need.
                var keep = needs[grant.object] ?? needs[path] ?? .none
                for bit in [Permissions.read, .write, .execute] where PermissionCheck.check(bit, on: facts, by: service).granted { keep.formUnion(bit) }
                let lost = Permissions(rawValue: keep.rawValue & ~Self.bits(of: revoked.facts, for: service).rawValue)
                if !principalCase, lost != .none, let (acl, entry, w) = ACLGrant.grant(lost, to: service, on: revoked.facts) {
                    revoked.facts = ACLGrant.applying(acl, to: revoked.facts)
                    changedEntry = entry
                    widened = w
                }
                if original[grant.object] == nil {
                    original[grant.object] = overlayBase.facts(grant.object) ?? facts
                    order.append(grant.object)
                }
                let reasons = (entries[grant.object]?.2 ?? []) + ["\(name) must not \(access.rawValue) \(path) (\(f.ruleID)): remove \(grant.how)"]
                entries[grant.object] = (changedEntry, Array(Set((entries[grant.object]?.1 ?? []) + widened)), reasons)
                overlay = overlay.with(grant.object, revoked.facts)
            }
            out.forbidden.append((path, access, judged))
            let after = planner.decide(overlay, path, access, judged.first { planner.decide(overlay, path, access, $0).verdict == .granted } ?? before.principal)
            out.targets.append(FixTarget(path: RawPath(path), access: access, ruleID: f.ruleID, origin: stuck ? "must not reach (partly fixed)" : "must not reach", before: before, after: after))
        }
        for at in order {
            guard let o = original[at], let now = overlay.facts(at), let (entry, widened, reasons) = entries[at] else { continue }
            let affected = [service] + (others ?? []).prefix(200)
            let change = ACLChange(path: RawPath(at), identity: ObjectIdentity(o), before: o.effectiveACL, after: now.effectiveACL, entry: entry, widened: widened)
            var radius = BlastRadius(changes: affected.flatMap {
                planner.delta(under: [at], before: $0, after: $0, beforeSource: OverlaySource(base: planner.host), afterSource: overlay, accesses: ACLStrategy.compared)
            })
            radius.notes.append("revokes: the ACL goes from \(Self.short(o.effectiveACL)) to \(Self.short(now.effectiveACL)); \(service.userLabel) keeps \(Self.bits(of: now, for: service)) on it (judged again)")
            out.steps.append(FixStep(
                number: out.steps.count + 1, action: .setACL(change), why: reasons.joined(separator: "; "),
                change: "setfacl --set \(Self.short(now.effectiveACL)) -- \(at)", blastRadius: radius, persistence: nil, followUp: nil))
            out.changed[at] = now
            out.raw[at] = RawPath(at)
        }
        return out
    }

    func groupName(_ gid: UInt32) -> String { planner.host.accounts.group(gid: gid)?.name ?? String(gid) }

    /// What the principal may do at the object itself (the walk to it aside).
    static func bits(of f: FileFacts, for p: Principal) -> Permissions {
        var out = Permissions.none
        for bit in [Permissions.read, .write, .execute] where PermissionCheck.check(bit, on: f, by: p).granted { out.formUnion(bit) }
        return out
    }

    static func short(_ acl: AccessControlList) -> String { acl.entries.map(ACLWriter.shortText).joined(separator: ",") }

    /// The object with exactly this grant's bits taken away; nil when no change of the object should do it.
    func revoke(_ g: GrantPath, on f: FileFacts, principalCase: Bool, service: Principal) -> (facts: FileFacts, entry: ACLEntry)? {
        let acl = f.effectiveACL
        func without(_ tag: ACLEntry.Tag, _ q: UInt32?) -> (FileFacts, ACLEntry)? {
            guard let e = acl.entry(tag, q) else { return nil }
            let left = Permissions(rawValue: e.permissions.rawValue & ~g.wanted.rawValue)
            let reduced = ACLEntry(tag, q, left)
            var list = acl.entries.filter { !($0.tag == tag && $0.qualifier == q) }
            if left != .none || tag == .other || tag == .groupObj { list.append(reduced) }
            var next = AccessControlList(entries: list)
            if !next.hasNamedEntries, let mask = next.mask {
                // No named entry left: drop the mask, keeping the owning group's effective rights.
                let groupObj = next.entry(.groupObj)?.permissions ?? .none
                next = AccessControlList(entries: next.entries.filter { $0.tag != .mask && $0.tag != .groupObj } + [ACLEntry(.groupObj, nil, groupObj.intersection(mask))])
            }
            return (ACLGrant.applying(next, to: f), reduced)
        }
        switch g.kind {
        case .other:
            return without(.other, nil)
        case .namedUser(let uid):
            return without(.user, uid)
        case .namedGroup(let gid):
            if service.isMember(of: gid) && !principalCase { return nil }
            if principalCase, gid != service.gid { return nil }
            return without(.group, gid)
        case .owningGroup:
            if principalCase || service.isMember(of: f.gid) { return nil }
            return without(.groupObj, nil)
        case .owner, .capability:
            return nil
        }
    }
}

extension RevokeStrategy {
    /// Judges the whole plan again: no forbidden account reaches its object once every ACL step is in
    /// place, and the service still has every access the plan's other targets ask for.
    static func verify(_ plan: inout FixPlan, _ revoke: Outcome, planner: FixPlanner) {
        var final = OverlaySource(base: planner.host, raw: revoke.raw)
        for step in plan.steps {
            guard case .setACL(let c) = step.action, case .found(let f) = planner.host.fileSystem.lookup(c.path) else { continue }
            final = final.with(c.path.display, revoke.changed[c.path.display].map { ACLGrant.applying(c.after, to: $0) } ?? ACLGrant.applying(c.after, to: f))
        }
        for (path, access, who) in revoke.forbidden {
            for p in who where planner.decide(final, path, access, p).verdict == .granted {
                let d = planner.decide(final, path, access, p)
                let how = GrantPath.of(d)?.how ?? d.reason
                if !plan.unresolved.contains(where: { $0.path?.display == path && $0.reason.contains(p.userName ?? "\u{0}") }) {
                    plan.unresolved.append(.init(
                        path: RawPath(path), access: access, reason: "after the plan \(p.userName ?? String(p.uid)) still reaches \(path) through \(how)",
                        configurationFix: GrantPath.of(d)?.fix(for: p.userName ?? String(p.uid), groupName: { planner.host.accounts.group(gid: $0)?.name ?? String($0) }) ?? d.reason))
                }
            }
        }
        for i in plan.targets.indices where plan.targets[i].origin.hasPrefix("must not reach") == false {
            plan.targets[i].after = planner.decide(final, plan.targets[i].path.display, plan.targets[i].access, planner.principal)
        }
    }
}
