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
    /// How many entries of a directory the blast radius looks at before it stops and says so.
    public var scanLimit = 2000

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
        let expanded = withRotatedCopies(requests)
        var rawMap: [String: RawPath] = [:]
        for r in expanded {
            rawMap[r.path.display] = r.path
            for a in r.path.ancestors { rawMap[a.display] = a }
        }
        let base = OverlaySource(base: host, raw: rawMap)
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
        for r in requests where r.access == .read {
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

    /// The accesses worth comparing on an object of this type.
    static func accesses(for type: FileType) -> [Access] {
        type == .directory ? [.list, .search, .write] : [.read, .write, .execute]
    }

    /// Every change of access between two models for these principals on these objects.
    func compare(_ before: any FactSource, _ after: any FactSource, principals: [Principal], objects: [(String, FileType)]) -> [AccessChange] {
        var out: [AccessChange] = []
        for who in principals {
            for (path, type) in objects {
                for access in Self.accesses(for: type) {
                    let b = decide(before, path, access, who).verdict
                    let a = decide(after, path, access, who).verdict
                    if a != b { out.append(AccessChange(principal: who.userLabel, object: path, access: access, before: b, after: a)) }
                }
            }
        }
        return out
    }

    /// The entries of a directory (display text and type), up to `scanLimit`; the directory itself first.
    func objects(in dir: RawPath, source: any FactSource) -> [(String, FileType)] {
        var out: [(String, FileType)] = [(dir.display, .directory)]
        guard case .success(let names) = host.listDirectory(dir) else { return out }
        for name in names.prefix(scanLimit) {
            let p = dir.appending(name)
            if case .found(let f) = host.fileSystem.lookup(p), f.type != .symlink { out.append((p.display, f.type)) }
        }
        return out
    }

    /// Everything under these folders (recursively, up to `scanLimit` objects) that `after` can read and `before` cannot.
    func newlyReadable(under roots: [RawPath], before: Principal, after: Principal, source: any FactSource) -> [AccessChange] {
        var out: [AccessChange] = []
        var pending = roots
        var seen = Set<[UInt8]>()
        var count = 0
        while let dir = pending.popLast(), count < scanLimit {
            guard seen.insert(dir.bytes).inserted, case .success(let names) = host.listDirectory(dir) else { continue }
            for name in names {
                count += 1
                let p = dir.appending(name)
                guard case .found(let f) = host.fileSystem.lookup(p), f.type == .regular || f.type == .directory else { continue }
                if f.type == .directory { pending.append(p) }
                let access: Access = f.type == .directory ? .list : .read
                let b = decide(source, p.display, access, before).verdict
                let a = decide(source, p.display, access, after).verdict
                if a == .granted && b != .granted {
                    out.append(AccessChange(principal: after.userLabel, object: p.display, access: access, before: b, after: a))
                }
            }
        }
        return out
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
