import PermauditCore
import PermauditHost

/// The broad fixes, only when asked: give the principal a group (`adm`) or a capability
/// (`CAP_DAC_READ_SEARCH`) instead of touching the objects. The plan computes what else that opens:
/// every file under the targets' folders that the changed principal can read and the agent could not.
struct PrincipalStrategy {
    let planner: FixPlanner
    let base: OverlaySource
    let kind: FixPlan.Strategy

    func plan(_ requests: [(path: RawPath, access: Access, ruleID: String?, origin: String)]) -> FixPlan {
        let who = planner.principal
        var changed = who
        var added: [UInt32] = []
        var unresolved: [FixPlan.Unresolved] = []
        for r in requests {
            // Refused whatever the permissions say (another user's FUSE mount, a read-only mount): change nothing.
            if let why = NoPermissionHelps.reason(planner.decide(base, r.path.display, r.access, NoPermissionHelps.probe(changed))) {
                unresolved.append(.init(path: r.path, access: r.access, reason: why.reason, configurationFix: why.fix))
                continue
            }
            // Restored when the target stays denied: no group or capability for a target it does not open.
            let saved = (changed, added)
            defer { if planner.decide(base, r.path.display, r.access, changed).verdict != .granted { (changed, added) = saved } }
            for _ in 0..<16 {
                let d = planner.decide(base, r.path.display, r.access, changed)
                if d.verdict == .granted { break }
                if let why = NoPermissionHelps.reason(d) {
                    unresolved.append(.init(path: r.path, access: r.access, reason: why.reason, configurationFix: why.fix))
                    break
                }
                if kind == .capability {
                    if changed.capabilities.contains(.dacReadSearch) {
                        unresolved.append(.init(path: r.path, access: r.access, reason: d.reason, configurationFix: "CAP_DAC_READ_SEARCH does not grant \(r.access.rawValue); use --strategy acl"))
                        break
                    }
                    changed.capabilities.insert(.dacReadSearch)
                    continue
                }
                // The group that owns the object where the walk stops, if its group bits would let a member in.
                guard let at = d.blockedAt, let f = base.facts(at), !changed.isMember(of: f.gid) else {
                    unresolved.append(.init(path: r.path, access: r.access, reason: d.reason, configurationFix: "no group gives this access; use --strategy acl"))
                    break
                }
                changed.groups.append(f.gid)
                changed.groupNames[f.gid] = planner.host.groupName(f.gid)
                added.append(f.gid)
            }
        }
        var targets: [FixTarget] = []
        for r in requests {
            targets.append(FixTarget(
                path: r.path, access: r.access, ruleID: r.ruleID, origin: r.origin,
                before: planner.decide(base, r.path.display, r.access, who), after: planner.decide(base, r.path.display, r.access, changed)))
        }
        var dirs: [RawPath] = []
        var seen = Set<[UInt8]>()
        for r in requests where seen.insert(r.path.parent.bytes).inserted { dirs.append(r.path.parent) }
        let roots = FixPlanner.broadRoots(adding: dirs)
        let opened = planner.delta(under: roots, before: who, after: changed)
        let asked = Set(requests.map { $0.path.display })
        let also = opened.filter { !asked.contains($0.object) }
        let what = kind == .capability
            ? "CAP_DAC_READ_SEARCH"
            : (added.count == 1 ? "group " : "groups ") + added.map { planner.host.groupName($0) ?? String($0) }.joined(separator: ", ")
        let notes = BlastRadius.opensNotes(opened, asked: asked, change: what, roots: roots, who: who)

        var steps: [FixStep] = []
        let user = who.userName ?? String(who.uid)
        if kind == .group, let unit = planner.unit, !added.isEmpty {
            // One drop-in names every group: each group in a drop-in of its own would write the same file.
            let names = added.map { planner.host.groupName($0) ?? String($0) }
            let why = "group\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")) can reach the targets"
            steps.append(dropIn(unit, "SupplementaryGroups=\(names.joined(separator: " "))", why: why, notes: notes, number: 1))
        } else if kind == .group {
            for gid in added {
                let name = planner.host.groupName(gid) ?? String(gid)
                steps.append(FixStep(
                    number: steps.count + 1, action: .addToGroup(user: user, group: name, gid: gid),
                    why: "group \(name) can reach the targets (the broad fix the documentation suggests)",
                    change: "usermod -a -G \(name) \(user)", blastRadius: BlastRadius(changes: also, notes: notes),
                    persistence: "group membership is permanent until removed (the rollback runs `gpasswd -d \(user) \(name)`)",
                    followUp: "restart the agent: a running process keeps its old group list"))
            }
        } else if changed.capabilities != who.capabilities {
            if let unit = planner.unit {
                steps.append(dropIn(unit, "AmbientCapabilities=CAP_DAC_READ_SEARCH", why: "CAP_DAC_READ_SEARCH bypasses read and search checks", notes: notes, number: 1))
            } else {
                for r in requests {
                    unresolved.append(.init(path: r.path, access: r.access, reason: "a capability is given to a service, not a user", configurationFix: "give --unit NAME so the plan can write a systemd drop-in with AmbientCapabilities=CAP_DAC_READ_SEARCH"))
                }
            }
        }
        return FixPlan(principal: who, strategy: kind, targets: targets, steps: steps, unresolved: unresolved, gained: opened, id: planner.planID(steps, targets))
    }

    func dropIn(_ unit: String, _ line: String, why: String, notes: [String], number: Int) -> FixStep {
        SystemdDropIn.step(unit: unit, file: "50-permaudit-fix.conf", lines: [line], why: why, blastRadius: BlastRadius(notes: notes), number: number)
    }
}
