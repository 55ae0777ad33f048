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
        /// The group the principal gains, or the capabilities.
        var group: String?
        var capabilities: [Capability]
    }

    static func setting(for f: Finding) -> Setting? {
        let id = f.ruleID.lowercased()
        if id.contains("journal") {
            return Setting(key: "SupplementaryGroups", value: "systemd-journal", why: "\(f.ruleID): the journal is readable by group systemd-journal", group: "systemd-journal", capabilities: [])
        }
        if id.contains("process") || id.contains("ptrace") || id.contains("pid") {
            return Setting(
                key: "AmbientCapabilities", value: "CAP_SYS_PTRACE CAP_DAC_READ_SEARCH",
                why: "\(f.ruleID): other users' /proc/PID/io and fd/ need CAP_SYS_PTRACE, and CAP_DAC_READ_SEARCH for fd", group: nil,
                capabilities: [.sysPtrace, .dacReadSearch])
        }
        return nil
    }

    /// Steps for the non-path findings, numbered after `plan`'s; unresolved ones added to the plan.
    static func extend(_ plan: inout FixPlan, with findings: [Finding], planner: FixPlanner) {
        let nonPath = findings.filter { $0.state == .fail && $0.access == nil && $0.decision == nil }
        // What no permission of this host fixes (another platform's object, a volume that needs admin):
        // the plan says so, with the rule's own narrow fix.
        for f in nonPath where setting(for: f) == nil {
            plan.unresolved.append(.init(
                path: RawPath(f.object), access: .read, reason: "\(f.ruleID): \(f.message)",
                configurationFix: f.leastPrivilegeFix ?? f.documentedFix ?? "no permission change on this host fixes \(f.ruleID)"))
        }
        let settings = nonPath.compactMap(setting(for:))
        var unique: [Setting] = []
        for s in settings where !unique.contains(s) { unique.append(s) }
        guard !unique.isEmpty else { return }
        let who = planner.principal
        var changed = who
        for s in unique {
            if let g = s.group, let gid = planner.host.accounts.group(named: g)?.gid { changed.groups.append(gid) }
            for c in s.capabilities { changed.capabilities.insert(c) }
        }
        let roots = ["/var/log/journal", "/run/log/journal", "/var/log", "/etc"].map(RawPath.init)
        let opened = planner.newlyReadable(under: roots, before: who, after: changed, source: OverlaySource(base: planner.host))
        var notes = ["what else this opens (computed under /var/log/journal, /run/log/journal, /var/log, /etc): \(opened.count) object(s)"]
        notes += opened.prefix(100).map { "also opens: \($0.access.rawValue) \($0.object)" }
        if unique.contains(where: { !$0.capabilities.isEmpty }) {
            notes.append("capabilities apply to everything the service does; a CapabilityBoundingSet= in the unit must allow them too")
        }
        if let unit = planner.unit {
            let name = unit.contains(".") ? unit : unit + ".service"
            let path = RawPath("/etc/systemd/system/\(name).d/50-permaudit-service.conf")
            let lines = unique.map { "\($0.key)=\($0.value)" }
            let content = "# Written by permaudit fix; removed by its rollback.\n[Service]\n" + lines.joined(separator: "\n") + "\n"
            plan.steps.append(FixStep(
                number: plan.steps.count + 1, action: .writeFile(NewFile(path: path, content: Array(content.utf8), mode: 0o644)),
                why: unique.map(\.why).joined(separator: "; "), change: "write the drop-in \(path.display): \(lines.joined(separator: ", "))",
                blastRadius: BlastRadius(changes: opened, notes: notes),
                persistence: "a drop-in persists across restarts and package upgrades",
                followUp: "systemctl daemon-reload && systemctl restart \(name)"))
            return
        }
        let user = who.userName ?? String(who.uid)
        for s in unique {
            if let g = s.group, let gid = planner.host.accounts.group(named: g)?.gid {
                plan.steps.append(FixStep(
                    number: plan.steps.count + 1, action: .addToGroup(user: user, group: g, gid: gid), why: s.why,
                    change: "usermod -a -G \(g) \(user)", blastRadius: BlastRadius(changes: opened, notes: notes),
                    persistence: "group membership is permanent until removed", followUp: "restart the agent: a running process keeps its old group list"))
            } else {
                plan.unresolved.append(.init(
                    path: RawPath("/"), access: .read, reason: s.why,
                    configurationFix: "give --unit NAME so the plan can write a systemd drop-in with \(s.key)=\(s.value)"))
            }
        }
    }
}
