/// Decides whether a principal can do an access to a path, walking it as the kernel does.
///
/// Pure: every fact comes from the `FactSource`. Search on every directory on the way, symlinks followed
/// (at most 40, as the kernel's `MAXSYMLINKS`), `..` taken physically, mounts and attributes checked
/// where `inode_permission` and `may_open` check them.
public struct AccessEvaluator: Sendable {
    public let source: any FactSource
    public static let maxSymlinks = 40

    public init(source: any FactSource) { self.source = source }

    /// The decision for a path given as bytes, exactly as the kernel would be asked.
    public func decide(_ path: RawPath, _ access: Access, for principal: Principal) -> AccessDecision {
        var walk = Walk(source: source, principal: principal, path: path, access: access)
        return walk.run()
    }

    /// Convenience: the decision for a path given as text (valid UTF-8 names only).
    public func decide(_ path: String, _ access: Access, for principal: Principal) -> AccessDecision {
        decide(RawPath(path), access, for: principal)
    }
}

/// One decision in progress: the steps taken so far and the facts already read.
struct Walk {
    let source: any FactSource
    let principal: Principal
    /// What is asked: a sweep's reusable walk (`SweepJudge.Workspace`) sets them again for each object.
    var path: RawPath
    var access: Access
    var evidence: [EvidenceStep] = []
    var cache: [RawPath: FactLookup] = [:]
    /// One fact the caller already holds (a sweep's object), kept out of the dictionary: no allocation.
    var seeded: (path: RawPath, lookup: FactLookup)?
    /// The mounts a sweep already knows for its object and the object's directory.
    var knownMounts: (object: RawPath, mount: MountFacts?, parentMount: MountFacts?)?
    /// A sweep asks only for the verdict, the errno and the reason: the steps' texts (paths, owner and
    /// group names) are not built.
    var recordsEvidence = true
    /// A sweep that prints only paths asks for the verdict and the errno alone: no step is recorded and no
    /// reason is worded (the decision's `reason` is empty), so a decision allocates nothing.
    var explains = true

    init(source: any FactSource, principal: Principal, path: RawPath, access: Access) {
        self.source = source
        self.principal = principal
        self.path = path
        self.access = access
    }

    /// How a walk ends before it reaches the final check.
    struct Stop: Error {
        var verdict: AccessDecision.Verdict
        var errno: Errno
        var reason: String
        var at: RawPath
        var cause: DenialCause
    }

    /// A stop, its reason worded only when the walk explains.
    func stop(verdict: AccessDecision.Verdict, errno: Errno, reason: @autoclosure () -> String, at: RawPath, cause: DenialCause) -> Stop {
        Stop(verdict: verdict, errno: errno, reason: explains ? reason() : "", at: at, cause: cause)
    }

    /// The mount holding a path: the sweep's known ones first.
    func mount(containing p: RawPath) -> MountFacts? {
        if let known = knownMounts {
            if let m = known.mount, p == known.object { return m }
            if let m = known.parentMount, p == known.object.parent { return m }
        }
        return source.mount(containing: p)
    }

    mutating func run() -> AccessDecision {
        do {
            return finishing(try resolve())
        } catch {
            return decision(error.verdict, errno: error.errno, reason: error.reason, at: error.at, resolved: nil, cause: error.cause)
        }
    }

    /// The final checks on a resolved walk, as a decision: what `explain` and the sweep both end with.
    mutating func finishing(_ resolved: Resolved, failedSearch: Stop? = nil) -> AccessDecision {
        do throws(Stop) {
            if let failedSearch { throw failedSearch }
            let granted = try finish(resolved)
            return decision(.granted, errno: nil, reason: granted.reason, at: nil, resolved: granted.resolved)
        } catch {
            return decision(error.verdict, errno: error.errno, reason: error.reason, at: error.at, resolved: nil, cause: error.cause)
        }
    }

    /// The same final checks, the verdict and errno alone: no decision is built.
    mutating func verdict(_ resolved: Resolved, failedSearch: Stop? = nil) -> SweepVerdict {
        do throws(Stop) {
            if let failedSearch { throw failedSearch }
            _ = try finish(resolved)
            return SweepVerdict(verdict: .granted, errno: nil)
        } catch {
            return SweepVerdict(verdict: error.verdict, errno: error.errno)
        }
    }

    func decision(_ verdict: AccessDecision.Verdict, errno: Errno?, reason: @autoclosure () -> String, at: RawPath?, resolved: RawPath?, cause: DenialCause? = nil) -> AccessDecision {
        AccessDecision(
            target: path, resolved: resolved, access: access, principal: principal, verdict: verdict, errno: errno,
            reason: explains ? reason() : "", blocked: at, evidence: evidence, caveats: explains ? source.securityModules.caveats : [], cause: cause)
    }

    // MARK: - Facts

    mutating func facts(_ p: RawPath) throws(Stop) -> FileFacts? {
        let found: FactLookup
        if let seeded, seeded.path == p {
            found = seeded.lookup
        } else if let cached = cache[p] {
            found = cached
        } else {
            found = source.lookup(p)
            cache[p] = found
        }
        switch found {
        case .found(let f): return f
        case .missing: return nil
        case .unreadable(let errno, let reason):
            if explains { evidence.append(EvidenceStep(path: p.display, role: .target, check: "look", outcome: .unknown, because: reason, errno: errno)) }
            throw stop(verdict: .unknown, errno: errno, reason: "permaudit cannot look at \(p): \(reason)", at: p, cause: .cannotLook)
        }
    }

    func label(_ f: FileFacts) -> (String, String) {
        (source.userName(f.uid) ?? String(f.uid), source.groupName(f.gid) ?? String(f.gid))
    }

    func step(_ p: RawPath, _ role: EvidenceStep.Role, _ check: String, _ f: FileFacts?, _ outcome: PermissionOutcome?, granted: Bool, because: String? = nil, errno: Errno? = nil) -> EvidenceStep {
        guard recordsEvidence else {
            return EvidenceStep(path: "", role: role, check: check, outcome: granted ? .granted : .denied, because: because ?? outcome.map { $0.because(for: principal) } ?? "", errno: granted ? nil : errno ?? .permissionDenied)
        }
        let names = f.map(label)
        return EvidenceStep(
            path: p.display, role: role, check: check, outcome: granted ? .granted : .denied,
            because: because ?? outcome.map { $0.because(for: principal) } ?? "", fileType: f?.type, fileMode: f?.mode, hasACL: f?.acl != nil, owner: names?.0, group: names?.1,
            matchedEntry: outcome?.matchedEntry?.description, mask: outcome?.mask?.description,
            capability: outcome?.capability?.name.uppercased(), errno: granted ? nil : errno ?? .permissionDenied)
    }

    /// A FUSE mount without `allow_other` lets in only its own uid and gid (root included in the refusal).
    func fuseRefusal(_ p: RawPath) -> MountFacts? {
        guard let m = mount(containing: p), let owner = m.fuseOwnerOnly else { return nil }
        return owner.uid == principal.uid && owner.gid == principal.gid ? nil : m
    }

    func fuseReason(_ m: MountFacts) -> String {
        let uid = m.option("user_id") ?? "?"
        return "\(m.mountPoint) is a FUSE mount (\(m.fsType)) of uid \(uid) without allow_other: the kernel refuses every other user, root included"
    }

    /// The search (`x`) check on a directory the walk passes through.
    mutating func search(_ dir: RawPath, _ f: FileFacts) throws(Stop) {
        if let m = fuseRefusal(dir) {
            if explains { evidence.append(step(dir, .mount, "search", f, nil, granted: false, because: fuseReason(m))) }
            throw stop(verdict: .denied, errno: .permissionDenied, reason: fuseReason(m), at: dir, cause: .fuseOwnerOnly)
        }
        guard f.type == .directory else {
            if explains { evidence.append(step(dir, .ancestor, "search", f, nil, granted: false, because: "not a directory", errno: .notDirectory)) }
            throw stop(verdict: .denied, errno: .notDirectory, reason: "\(dir) is not a directory", at: dir, cause: .notADirectory)
        }
        let outcome = PermissionCheck.check(.execute, on: f, by: principal)
        if explains { evidence.append(step(dir, .ancestor, "search", f, outcome, granted: outcome.granted)) }
        if !outcome.granted {
            throw stop(verdict: .denied, errno: .permissionDenied, reason: "no search permission on \(dir): \(outcome.because(for: principal))", at: dir, cause: .permission)
        }
    }

    // MARK: - The walk

    /// Where the walk ended: the physical components of the object (or, for create and delete, of the
    /// directory holding the entry) and the entry's name.
    struct Resolved {
        var parent: [[UInt8]]
        var last: [UInt8]?
        /// The path (or the last symlink's target) ended in `/`: the object must be a directory.
        var mustBeDirectory: Bool
        /// The object's path when the caller already holds it (a sweep): the same as `RawPath(components:
        /// parent)` when `last` is nil, without rebuilding it.
        var known: RawPath? = nil
    }

    /// Resolves the path to its physical components as fs/namei.c `link_path_walk` does: search on the
    /// directory before every component (`.` and `..` included), symlinks expanded in place, a trailing
    /// slash forcing a directory. For delete the last component is kept unresolved (it names the entry in
    /// its directory); for create a final symlink is followed, as `open(O_CREAT)` without `O_EXCL` does.
    mutating func resolve() throws(Stop) -> Resolved {
        var resolved: [[UInt8]] = []
        var pending = Array(PathComponent.split(path).reversed())
        var links = 0
        let keepLast = access == .create || access == .delete
        while let component = pending.popLast() {
            let name = component.name
            let dirPath = RawPath(components: resolved)
            guard let dirFacts = try facts(dirPath) else {
                throw stop(verdict: .denied, errno: .noSuchFileOrDirectory, reason: "\(dirPath) does not exist", at: dirPath, cause: .missing)
            }
            try search(dirPath, dirFacts)
            let isLast = pending.isEmpty
            if name == dot || name == dotdot {
                if name == dotdot && !resolved.isEmpty { resolved.removeLast() }
                if isLast && keepLast { try refuseDots(RawPath(components: resolved), dotdot: name == dotdot) }
                if isLast { return Resolved(parent: resolved, last: nil, mustBeDirectory: true) }
                continue
            }
            if isLast && keepLast {
                if access == .create && component.slash {
                    let entry = RawPath(components: resolved + [name])
                    if explains { evidence.append(EvidenceStep(path: entry.display, role: .target, check: "create", outcome: .denied, because: "O_CREAT on a name ending in / is refused", errno: .isDirectory)) }
                    throw stop(verdict: .denied, errno: .isDirectory, reason: "\(path) ends in /: open(O_CREAT) refuses it", at: entry, cause: .isADirectory)
                }
                let child = RawPath(components: resolved + [name])
                let isLink = access == .create ? (try facts(child))?.type == .symlink : false
                if !isLink { return Resolved(parent: resolved, last: name, mustBeDirectory: component.slash) }
            }
            let child = RawPath(components: resolved + [name])
            // Another user's FUSE mount: the kernel refuses even to stat its root.
            if let m = fuseRefusal(child), m.mountPoint == child.display {
                if isLast && access == .statfs {
                    if explains { evidence.append(EvidenceStep(
                        path: child.display, role: .mount, check: "statfs", outcome: .denied,
                        because: fuseReason(m) + "; statfs(2) returns all-zero counts and stat(2) fails with EACCES", errno: .permissionDenied)) }
                    throw stop(verdict: .denied, errno: .permissionDenied, reason: fuseReason(m), at: child, cause: .fuseOwnerOnly)
                }
                if explains { evidence.append(EvidenceStep(path: child.display, role: .mount, check: isLast ? access.rawValue : "search", outcome: .denied, because: fuseReason(m), errno: .permissionDenied)) }
                throw stop(verdict: .denied, errno: .permissionDenied, reason: fuseReason(m), at: child, cause: .fuseOwnerOnly)
            }
            guard let f = try facts(child) else {
                if explains { evidence.append(EvidenceStep(path: child.display, role: isLast ? .target : .ancestor, check: "look up", outcome: .denied, because: "no such file or directory", errno: .noSuchFileOrDirectory)) }
                throw stop(verdict: .denied, errno: .noSuchFileOrDirectory, reason: "\(child) does not exist", at: child, cause: .missing)
            }
            if f.type == .symlink {
                links += 1
                if links > AccessEvaluator.maxSymlinks {
                    if explains { evidence.append(EvidenceStep(path: child.display, role: .symlink, check: "follow", outcome: .unknown, because: "more than 40 symlinks: a loop", errno: .tooManySymbolicLinkLevels)) }
                    throw stop(verdict: .unknown, errno: .tooManySymbolicLinkLevels, reason: "too many levels of symbolic links at \(child) (a loop?)", at: child, cause: .symlinkLoop)
                }
                try checkProtectedSymlink(child, link: f, dir: dirFacts)
                let target = f.symlinkTarget ?? RawPath(bytes: [])
                let names = label(f)
                if explains { evidence.append(EvidenceStep(
                    path: child.display, role: .symlink, check: "follow", outcome: .info, because: "→ \(target)",
                    fileType: f.type, fileMode: f.mode, hasACL: f.acl != nil, owner: names.0, group: names.1)) }
                if target.bytes.isEmpty {
                    throw stop(verdict: .denied, errno: .noSuchFileOrDirectory, reason: "\(child) is an empty symlink", at: child, cause: .missing)
                }
                if target.isAbsolute { resolved = [] }
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
                if explains { evidence.append(step(child, .ancestor, "search", f, nil, granted: false, because: "not a directory", errno: .notDirectory)) }
                throw stop(verdict: .denied, errno: .notDirectory, reason: "\(child) is not a directory", at: child, cause: .notADirectory)
            }
            resolved.append(name)
            if isLast { return Resolved(parent: resolved, last: nil, mustBeDirectory: component.slash) }
        }
        return Resolved(parent: resolved, last: nil, mustBeDirectory: path.bytes.last == slash)
    }

    /// `.` or `..` as the entry to create or delete: open(O_CREAT) answers EISDIR; rmdir answers EINVAL
    /// for `.` and ENOTEMPTY for `..` (fs/namei.c `do_rmdir`), before it takes write access to the mount.
    mutating func refuseDots(_ dir: RawPath, dotdot: Bool) throws(Stop) {
        let errno = access == .create ? Errno.isDirectory : dotdot ? .directoryNotEmpty : .invalidArgument
        let why = "\(path) ends in . or ..: that names a directory, not an entry that can be \(access == .create ? "created" : "removed")"
        if explains { evidence.append(EvidenceStep(path: dir.display, role: .target, check: access.rawValue, outcome: .denied, because: why, errno: errno)) }
        throw stop(verdict: .denied, errno: errno, reason: why, at: dir, cause: .invalidName)
    }

    /// `fs.protected_symlinks`: in a sticky world-writable directory, a symlink is followed only by its
    /// owner or when the directory's owner owns it too (fs/namei.c `may_follow_link`).
    mutating func checkProtectedSymlink(_ p: RawPath, link: FileFacts, dir: FileFacts) throws(Stop) {
        guard source.protectedSysctls.symlinks != 0 else { return }
        guard dir.mode.isSticky, dir.mode.other.contains(.write) else { return }
        if principal.uid == link.uid || dir.uid == link.uid { return }
        let why = "fs.protected_symlinks=1: a symlink in a sticky world-writable directory is followed only by its owner"
        if explains { evidence.append(EvidenceStep(path: p.display, role: .attribute, check: "follow", outcome: .denied, because: why, errno: .permissionDenied)) }
        throw stop(verdict: .denied, errno: .permissionDenied, reason: why, at: p, cause: .protectedSysctl)
    }
}

let slash = UInt8(ascii: "/")
let dot: [UInt8] = [UInt8(ascii: ".")]
let dotdot: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ".")]
