extension Walk {
    /// The checks on the object itself, once the walk has reached it.
    mutating func finish(_ r: (parent: [String], last: String?)) throws -> AccessDecision {
        if let last = r.last {
            return try entryChange(parent: r.parent, name: last)
        }
        let target = absolutePath(r.parent)
        guard let f = try facts(target) else {
            throw Stop(verdict: .denied, errno: "ENOENT", reason: "\(target) does not exist", at: target)
        }
        let mount = source.mount(containing: target)
        switch access {
        case .statfs:
            evidence.append(step(target, .target, "statfs", f, nil, granted: true, because: "statfs needs only the walk to the path"))
            return decision(.granted, errno: nil, reason: "statfs(2) reaches \(target)", at: nil, resolved: target)
        case .list, .search:
            guard f.type == .directory else {
                evidence.append(step(target, .target, access.rawValue, f, nil, granted: false, because: "not a directory", errno: "ENOTDIR"))
                throw Stop(verdict: .denied, errno: "ENOTDIR", reason: "\(target) is not a directory", at: target)
            }
        default:
            break
        }
        guard let want = access.bits else { preconditionFailure("every remaining access names bits") }
        if let m = fuseRefusal(target) {
            evidence.append(step(target, .mount, access.rawValue, f, nil, granted: false, because: fuseReason(m)))
            throw Stop(verdict: .denied, errno: "EACCES", reason: fuseReason(m), at: target)
        }
        if want == .write {
            try refuseWrite(target, f, mount: mount)
        }
        if want == .execute, f.type == .regular, let m = mount, m.isNoExec {
            let why = "\(m.mountPoint) is mounted noexec"
            evidence.append(step(target, .mount, "execute", f, nil, granted: false, because: why))
            throw Stop(verdict: .denied, errno: "EACCES", reason: why, at: target)
        }
        if f.type == .characterDevice || f.type == .blockDevice, want != .execute, let m = mount, m.isNoDev {
            let why = "\(m.mountPoint) is mounted nodev: device files cannot be opened"
            evidence.append(step(target, .mount, access.rawValue, f, nil, granted: false, because: why))
            throw Stop(verdict: .denied, errno: "EACCES", reason: why, at: target)
        }
        let outcome = PermissionCheck.check(want, on: f, by: principal)
        let word = access == .execute && f.type == .directory ? "search" : access.rawValue
        evidence.append(step(target, .target, word, f, outcome, granted: outcome.granted))
        if outcome.granted {
            return decision(.granted, errno: nil, reason: "\(word) \(target): \(outcome.because)", at: nil, resolved: target)
        }
        throw Stop(verdict: .denied, errno: "EACCES", reason: "\(word) \(target): \(outcome.because)", at: target)
    }

    /// Read-only mounts (`EROFS`, for files, directories and links only), immutable and append-only files (`EPERM`).
    mutating func refuseWrite(_ p: String, _ f: FileFacts, mount: MountFacts?) throws {
        if let m = mount, m.isReadOnly, [.regular, .directory, .symlink].contains(f.type) {
            let why = "\(m.mountPoint) is mounted read-only"
            evidence.append(step(p, .mount, "write", f, nil, granted: false, because: why, errno: "EROFS"))
            throw Stop(verdict: .denied, errno: "EROFS", reason: why, at: p)
        }
        if f.isImmutable {
            let why = "\(p) is immutable (chattr +i): no one may write it, root included"
            evidence.append(step(p, .attribute, "write", f, nil, granted: false, because: why, errno: "EPERM"))
            throw Stop(verdict: .denied, errno: "EPERM", reason: why, at: p)
        }
        if f.isAppendOnly, f.type != .directory, access == .write {
            let why = "\(p) is append-only (chattr +a): only O_APPEND writes are allowed"
            evidence.append(step(p, .attribute, "write", f, nil, granted: false, because: why, errno: "EPERM"))
            throw Stop(verdict: .denied, errno: "EPERM", reason: why, at: p)
        }
    }

    /// Create or delete an entry: write and search on the directory, then the entry's own rules.
    mutating func entryChange(parent: [String], name: String) throws -> AccessDecision {
        let dir = absolutePath(parent)
        let entry = absolutePath(parent + [name])
        guard let d = try facts(dir) else {
            throw Stop(verdict: .denied, errno: "ENOENT", reason: "\(dir) does not exist", at: dir)
        }
        let existing = try facts(entry)
        if access == .create, let e = existing {
            return try createOverExisting(dir: dir, d, entry: entry, e)
        }
        if access == .delete, existing == nil {
            evidence.append(EvidenceStep(path: entry, role: .target, check: "delete", outcome: .denied, because: "no such file or directory", errno: "ENOENT"))
            throw Stop(verdict: .denied, errno: "ENOENT", reason: "\(entry) does not exist", at: entry)
        }
        try refuseWrite(dir, d, mount: source.mount(containing: dir))
        if let m = fuseRefusal(dir) {
            evidence.append(step(dir, .mount, "write+search", d, nil, granted: false, because: fuseReason(m)))
            throw Stop(verdict: .denied, errno: "EACCES", reason: fuseReason(m), at: dir)
        }
        let outcome = PermissionCheck.check([.write, .execute], on: d, by: principal)
        evidence.append(step(dir, .parent, "write+search", d, outcome, granted: outcome.granted))
        guard outcome.granted else {
            throw Stop(verdict: .denied, errno: "EACCES", reason: "\(access.rawValue) in \(dir) needs write and search on it: \(outcome.because)", at: dir)
        }
        if access == .create {
            return decision(.granted, errno: nil, reason: "create \(entry): \(outcome.because)", at: nil, resolved: entry)
        }
        guard let victim = existing else { preconditionFailure("checked above") }
        if d.isAppendOnly {
            let why = "\(dir) is append-only (chattr +a): entries can be added, not removed"
            evidence.append(step(dir, .attribute, "delete", d, nil, granted: false, because: why, errno: "EPERM"))
            throw Stop(verdict: .denied, errno: "EPERM", reason: why, at: dir)
        }
        if d.mode.isSticky, principal.uid != victim.uid, principal.uid != d.uid {
            if principal.capabilities.contains(.fowner) {
                evidence.append(step(entry, .target, "delete", victim, nil, granted: true, because: "\(dir) is sticky and the entry is another user's, but CAP_FOWNER overrides"))
                return decision(.granted, errno: nil, reason: "delete \(entry): sticky directory, CAP_FOWNER", at: nil, resolved: entry)
            }
            let why = "\(dir) is sticky: only the entry's owner or the directory's owner may delete it"
            evidence.append(step(entry, .target, "delete", victim, nil, granted: false, because: why, errno: "EPERM"))
            throw Stop(verdict: .denied, errno: "EPERM", reason: why, at: entry)
        }
        if victim.isImmutable || victim.isAppendOnly {
            let why = "\(entry) is \(victim.isImmutable ? "immutable" : "append-only"): it cannot be removed"
            evidence.append(step(entry, .attribute, "delete", victim, nil, granted: false, because: why, errno: "EPERM"))
            throw Stop(verdict: .denied, errno: "EPERM", reason: why, at: entry)
        }
        evidence.append(step(entry, .target, "delete", victim, nil, granted: true, because: "write and search on \(dir) suffice"))
        return decision(.granted, errno: nil, reason: "delete \(entry): \(outcome.because)", at: nil, resolved: entry)
    }

    /// `open(O_CREAT)` of a name that exists: `protected_regular`/`protected_fifos` in sticky directories,
    /// then the existing object is opened for writing (a symlink is followed).
    mutating func createOverExisting(dir: String, _ d: FileFacts, entry: String, _ e: FileFacts) throws -> AccessDecision {
        if e.type == .directory {
            evidence.append(step(entry, .target, "create", e, nil, granted: false, because: "a directory of that name exists", errno: "EISDIR"))
            throw Stop(verdict: .denied, errno: "EISDIR", reason: "\(entry) is a directory", at: entry)
        }
        if e.type == .symlink {
            evidence.append(step(entry, .symlink, "follow", e, nil, granted: true, because: "O_CREAT follows the existing link → \(e.symlinkTarget ?? "")"))
            var inner = Walk(source: source, principal: principal, path: entry, access: .write)
            inner.evidence = evidence
            var d = inner.run()
            d.access = .create
            return d
        }
        let sysctls = source.protectedSysctls
        let protectedKind = (e.type == .regular && sysctls.regular > 0) || (e.type == .fifo && sysctls.fifos > 0)
        if d.mode.isSticky, protectedKind, d.uid != e.uid, principal.uid != e.uid {
            let level = e.type == .regular ? sysctls.regular : sysctls.fifos
            if d.mode.other.contains(.write) || (d.mode.group.contains(.write) && level >= 2) {
                let why = "fs.protected_\(e.type == .regular ? "regular" : "fifos")=\(level): O_CREAT on another user's file in a sticky directory is refused"
                evidence.append(step(entry, .attribute, "create", e, nil, granted: false, because: why))
                throw Stop(verdict: .denied, errno: "EACCES", reason: why, at: entry)
            }
        }
        try refuseWrite(entry, e, mount: source.mount(containing: entry))
        let outcome = PermissionCheck.check(.write, on: e, by: principal)
        evidence.append(step(entry, .target, "create (exists: open for writing)", e, outcome, granted: outcome.granted))
        if outcome.granted {
            return decision(.granted, errno: nil, reason: "\(entry) exists and opens for writing: \(outcome.because)", at: nil, resolved: entry)
        }
        throw Stop(verdict: .denied, errno: "EACCES", reason: "\(entry) exists and does not open for writing: \(outcome.because)", at: entry)
    }
}
