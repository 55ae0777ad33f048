import PermauditCore
import PermauditHost
import PermauditRules

/// `group-membership`: the principal is in a group it needs (journald's `systemd-journal`), or is in a group
/// that opens far more than it needs (`adm`, `docker`, …) — then the finding says what else that group opens.
struct GroupMembershipCheck {
    let auditor: Auditor
    let rule: Rule

    /// Where a too-broad group's extra reach is counted: logs and configuration.
    static let reachRoots = ["/var/log", "/etc"]

    func run(needed: [String], tooBroad: [String], requires: [String]) -> [Finding] {
        let p = auditor.principal
        let who = p.userName ?? String(p.uid)
        if !needed.isEmpty {
            let present = requires.filter { if case .found = auditor.host.lookup($0) { return true } else { return false } }
            if !requires.isEmpty, present.isEmpty {
                return [auditor.finding(rule, object: "group " + needed.joined(separator: "|"), state: .notApplicable, message: "none of \(requires.joined(separator: ", ")) exists on this host")]
            }
            let known = needed.compactMap { name in auditor.gid(name).map { (name, $0) } }
            if known.isEmpty {
                return [auditor.finding(rule, object: "group " + needed.joined(separator: "|"), state: .notApplicable, message: "no group \(needed.joined(separator: " or ")) on this host")]
            }
            if let (name, gid) = known.first(where: { p.isMember(of: $0.1) }) {
                return [auditor.finding(rule, object: "group " + name, state: .pass, message: "\(who) is in \(name) (gid \(gid))")]
            }
            let evidence = ["\(who)'s groups: \(p.allGroups.map(p.name(ofGroup:)).joined(separator: ", "))"] + present.map { "\($0) exists" }
            return [auditor.finding(rule, object: "group " + known[0].0, state: .fail, message: "\(who) is not in \(known.map { "\($0.0) (gid \($0.1))" }.joined(separator: " or "))", evidence: evidence)]
        }
        var findings: [Finding] = []
        for name in tooBroad {
            guard let gid = auditor.gid(name), p.isMember(of: gid) else { continue }
            var evidence = ["\(who) is in \(name) (gid \(gid))"]
            let extra = extraReach(through: gid)
            evidence.append("\(name) opens \(extra.count) file\(extra.count == 1 ? "" : "s") under \(Self.reachRoots.joined(separator: " and ")) that \(who) could not read otherwise" + (extra.isEmpty ? "" : ":"))
            evidence += extra.prefix(12).map { "  " + $0 }
            if extra.count > 12 { evidence.append("  … and \(extra.count - 12) more") }
            findings.append(auditor.finding(rule, object: "group " + name, state: .fail, message: "\(who) is in \(name), which opens far more than the agent needs", evidence: evidence))
        }
        if findings.isEmpty {
            let present = tooBroad.filter { auditor.gid($0) != nil }
            findings.append(auditor.finding(rule, object: "groups", state: .pass, message: "\(who) is in none of \(present.joined(separator: ", "))"))
        }
        return findings
    }

    /// The files the principal reads through this group and could not read without it.
    func extraReach(through gid: UInt32) -> [String] {
        var without = auditor.principal
        without.groups.removeAll { $0 == gid }
        if without.gid == gid { without.gid = PrincipalResolver.plannedGID }
        let with = SweepJudge(source: auditor.host, principal: auditor.principal, access: .read)
        let withoutJudge = SweepJudge(source: auditor.host, principal: without, access: .read)
        var extra: [String] = []
        for root in Self.reachRoots {
            let top = auditor.evaluator.decide(root, .search, for: auditor.principal)
            guard top.verdict == .granted, let start = top.resolvedPath else { continue }
            var sweep = TreeSweep(host: auditor.host, oneFileSystem: true)
            // Walk everything the principal can reach with the group; keep what it loses without it.
            var reachableWithout: [String: Bool] = [start: auditor.evaluator.decide(root, .search, for: without).verdict == .granted]
            sweep.run(from: start) { event in
                guard case .object(let o) = event else { return false }
                let path = o.displayPath
                let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                let parentOK = path == start || (reachableWithout[parent.isEmpty ? "/" : parent] ?? false)
                let reached = o.reached
                if o.facts.type == .regular, with.allows(reached), !(parentOK && withoutJudge.allows(reached)) {
                    extra.append(path)
                }
                let enter = with.canEnter(reached)
                if enter, o.facts.type == .directory, path != start { reachableWithout[path] = parentOK && withoutJudge.canEnter(reached) }
                return enter
            }
        }
        return extra
    }
}
