import PermauditAudit
import PermauditCore
import PermauditHost

/// Fixes for findings that are not a path walk, where a group or a capability of the service is the
/// right tool: journald (`SupplementaryGroups=systemd-journal`), other processes' details
/// (`AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH`). Written as one systemd drop-in, with the restart it needs.
enum ServiceFixes {
    struct Setting: Hashable {
        var key: String
        var value: String
        var why: String
        /// The groups the principal gains, or the capabilities.
        var groups: [String]
        var capabilities: [Capability]
    }

    /// The drop-in setting a finding's remedy asks for: `supplementary-group` and `ambient-capabilities`
    /// remedies grant what the rule's check names as needed.
    static func setting(for f: Finding) -> Setting? {
        guard !f.grants.isEmpty else { return nil }
        switch f.remedy {
        case .supplementaryGroup:
            let groups = f.grants.joined(separator: " ")
            return Setting(key: "SupplementaryGroups", value: groups, why: "\(f.ruleID): \(f.message)", groups: f.grants, capabilities: [])
        case .ambientCapabilities:
            let caps = f.grants.compactMap(Capability.init(name:))
            guard !caps.isEmpty else { return nil }
            return Setting(
                key: "AmbientCapabilities", value: caps.map { $0.name.uppercased() }.sorted().joined(separator: " "),
                why: "\(f.ruleID): \(f.message)", groups: [], capabilities: caps)
        default:
            return nil
        }
    }

    /// Steps for the non-path findings, numbered after `plan`'s; unresolved ones added to the plan.
    static func extend(_ plan: inout FixPlan, with findings: [Finding], planner: FixPlanner) {
        let nonPath = findings.filter { $0.state == .fail && $0.access == nil && $0.decision == nil }
        // What no permission of this host fixes (another platform's object, a volume that needs admin):
        // the plan says so, with the rule's own narrow fix.
        for f in nonPath where setting(for: f) == nil {
            plan.unresolved.append(.init(
                object: f.object.hasPrefix("/") ? .path(RawPath(f.object)) : .named(f.object), access: .read, reason: "\(f.ruleID): \(f.message)",
                configurationFix: (f.remedy == .configuration ? f.message + ". " : "")
                    + (f.leastPrivilegeFix ?? f.documentedFix ?? "no permission change on this host fixes \(f.ruleID)")))
        }
        // One setting per key: two rules asking for capabilities make one AmbientCapabilities= line.
        var unique: [Setting] = []
        for s in nonPath.compactMap(setting(for:)) {
            guard let i = unique.firstIndex(where: { $0.key == s.key }) else {
                unique.append(s)
                continue
            }
            unique[i].why += "; " + s.why
            for g in s.groups where !unique[i].groups.contains(g) { unique[i].groups.append(g) }
            for c in s.capabilities where !unique[i].capabilities.contains(c) { unique[i].capabilities.append(c) }
            unique[i].value = unique[i].key == "AmbientCapabilities"
                ? unique[i].capabilities.map { $0.name.uppercased() }.sorted().joined(separator: " ")
                : unique[i].groups.joined(separator: " ")
        }
        guard !unique.isEmpty else { return }
        let who = planner.principal
        if let unit = planner.unit {
            let (opened, notes) = blastRadius(of: unique, for: who, planner: planner)
            plan.steps.append(SystemdDropIn.step(
                unit: unit, file: "50-permaudit-service.conf", lines: unique.map { "\($0.key)=\($0.value)" },
                why: unique.map(\.why).joined(separator: "; "), blastRadius: BlastRadius(changes: opened, notes: notes),
                number: plan.steps.count + 1))
            return
        }
        let user = who.userName ?? String(who.uid)
        for s in unique {
            let known = s.groups.compactMap { g in planner.host.accounts.group(named: g).map { (g, $0.gid) } }
            if !s.groups.isEmpty && known.count == s.groups.count {
                // Without a drop-in each group is its own step, and its blast radius is that group's alone.
                let (opened, notes) = blastRadius(of: [s], for: who, planner: planner)
                for (g, gid) in known {
                    plan.steps.append(FixStep(
                        number: plan.steps.count + 1, action: .addToGroup(user: user, group: g, gid: gid), why: s.why,
                        change: "usermod -a -G \(g) \(user)", blastRadius: BlastRadius(changes: opened, notes: notes),
                        persistence: "group membership is permanent until removed", followUp: "restart the agent: a running process keeps its old group list"))
                }
            } else {
                plan.unresolved.append(.init(
                    object: .service, access: .read, reason: s.why,
                    configurationFix: "give --unit NAME (the agent's systemd unit) so the plan can write a drop-in with \(s.key)=\(s.value)"))
            }
        }
    }

    /// Everything under the usual roots that the principal could not read and could with these settings:
    /// groups and capabilities applied to a copy of the principal, judged by the engine.
    static func blastRadius(of settings: [Setting], for who: Principal, planner: FixPlanner) -> ([AccessChange], [String]) {
        var changed = who
        for s in settings {
            for g in s.groups { if let gid = planner.host.accounts.group(named: g)?.gid { changed.groups.append(gid) } }
            for c in s.capabilities { changed.capabilities.insert(c) }
        }
        let roots = ["/run/log/journal"] + ReachDelta.broadRoots
        let opened = planner.delta(under: roots, before: who, after: changed)
        let what = settings.map { "\($0.key)=\($0.value)" }.joined(separator: " and ")
        var notes = BlastRadius.opensNotes(opened, asked: [], change: what, roots: roots, who: who)
        if settings.contains(where: { !$0.capabilities.isEmpty }) {
            notes.append("capabilities apply to everything the service does; a CapabilityBoundingSet= in the unit must allow them too")
        }
        return (opened, notes)
    }
}
