import PermauditCore
import PermauditHost
import PermauditRules

/// `must-not-reach`: fails when the principal (or, with `who: other-accounts`, any other local account)
/// CAN reach an object, or holds capabilities or groups no enabled integration needs. Each failure names
/// the grant that lets it through (the engine's deciding step: ACL entry, owner, group, other, capability)
/// and the change that removes exactly that path.
extension MustNotReach: CheckEvaluator {
    func evaluate(_ rule: Rule, auditor: Auditor) -> [Finding] {
        holds.isEmpty ? reach(rule, auditor) : holdings(rule, auditor)
    }

    /// Who is judged: the principal, or every other local account (root and the principal excepted), the
    /// Elastic Agent's user first, then `anyone else` (a user in no group: the other bits).
    static func accounts(_ who: Who, _ auditor: Auditor) -> [Principal] {
        who == .otherAccounts ? otherAccounts(on: auditor.host, except: auditor.principal) : [auditor.principal]
    }

    /// Every local account but root and `p` (from the host's passwd and group), the agent's user first, then
    /// `anyone else`: a user in no group, who gets the other bits.
    public static func otherAccounts(on host: any Host, except p: Principal) -> [Principal] {
        var list: [Principal] = []
        if case .success(let passwd) = host.readTextFile("/etc/passwd") {
            var seen: Set<UInt32> = [0, p.uid]
            for u in FileAccounts(passwd: passwd, group: "").users.sorted(by: { $0.uid < $1.uid }) where seen.insert(u.uid).inserted {
                let groups = host.accounts.groups(ofUser: u.name, primary: u.gid)
                var names: [UInt32: String] = [:]
                for g in groups { names[g] = host.accounts.group(gid: g)?.name }
                list.append(Principal(uid: u.uid, gid: u.gid, groups: groups, userName: u.name, groupNames: names, origin: "local account"))
            }
        }
        list.sort { ($0.userName == agentUser ? 0 : 1, $0.uid) < ($1.userName == agentUser ? 0 : 1, $1.uid) }
        list.append(Principal(uid: PrincipalResolver.plannedUID, gid: PrincipalResolver.plannedGID, userName: "anyone else", origin: "a user in no group of the object's"))
        return list
    }

    static let agentUser = "elastic-agent-user"

    func reach(_ rule: Rule, _ auditor: Auditor) -> [Finding] {
        guard let access else { return [] }
        let judged = Self.accounts(who, auditor)
        let evaluator = AccessEvaluator(source: MemoizedFacts(auditor.host))
        let glob = PathGlob(host: auditor.host)
        var findings: [Finding] = []
        var seen = Set<String>()
        var clean = 0
        var lastClean: String?
        var unknown: [AccessDecision] = []
        let patterns = paths.map(auditor.path)
        for pattern in patterns {
            if judged.count == 1, let quick = sweepChildren(pattern, judged[0], access, auditor, evaluator) {
                // One principal and many objects (root's PATH): one walk to the folder, then each entry at once;
                // only what the sweep lets through (and symlinks, which writes follow) is decided in full.
                clean += quick.clean
                for path in quick.decide where seen.insert(path).inserted {
                    let d = evaluator.decide(path, access, for: judged[0])
                    if d.verdict == .granted {
                        findings.append(failure(rule, auditor, path: path, access: access, reached: [(judged[0], d, GrantPath.of(d))], judged: 1))
                    } else if d.verdict == .unknown, unknown.isEmpty {
                        unknown.append(d)
                    } else {
                        clean += 1
                        lastClean = path
                    }
                }
                seen.formUnion(quick.seen)
                continue
            }
            let expansion = glob.expand(pattern)
            for (dir, reason) in expansion.unreadable {
                findings.append(auditor.finding(rule, object: pattern, access: access, state: .unknown, message: "permaudit cannot list \(dir) to expand \(pattern): \(reason)"))
            }
            for path in expansion.matches where seen.insert(path.display).inserted {
                var reached: [(Principal, AccessDecision, GrantPath?)] = []
                var undecided = false
                for who in judged {
                    let d = evaluator.decide(path, access, for: who)
                    if d.verdict == .granted { reached.append((who, d, GrantPath.of(d))) }
                    if d.verdict == .unknown {
                        undecided = true
                        if unknown.isEmpty { unknown.append(d) }
                    }
                }
                // An object permaudit could not decide for someone is not clean: it is the unknown finding.
                if reached.isEmpty { if !undecided { clean += 1; lastClean = path.display }; continue }
                findings.append(failure(rule, auditor, path: path.display, access: access, reached: reached, judged: judged.count))
            }
        }
        if let d = unknown.first {
            findings.append(auditor.finding(rule, object: d.path, access: access, state: .unknown, message: "permaudit could not decide: \(d.reason)", decision: d))
        }
        let all = patterns.joined(separator: " ")
        if seen.isEmpty, findings.isEmpty {
            findings.append(auditor.finding(rule, object: all, access: access, state: .notApplicable, message: "none of \(patterns.joined(separator: ", ")) is on this host"))
        } else if clean > 0 {
            let whom = who == .principal
                ? "\(auditor.principal.userName ?? String(auditor.principal.uid)) cannot"
                : "none of \(judged.count - 1) other local account(s), nor anyone else, can"
            let what = clean == 1 && lastClean != nil ? (lastClean ?? all) : "any of the \(clean) object(s) these match: \(patterns.joined(separator: ", "))"
            findings.append(auditor.finding(rule, object: all, access: access, state: .pass, message: "\(whom) \(access.rawValue) \(what)"))
        }
        return findings
    }

    /// `DIR/*`-style patterns (magic only in the last component), judged by one sweep of DIR; nil when the
    /// pattern is not of that form or DIR is not a searchable directory (the caller decides each match).
    func sweepChildren(_ pattern: String, _ who: Principal, _ access: Access, _ auditor: Auditor, _ evaluator: AccessEvaluator) -> (clean: Int, decide: [String], seen: Set<String>)? {
        guard let slash = pattern.lastIndex(of: "/") else { return nil }
        let dir = String(pattern[..<slash]), name = String(pattern[pattern.index(after: slash)...])
        guard !dir.isEmpty, Glob.hasMagic(name), !Glob.hasMagic(dir) else { return nil }
        let walk = evaluator.decide(dir, .search, for: who)
        guard walk.verdict == .granted, let start = walk.resolvedPath else { return nil }
        let judge = SweepJudge(source: auditor.host, principal: who, access: access)
        var clean = 0
        var decide: [String] = []
        var seen = Set<String>()
        var sweep = TreeSweep(host: auditor.host)
        var ok = true
        sweep.run(from: start) { event in
            switch event {
            case .unreadable: ok = false; return false
            case .object(let o):
                if o.depth == 0 { return true }
                let entry = String(decoding: o.path.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self)
                guard Glob.matches(name, entry), name.hasPrefix(".") || !entry.hasPrefix(".") else { return false }
                let path = dir + "/" + entry
                seen.insert(path)
                // A write through a symlink lands on its target: one in the same folder is judged as its own entry.
                var sameFolder = false
                if o.facts.type == .symlink, case .found(let link) = evaluator.source.lookup(path), let target = link.symlinkTarget {
                    sameFolder = !target.bytes.contains(UInt8(ascii: "/")) && Glob.matches(name, target.display)
                }
                if (o.facts.type == .symlink && !sameFolder) || judge.decide(o.reached)?.verdict != .denied { decide.append(path) } else { clean += 1 }
                return false
            }
        }
        return ok ? (clean, decide, seen) : nil
    }

    func failure(_ rule: Rule, _ auditor: Auditor, path: String, access: Access, reached: [(Principal, AccessDecision, GrantPath?)], judged: Int) -> Finding {
        let group: (UInt32) -> String = { auditor.host.accounts.group(gid: $0)?.name ?? String($0) }
        var order: [String] = []
        var byGrant: [String: (GrantPath?, [String])] = [:]
        for (who, _, g) in reached {
            let key = g?.how ?? "no single check decided"
            if byGrant[key] == nil { order.append(key) }
            byGrant[key, default: (g, [])].1.append(who.userName ?? String(who.uid))
        }
        var evidence: [String] = []
        for key in order {
            guard let (g, names) = byGrant[key] else { continue }
            let listed = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? " and \(names.count - 8) more" : "")
            evidence.append("\(listed) can \(access.rawValue) it through \(key)")
            if let g { evidence.append("  fix: " + g.fix(for: names[0], groupName: group)) }
        }
        let names = reached.map { $0.0.userName ?? String($0.0.uid) }
        let shown = names.prefix(6).joined(separator: ", ") + (names.count > 6 ? " and \(names.count - 6) more" : "")
        let message = who == .principal
            ? "\(names[0]) can \(access.rawValue) \(path), which it must not (\(order.first ?? ""))"
            : "\(reached.count) of \(judged) other account(s) can \(access.rawValue) \(path), which only the service may: \(shown)"
        return auditor.finding(rule, object: path, access: access, state: .fail, message: message, decision: reached[0].1, evidence: evidence)
    }

    // MARK: - holds: capabilities and groups beyond the enabled integrations' needs

    func holdings(_ rule: Rule, _ auditor: Auditor) -> [Finding] {
        let p = auditor.principal
        let who = p.userName ?? String(p.uid)
        let enabled = auditor.integrations ?? Set(auditor.profile.defaultIntegrations)
        let needing = auditor.catalogRules.filter { r in
            r.platforms.contains(.linux) && (r.integrations.isEmpty || r.integrations.contains { Auditor.integration($0, isIn: enabled) })
        }
        var findings: [Finding] = []
        if holds.contains(.capabilities) {
            var needed = CapabilitySet.empty
            var why: [String] = []
            for r in needing {
                let caps: [String]
                switch r.check {
                case .capabilities(let n, _), .processVisibility(let n): caps = n
                default: caps = []
                }
                for c in caps.compactMap(Capability.init(name:)) { needed.insert(c) }
                if !caps.isEmpty { why.append("\(r.id) needs \(caps.joined(separator: ","))") }
            }
            let extra = p.capabilities.subtracting(needed)
            let evidence = ["\(who) holds \(p.capabilities) (\(p.origin))", "the enabled integrations (\(enabled.sorted().joined(separator: ", "))) need \(needed)" + (why.isEmpty ? "" : ": " + why.joined(separator: "; "))]
            for cap in extra {
                findings.append(auditor.finding(
                    rule, object: "capability " + cap.name, state: .fail,
                    message: "\(who) holds \(cap.name), which no enabled integration needs",
                    evidence: evidence + ["  fix: drop \(cap.name.uppercased()) from the service (remove it from AmbientCapabilities= in the unit or its drop-in)"]))
            }
            if extra.isEmpty {
                findings.append(auditor.finding(rule, object: "capabilities", state: .pass, message: "\(who) holds no capability beyond what the enabled integrations need", evidence: evidence))
            }
        }
        if holds.contains(.groups) {
            var needed: Set<UInt32> = [p.gid]
            var why: [String] = ["its own primary group \(p.name(ofGroup: p.gid))"]
            if let g = auditor.gid(auditor.profile.group) {
                needed.insert(g)
                why.append("the profile's group \(auditor.profile.group)")
            }
            for r in needing {
                if case .groupMembership(let n, _, _) = r.check {
                    for name in n { if let g = auditor.gid(name) { needed.insert(g); why.append("\(r.id) needs \(name)") } }
                }
            }
            let extra = p.allGroups.filter { !needed.contains($0) }
            let evidence = ["\(who)'s groups: \(p.allGroups.map(p.name(ofGroup:)).joined(separator: ", ")) (\(p.origin))", "needed: " + why.joined(separator: "; ")]
            for gid in extra {
                let name = auditor.host.accounts.group(gid: gid)?.name ?? p.groupNames[gid] ?? String(gid)
                let listed = auditor.host.accounts.group(gid: gid)?.members.contains(who) == true
                let via = listed ? "/etc/group lists \(who) in \(name)" : "the principal's group list (\(p.origin))"
                findings.append(auditor.finding(
                    rule, object: "group " + name, state: .fail,
                    message: "\(who) is in \(name) (gid \(gid)), which no enabled integration needs",
                    evidence: evidence + ["granted through \(via)", "  fix: " + (listed ? "gpasswd -d \(who) \(name)" : "remove \(name) from SupplementaryGroups= of the unit")]))
            }
            if extra.isEmpty {
                findings.append(auditor.finding(rule, object: "groups", state: .pass, message: "\(who) is in no group beyond what the enabled integrations need", evidence: evidence))
            }
        }
        return findings
    }
}
