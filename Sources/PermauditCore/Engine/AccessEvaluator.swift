/// Decides whether a principal can do an access to a path, walking it as the kernel does.
///
/// Pure: every fact comes from the `FactSource`. Search on every directory on the way, symlinks followed
/// (at most 40, as the kernel's `MAXSYMLINKS`), `..` taken physically, mounts and attributes checked
/// where `inode_permission` and `may_open` check them.
public struct AccessEvaluator: Sendable {
    public let source: any FactSource
    public static let maxSymlinks = 40

    public init(source: any FactSource) { self.source = source }

    public func decide(_ path: String, _ access: Access, for principal: Principal) -> AccessDecision {
        var walk = Walk(source: source, principal: principal, path: path, access: access)
        return walk.run()
    }
}

/// One decision in progress: the steps taken so far and the facts already read.
struct Walk {
    let source: any FactSource
    let principal: Principal
    let path: String
    let access: Access
    var evidence: [EvidenceStep] = []
    var cache: [String: FactLookup] = [:]

    init(source: any FactSource, principal: Principal, path: String, access: Access) {
        self.source = source
        self.principal = principal
        self.path = path
        self.access = access
    }

    /// How a walk ends before it reaches the final check.
    struct Stop: Error {
        var verdict: AccessDecision.Verdict
        var errno: String
        var reason: String
        var at: String
        var cause: DenialCause
    }

    mutating func run() -> AccessDecision {
        do {
            let resolved = try resolve()
            return try finish(resolved)
        } catch let stop as Stop {
            return decision(stop.verdict, errno: stop.errno, reason: stop.reason, at: stop.at, resolved: nil, cause: stop.cause)
        } catch {
            return decision(.unknown, errno: "EIO", reason: "\(error)", at: path, resolved: nil, cause: .cannotLook)
        }
    }

    func decision(_ verdict: AccessDecision.Verdict, errno: String?, reason: String, at: String?, resolved: String?, cause: DenialCause? = nil) -> AccessDecision {
        AccessDecision(
            path: path, resolvedPath: resolved, access: access, principal: principal, verdict: verdict, errno: errno,
            reason: reason, blockedAt: at, evidence: evidence, caveats: source.securityModules.caveats, cause: cause)
    }

    // MARK: - Facts

    mutating func facts(_ p: String) throws -> FileFacts? {
        let found: FactLookup
        if let cached = cache[p] {
            found = cached
        } else {
            found = source.lookup(p)
            cache[p] = found
        }
        switch found {
        case .found(let f): return f
        case .missing: return nil
        case .unreadable(let errno, let reason):
            evidence.append(EvidenceStep(path: p, role: .target, check: "look", outcome: .unknown, because: reason, errno: errno))
            throw Stop(verdict: .unknown, errno: errno, reason: "permaudit cannot look at \(p): \(reason)", at: p, cause: .cannotLook)
        }
    }

    func label(_ f: FileFacts) -> (String, String) {
        (source.userName(f.uid) ?? String(f.uid), source.groupName(f.gid) ?? String(f.gid))
    }

    func step(_ p: String, _ role: EvidenceStep.Role, _ check: String, _ f: FileFacts?, _ outcome: PermissionOutcome?, granted: Bool, because: String? = nil, errno: String? = nil) -> EvidenceStep {
        let names = f.map(label)
        return EvidenceStep(
            path: p, role: role, check: check, outcome: granted ? .granted : .denied,
            because: because ?? outcome?.because ?? "", fileType: f?.type, fileMode: f?.mode, hasACL: f?.acl != nil, owner: names?.0, group: names?.1,
            matchedEntry: outcome?.matchedEntry?.description, mask: outcome?.mask?.description,
            capability: outcome?.capability?.name.uppercased(), errno: granted ? nil : errno ?? "EACCES")
    }

    /// A FUSE mount without `allow_other` lets in only its own uid and gid (root included in the refusal).
    func fuseRefusal(_ p: String) -> MountFacts? {
        guard let m = source.mount(containing: p), let owner = m.fuseOwnerOnly else { return nil }
        return owner.uid == principal.uid && owner.gid == principal.gid ? nil : m
    }

    func fuseReason(_ m: MountFacts) -> String {
        let uid = m.option("user_id") ?? "?"
        return "\(m.mountPoint) is a FUSE mount (\(m.fsType)) of uid \(uid) without allow_other: the kernel refuses every other user, root included"
    }

    /// The search (`x`) check on a directory the walk passes through.
    mutating func search(_ dir: String, _ f: FileFacts) throws {
        if let m = fuseRefusal(dir) {
            evidence.append(step(dir, .mount, "search", f, nil, granted: false, because: fuseReason(m)))
            throw Stop(verdict: .denied, errno: "EACCES", reason: fuseReason(m), at: dir, cause: .fuseOwnerOnly)
        }
        guard f.type == .directory else {
            evidence.append(step(dir, .ancestor, "search", f, nil, granted: false, because: "not a directory", errno: "ENOTDIR"))
            throw Stop(verdict: .denied, errno: "ENOTDIR", reason: "\(dir) is not a directory", at: dir, cause: .notADirectory)
        }
        let outcome = PermissionCheck.check(.execute, on: f, by: principal)
        evidence.append(step(dir, .ancestor, "search", f, outcome, granted: outcome.granted))
        if !outcome.granted {
            throw Stop(verdict: .denied, errno: "EACCES", reason: "no search permission on \(dir): \(outcome.because)", at: dir, cause: .permission)
        }
    }

    // MARK: - The walk

    /// Where the walk ended: the physical components of the object (or, for create and delete, of the
    /// directory holding the entry) and the entry's name.
    struct Resolved {
        var parent: [String]
        var last: String?
        /// The path (or the last symlink's target) ended in `/`: the object must be a directory.
        var mustBeDirectory: Bool
    }

    /// Resolves the path to its physical components as fs/namei.c `link_path_walk` does: search on the
    /// directory before every component (`.` and `..` included), symlinks expanded in place, a trailing
    /// slash forcing a directory. For delete the last component is kept unresolved (it names the entry in
    /// its directory); for create a final symlink is followed, as `open(O_CREAT)` without `O_EXCL` does.
    mutating func resolve() throws -> Resolved {
        var resolved: [String] = []
        var pending = Array(PathComponent.split(path).reversed())
        var links = 0
        let keepLast = access == .create || access == .delete
        while let component = pending.popLast() {
            let name = component.name
            let dirPath = absolutePath(resolved)
            guard let dirFacts = try facts(dirPath) else {
                throw Stop(verdict: .denied, errno: "ENOENT", reason: "\(dirPath) does not exist", at: dirPath, cause: .missing)
            }
            try search(dirPath, dirFacts)
            let isLast = pending.isEmpty
            if name == "." || name == ".." {
                if name == ".." && !resolved.isEmpty { resolved.removeLast() }
                if isLast && keepLast { try refuseDots(absolutePath(resolved), dotdot: name == "..") }
                if isLast { return Resolved(parent: resolved, last: nil, mustBeDirectory: true) }
                continue
            }
            if isLast && keepLast {
                if access == .create && component.slash {
                    let entry = absolutePath(resolved + [name])
                    evidence.append(EvidenceStep(path: entry, role: .target, check: "create", outcome: .denied, because: "O_CREAT on a name ending in / is refused", errno: "EISDIR"))
                    throw Stop(verdict: .denied, errno: "EISDIR", reason: "\(path) ends in /: open(O_CREAT) refuses it", at: entry, cause: .isADirectory)
                }
                let child = absolutePath(resolved + [name])
                let isLink = access == .create ? (try facts(child))?.type == .symlink : false
                if !isLink { return Resolved(parent: resolved, last: name, mustBeDirectory: component.slash) }
            }
            let child = absolutePath(resolved + [name])
            // Another user's FUSE mount: the kernel refuses even to stat its root.
            if let m = fuseRefusal(child), m.mountPoint == child {
                if isLast && access == .statfs {
                    evidence.append(EvidenceStep(
                        path: child, role: .mount, check: "statfs", outcome: .denied,
                        because: fuseReason(m) + "; statfs(2) returns all-zero counts and stat(2) fails with EACCES", errno: "EACCES"))
                    throw Stop(verdict: .denied, errno: "EACCES", reason: fuseReason(m), at: child, cause: .fuseOwnerOnly)
                }
                evidence.append(EvidenceStep(path: child, role: .mount, check: isLast ? access.rawValue : "search", outcome: .denied, because: fuseReason(m), errno: "EACCES"))
                throw Stop(verdict: .denied, errno: "EACCES", reason: fuseReason(m), at: child, cause: .fuseOwnerOnly)
            }
            guard let f = try facts(child) else {
                evidence.append(EvidenceStep(path: child, role: isLast ? .target : .ancestor, check: "look up", outcome: .denied, because: "no such file or directory", errno: "ENOENT"))
                throw Stop(verdict: .denied, errno: "ENOENT", reason: "\(child) does not exist", at: child, cause: .missing)
            }
            if f.type == .symlink {
                links += 1
                if links > AccessEvaluator.maxSymlinks {
                    evidence.append(EvidenceStep(path: child, role: .symlink, check: "follow", outcome: .unknown, because: "more than 40 symlinks: a loop", errno: "ELOOP"))
                    throw Stop(verdict: .unknown, errno: "ELOOP", reason: "too many levels of symbolic links at \(child) (a loop?)", at: child, cause: .symlinkLoop)
                }
                try checkProtectedSymlink(child, link: f, dir: dirFacts)
                let target = f.symlinkTarget ?? ""
                let names = label(f)
                evidence.append(EvidenceStep(
                    path: child, role: .symlink, check: "follow", outcome: .info, because: "→ \(target)",
                    fileType: f.type, fileMode: f.mode, hasACL: f.acl != nil, owner: names.0, group: names.1))
                if target.isEmpty {
                    throw Stop(verdict: .denied, errno: "ENOENT", reason: "\(child) is an empty symlink", at: child, cause: .missing)
                }
                if target.hasPrefix("/") { resolved = [] }
                var body = PathComponent.split(target)
                // A slash after the link (`link/`) asks for a directory whatever the link's body says.
                if component.slash, let lastIndex = body.indices.last { body[lastIndex].slash = true }
                if body.isEmpty {
                    // A link to `/`: it resolves to the root.
                    if isLast { return Resolved(parent: resolved, last: nil, mustBeDirectory: true) }
                    continue
                }
                pending.append(contentsOf: body.reversed())
                continue
            }
            if !isLast && f.type != .directory {
                evidence.append(step(child, .ancestor, "search", f, nil, granted: false, because: "not a directory", errno: "ENOTDIR"))
                throw Stop(verdict: .denied, errno: "ENOTDIR", reason: "\(child) is not a directory", at: child, cause: .notADirectory)
            }
            resolved.append(name)
            if isLast { return Resolved(parent: resolved, last: nil, mustBeDirectory: component.slash) }
        }
        return Resolved(parent: resolved, last: nil, mustBeDirectory: path.hasSuffix("/"))
    }

    /// `.` or `..` as the entry to create or delete: open(O_CREAT) answers EISDIR; rmdir answers EINVAL
    /// for `.` and ENOTEMPTY for `..` (fs/namei.c `do_rmdir`), before it takes write access to the mount.
    mutating func refuseDots(_ dir: String, dotdot: Bool) throws {
        let errno = access == .create ? "EISDIR" : dotdot ? "ENOTEMPTY" : "EINVAL"
        let why = "\(path) ends in . or ..: that names a directory, not an entry that can be \(access == .create ? "created" : "removed")"
        evidence.append(EvidenceStep(path: dir, role: .target, check: access.rawValue, outcome: .denied, because: why, errno: errno))
        throw Stop(verdict: .denied, errno: errno, reason: why, at: dir, cause: .invalidName)
    }

    /// `fs.protected_symlinks`: in a sticky world-writable directory, a symlink is followed only by its
    /// owner or when the directory's owner owns it too (fs/namei.c `may_follow_link`).
    mutating func checkProtectedSymlink(_ p: String, link: FileFacts, dir: FileFacts) throws {
        guard source.protectedSysctls.symlinks != 0 else { return }
        guard dir.mode.isSticky, dir.mode.other.contains(.write) else { return }
        if principal.uid == link.uid || dir.uid == link.uid { return }
        let why = "fs.protected_symlinks=1: a symlink in a sticky world-writable directory is followed only by its owner"
        evidence.append(EvidenceStep(path: p, role: .attribute, check: "follow", outcome: .denied, because: why, errno: "EACCES"))
        throw Stop(verdict: .denied, errno: "EACCES", reason: why, at: p, cause: .protectedSysctl)
    }
}
