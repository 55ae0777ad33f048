import PermauditAudit
import PermauditCore
import PermauditHost

/// Builds fix plans: the narrowest change that makes each asked access pass, checked by re-running the
/// access engine on the changed model, with the blast radius of each step.
public struct FixPlanner: Sendable {
    public let host: any Host
    public let principal: Principal
    /// The systemd unit the agent runs as, for drop-ins (`--unit`).
    public var unit: String?
    /// Rotation config; read from the host unless given.
    public var logrotate: LogrotateConfig
    /// Whether reads also open the rotated copies on disk; off when the agent's policy lists every file.
    public var addsRotatedCopies = true

    public init(host: any Host, principal: Principal, unit: String? = nil, logrotate: LogrotateConfig? = nil) {
        self.host = host
        self.principal = principal
        self.unit = unit
        self.logrotate = logrotate ?? LogrotateConfig.load(from: host)
    }

    /// One thing asked of the plan.
    public struct Request: Sendable, Hashable {
        public var path: RawPath
        public var access: Access
        public var ruleID: String?
        public init(path: RawPath, access: Access, ruleID: String? = nil) {
            self.path = path
            self.access = access
            self.ruleID = ruleID
        }
    }

    /// Plans with a strategy, or the narrowest one that works (`acl`) when none is given.
    public func plan(_ requests: [Request], strategy: FixPlan.Strategy? = nil) -> FixPlan {
        plan(requests, strategy: strategy, startingFrom: [:])
    }

    /// Plans on the host as earlier steps leave it (`changed`: their objects' facts afterwards).
    func plan(_ requests: [Request], strategy: FixPlan.Strategy?, startingFrom changed: [String: FileFacts]) -> FixPlan {
        let expanded = withRotatedCopies(requests)
        var rawMap: [String: RawPath] = [:]
        for r in expanded {
            rawMap[r.path.display] = r.path
            for a in r.path.ancestors { rawMap[a.display] = a }
        }
        var base = OverlaySource(base: host, raw: rawMap)
        base.changed = changed
        switch strategy ?? .acl {
        case .acl: return ACLStrategy(planner: self, base: base).plan(expanded)
        case .group, .capability: return PrincipalStrategy(planner: self, base: base, kind: strategy ?? .group).plan(expanded)
        }
    }

    /// Adds the rotated copies already on disk (`auth.log.1`, `auth.log.2.gz`, `auth.log-20250101`) of every
    /// regular file asked for read: the harvester opens those too, and they need the same grant.
    func withRotatedCopies(_ requests: [Request]) -> [(path: RawPath, access: Access, ruleID: String?, origin: String)] {
        var out: [(path: RawPath, access: Access, ruleID: String?, origin: String)] = []
        var seen = Set<[UInt8]>()
        for r in requests where seen.insert(r.path.bytes + [0] + Array(r.access.rawValue.utf8)).inserted {
            out.append((r.path, r.access, r.ruleID, "asked"))
        }
        var seenPaths = Set(requests.map { $0.path.bytes })
        for r in requests where r.access == .read && addsRotatedCopies {
            guard case .found(let f) = host.fileSystem.lookup(r.path), f.type == .regular else { continue }
            guard case .success(let names) = host.listDirectory(r.path.parent) else { continue }
            for name in names where RotatedName.isRotatedCopy(name, of: r.path.lastComponent) {
                let p = r.path.parent.appending(name)
                guard case .found(let g) = host.fileSystem.lookup(p), g.type == .regular, seenPaths.insert(p.bytes).inserted else { continue }
                out.append((p, .read, r.ruleID, "rotated copy of \(r.path.display)"))
            }
        }
        return out
    }

    // MARK: - Shared by the strategies

    /// A decision about a path the plan names by its display text: the overlay knows its bytes.
    func decide(_ source: any FactSource, _ path: String, _ access: Access, _ who: Principal) -> AccessDecision {
        let raw = (source as? OverlaySource)?.raw[path] ?? RawPath(path)
        return AccessEvaluator(source: source).decide(raw, access, for: who)
    }

    /// Everyone an entry for `gid` speaks for: its listed members and the users whose primary group it is.
    func members(ofGroup gid: UInt32) -> [Principal] {
        var names = Set(host.accounts.group(gid: gid)?.members ?? [])
        if case .success(let passwd) = host.readTextFile("/etc/passwd") {
            for u in FileAccounts(passwd: passwd, group: "").users where u.gid == gid { names.insert(u.name) }
        }
        return names.sorted().compactMap(principal(named:))
    }

    func principal(named name: String) -> Principal? {
        guard let u = host.accounts.user(named: name) else { return nil }
        let groups = host.accounts.groups(ofUser: name, primary: u.gid)
        return Principal(uid: u.uid, gid: u.gid, groups: groups, userName: u.name, origin: "member")
    }

    func principal(uid: UInt32) -> Principal? {
        guard let u = host.accounts.user(uid: uid) else { return Principal(uid: uid, gid: uid, origin: "uid") }
        return principal(named: u.name)
    }

    /// What a change opens (and takes away) under these roots: the one ``ReachDelta``, swept on the host,
    /// each side's walk to a root judged on its own model.
    func delta(
        under roots: [String], before: Principal, after: Principal, beforeSource: OverlaySource? = nil, afterSource: OverlaySource? = nil,
        accesses: [Access] = [.read]
    ) -> [AccessChange] {
        let sweep = ReachDeltaSweep(
            host: host, roots: roots,
            before: .init(principal: before, changed: beforeSource?.changedByPath ?? [:]),
            after: .init(principal: after, changed: afterSource?.changedByPath ?? [:]),
            accesses: accesses, beforeSource: beforeSource, afterSource: afterSource)
        let d = sweep.delta
        return d.opened.map { AccessChange(principal: after.userLabel, object: $0.displayPath, access: $0.access, before: .denied, after: .granted) }
            + d.closed.map { AccessChange(principal: after.userLabel, object: $0.displayPath, access: $0.access, before: .granted, after: .denied) }
    }

    /// The roots a broad change is counted under: the audit's (``ReachDelta/broadRoots``), plus the targets'
    /// folders that lie outside them.
    static func broadRoots(adding dirs: [RawPath]) -> [String] {
        var roots = ReachDelta.broadRoots
        for d in dirs.map(\.display) where !roots.contains(where: { d == $0 || d.hasPrefix($0 + "/") }) { roots.append(d) }
        return roots
    }

    func planID(_ steps: [FixStep], _ targets: [FixTarget]) -> String {
        let text = "\(principal.uid):\(principal.gid)\n" + targets.map { $0.path.hex + $0.access.rawValue }.joined(separator: "\n")
            + steps.map(\.change).joined(separator: "\n")
        return String(Fingerprint.fnv1a64(text).prefix(12))
    }
}

/// logrotate's names for the old copies of a log: `NAME.1`, `NAME.2.gz`, `NAME-20250101`, `NAME-20250101.gz`.
enum RotatedName {
    static func isRotatedCopy(_ name: [UInt8], of base: [UInt8]) -> Bool {
        guard name.count > base.count + 1, name.starts(with: base) else { return false }
        var rest = Array(name.dropFirst(base.count))
        let sep = rest.removeFirst()
        guard sep == UInt8(ascii: ".") || sep == UInt8(ascii: "-") else { return false }
        for suffix in [".gz", ".xz", ".bz2", ".zst"] where rest.count > suffix.utf8.count && rest.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) {
            rest.removeLast(suffix.utf8.count)
        }
        return !rest.isEmpty && rest.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
