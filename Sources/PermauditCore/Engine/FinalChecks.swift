extension Walk {
    /// How a walk that passed every check ends: why (worded only when the walk explains) and the object.
    struct Grant {
        var reason: String
        var resolved: RawPath
    }

    func grant(_ reason: @autoclosure () -> String, resolved: RawPath) -> Grant {
        Grant(reason: explains ? reason() : "", resolved: resolved)
    }

    /// The checks on the object itself, once the walk has reached it.
    mutating func finish(_ r: Resolved) throws(Stop) -> Grant {
        if let last = r.last {
            return try entryChange(parent: r.parent, name: last, mustBeDirectory: r.mustBeDirectory)
        }
        let target = r.known ?? RawPath(components: r.parent)
        guard let f = try facts(target) else {
            throw stop(verdict: .denied, errno: .noSuchFileOrDirectory, reason: "\(target) does not exist", at: target, cause: .missing)
        }
        if r.mustBeDirectory, f.type != .directory {
            if explains { evidence.append(step(target, .target, access.rawValue, f, nil, granted: false, because: "the path ends in / but this is not a directory", errno: .notDirectory)) }
            throw stop(verdict: .denied, errno: .notDirectory, reason: "\(path) ends in / but \(target) is not a directory", at: target, cause: .notADirectory)
        }
        if access == .create {
            // The walk followed a final symlink to an existing directory: open(O_CREAT) refuses it.
            if explains { evidence.append(step(target, .target, "create", f, nil, granted: false, because: "a directory of that name exists", errno: .isDirectory)) }
            throw stop(verdict: .denied, errno: .isDirectory, reason: "\(target) is a directory", at: target, cause: .isADirectory)
        }
        if access == .delete {
            // Only `/` itself gets here (delete never follows a final link): rmdir answers EBUSY.
            if explains { evidence.append(step(target, .target, "delete", f, nil, granted: false, because: "the root cannot be removed", errno: .resourceBusy)) }
            throw stop(verdict: .denied, errno: .resourceBusy, reason: "\(path) names the root: rmdir refuses it", at: target, cause: .busy)
        }
        let mount = mount(containing: target)
        switch access {
        case .statfs:
            if explains { evidence.append(step(target, .target, "statfs", f, nil, granted: true, because: "statfs needs only the walk to the path")) }
            return grant("statfs(2) reaches \(target)", resolved: target)
        case .list, .search:
            guard f.type == .directory else {
                if explains { evidence.append(step(target, .target, access.rawValue, f, nil, granted: false, because: "not a directory", errno: .notDirectory)) }
                throw stop(verdict: .denied, errno: .notDirectory, reason: "\(target) is not a directory", at: target, cause: .notADirectory)
            }
        default:
            break
        }
        guard let want = access.bits else { preconditionFailure("every remaining access names bits") }
        if let m = fuseRefusal(target) {
            if explains { evidence.append(step(target, .mount, access.rawValue, f, nil, granted: false, because: fuseReason(m))) }
            throw stop(verdict: .denied, errno: .permissionDenied, reason: fuseReason(m), at: target, cause: .fuseOwnerOnly)
        }
        if want == .write {
            try refuseWrite(target, f, mount: mount)
        }
        if want == .execute, f.type == .regular, let m = mount, m.isNoExec {
            let why = "\(m.mountPoint) is mounted noexec"
            if explains { evidence.append(step(target, .mount, "execute", f, nil, granted: false, because: why)) }
            throw stop(verdict: .denied, errno: .permissionDenied, reason: why, at: target, cause: .noExecMount)
        }
        if f.type == .characterDevice || f.type == .blockDevice, want != .execute, let m = mount, m.isNoDev {
            let why = "\(m.mountPoint) is mounted nodev: device files cannot be opened"
            if explains { evidence.append(step(target, .mount, access.rawValue, f, nil, granted: false, because: why)) }
            throw stop(verdict: .denied, errno: .permissionDenied, reason: why, at: target, cause: .noDevMount)
        }
        let outcome = PermissionCheck.check(want, on: f, by: principal)
        let word = access == .execute && f.type == .directory ? "search" : access.rawValue
        if explains { evidence.append(step(target, .target, word, f, outcome, granted: outcome.granted)) }
        if outcome.granted, want == .write {
            try refuseAppendOnlyOpen(target, f)
            try refuseReadOnlyMount(target, f, mount: mount)
        }
        if outcome.granted {
            return grant("\(word) \(target): \(outcome.because(for: principal))", resolved: target)
        }
        throw stop(verdict: .denied, errno: .permissionDenied, reason: "\(word) \(target): \(outcome.because(for: principal))", at: target, cause: .permission)
    }

    /// Before the permission bits: a read-only superblock (`EROFS`, `sb_permission`) and the immutable flag
    /// (`EPERM`, `inode_permission`). A mount made read-only on its own (`mount -o remount,bind,ro`) is
    /// refused after the permission bits (`refuseReadOnlyMount`), except where the kernel takes write
    /// access to the mount first (`readOnlyFirst`: creating a new name, unlink, rmdir).
    mutating func refuseWrite(_ p: RawPath, _ f: FileFacts, mount: MountFacts?, readOnlyFirst: Bool = false) throws(Stop) {
        if let m = mount, readOnlyFirst || m.superOptions.contains("ro") {
            try refuseReadOnlyMount(p, f, mount: m)
        }
        if f.isImmutable {
            let why = "\(p) is immutable (chattr +i): no one may write it, root included"
            if explains { evidence.append(step(p, .attribute, "write", f, nil, granted: false, because: why, errno: .notPermitted)) }
            throw stop(verdict: .denied, errno: .notPermitted, reason: why, at: p, cause: .immutable)
        }
    }

    /// A read-only mount refuses writes to files, directories and links (`EROFS`); device files and FIFOs
    /// are not written through the file system, so the kernel lets them be.
    mutating func refuseReadOnlyMount(_ p: RawPath, _ f: FileFacts, mount: MountFacts?) throws(Stop) {
        guard let m = mount, m.isReadOnly, [.regular, .directory, .symlink].contains(f.type) else { return }
        let why = "\(m.mountPoint) is mounted read-only"
        if explains { evidence.append(step(p, .mount, "write", f, nil, granted: false, because: why, errno: .readOnlyFileSystem)) }
        throw stop(verdict: .denied, errno: .readOnlyFileSystem, reason: why, at: p, cause: .readOnlyMount)
    }

    /// `may_open`: an append-only file opens for writing only with `O_APPEND`. Checked after the permission
    /// bits, as the kernel does (a principal without write permission gets EACCES, not EPERM).
    mutating func refuseAppendOnlyOpen(_ p: RawPath, _ f: FileFacts) throws(Stop) {
        guard f.isAppendOnly, f.type != .directory else { return }
        let why = "\(p) is append-only (chattr +a): only O_APPEND writes are allowed"
        if explains { evidence.append(step(p, .attribute, "write", f, nil, granted: false, because: why, errno: .notPermitted)) }
        throw stop(verdict: .denied, errno: .notPermitted, reason: why, at: p, cause: .appendOnly)
    }

    /// Create or delete an entry: write and search on the directory, then the entry's own rules.
    mutating func entryChange(parent: [[UInt8]], name: [UInt8], mustBeDirectory: Bool) throws(Stop) -> Grant {
        let dir = RawPath(components: parent)
        let entry = RawPath(components: parent + [name])
        guard let d = try facts(dir) else {
            throw stop(verdict: .denied, errno: .noSuchFileOrDirectory, reason: "\(dir) does not exist", at: dir, cause: .missing)
        }
        if access == .delete {
            // unlinkat/rmdir take write access to the mount before they look the name up.
            try refuseReadOnlyMount(dir, d, mount: mount(containing: dir))
        }
        let existing = try facts(entry)
        if access == .create, let e = existing {
            return try createOverExisting(dir: dir, d, entry: entry, e)
        }
        if access == .delete, existing == nil {
            if explains { evidence.append(EvidenceStep(path: entry.display, role: .target, check: "delete", outcome: .denied, because: "no such file or directory", errno: .noSuchFileOrDirectory)) }
            throw stop(verdict: .denied, errno: .noSuchFileOrDirectory, reason: "\(entry) does not exist", at: entry, cause: .missing)
        }
        if access == .delete, mustBeDirectory, let e = existing, e.type != .directory {
            if explains { evidence.append(step(entry, .target, "delete", e, nil, granted: false, because: "the path ends in / but this is not a directory", errno: .notDirectory)) }
            throw stop(verdict: .denied, errno: .notDirectory, reason: "\(path) ends in / but \(entry) is not a directory", at: entry, cause: .notADirectory)
        }
        try refuseWrite(dir, d, mount: mount(containing: dir), readOnlyFirst: true)
        if let m = fuseRefusal(dir) {
            if explains { evidence.append(step(dir, .mount, "write+search", d, nil, granted: false, because: fuseReason(m))) }
            throw stop(verdict: .denied, errno: .permissionDenied, reason: fuseReason(m), at: dir, cause: .fuseOwnerOnly)
        }
        let outcome = PermissionCheck.check([.write, .execute], on: d, by: principal)
        if explains { evidence.append(step(dir, .parent, "write+search", d, outcome, granted: outcome.granted)) }
        guard outcome.granted else {
            throw stop(verdict: .denied, errno: .permissionDenied, reason: "\(access.rawValue) in \(dir) needs write and search on it: \(outcome.because(for: principal))", at: dir, cause: .permission)
        }
        if access == .create {
            return grant("create \(entry): \(outcome.because(for: principal))", resolved: entry)
        }
        guard let victim = existing else { preconditionFailure("checked above") }
        if d.isAppendOnly {
            let why = "\(dir) is append-only (chattr +a): entries can be added, not removed"
            if explains { evidence.append(step(dir, .attribute, "delete", d, nil, granted: false, because: why, errno: .notPermitted)) }
            throw stop(verdict: .denied, errno: .notPermitted, reason: why, at: dir, cause: .appendOnly)
        }
        var stickyNote = ""
        if d.mode.isSticky, principal.uid != victim.uid, principal.uid != d.uid {
            guard principal.capabilities.contains(.fowner) else {
                let why = "\(dir) is sticky: only the entry's owner or the directory's owner may delete it"
                if explains { evidence.append(step(entry, .target, "delete", victim, nil, granted: false, because: why, errno: .notPermitted)) }
                throw stop(verdict: .denied, errno: .notPermitted, reason: why, at: entry, cause: .stickyDirectory)
            }
            stickyNote = "; \(dir) is sticky and the entry is another user's, but CAP_FOWNER overrides"
        }
        if victim.isImmutable || victim.isAppendOnly {
            let why = "\(entry) is \(victim.isImmutable ? "immutable" : "append-only"): it cannot be removed"
            if explains { evidence.append(step(entry, .attribute, "delete", victim, nil, granted: false, because: why, errno: .notPermitted)) }
            throw stop(verdict: .denied, errno: .notPermitted, reason: why, at: entry, cause: victim.isImmutable ? .immutable : .appendOnly)
        }
        if source.isMountPoint(entry) {
            let why = "\(entry) is a mount point: unlink and rmdir refuse it (EBUSY) although the permissions allow removing it"
            if explains { evidence.append(step(entry, .mount, "delete", victim, nil, granted: false, because: why, errno: .resourceBusy)) }
            throw stop(verdict: .denied, errno: .resourceBusy, reason: why, at: entry, cause: .busy)
        }
        if victim.type == .directory {
            switch source.isEmptyDirectory(entry) {
            case false?:
                let why = "\(entry) is a directory that holds entries: rmdir refuses it (ENOTEMPTY) although the permissions allow removing it"
                if explains { evidence.append(step(entry, .target, "delete", victim, nil, granted: false, because: why, errno: .directoryNotEmpty)) }
                throw stop(verdict: .denied, errno: .directoryNotEmpty, reason: why, at: entry, cause: .notEmpty)
            case nil:
                // The permissions allow it, but rmdir also needs the directory empty, and permaudit could not list it.
                let why = "the permissions allow removing \(entry), but permaudit cannot list it to know whether it is empty (rmdir refuses a directory that holds entries)"
                if explains { evidence.append(EvidenceStep(path: entry.display, role: .target, check: "delete", outcome: .unknown, because: why, errno: .permissionDenied)) }
                throw stop(verdict: .unknown, errno: .permissionDenied, reason: why, at: entry, cause: .cannotLook)
            case true?:
                break
            }
        }
        if !stickyNote.isEmpty {
            if explains { evidence.append(step(entry, .target, "delete", victim, nil, granted: true, because: "write and search on \(dir) suffice" + stickyNote, errno: nil)) }
            return grant("delete \(entry): \(outcome.because(for: principal))" + stickyNote, resolved: entry)
        }
        if explains { evidence.append(step(entry, .target, "delete", victim, nil, granted: true, because: "write and search on \(dir) suffice")) }
        return grant("delete \(entry): \(outcome.because(for: principal))", resolved: entry)
    }

    /// `open(O_CREAT)` of a name that exists: `protected_regular`/`protected_fifos` in sticky directories,
    /// then the existing object is opened for writing (a symlink is followed).
    mutating func createOverExisting(dir: RawPath, _ d: FileFacts, entry: RawPath, _ e: FileFacts) throws(Stop) -> Grant {
        if e.type == .directory {
            if explains { evidence.append(step(entry, .target, "create", e, nil, granted: false, because: "a directory of that name exists", errno: .isDirectory)) }
            throw stop(verdict: .denied, errno: .isDirectory, reason: "\(entry) is a directory", at: entry, cause: .isADirectory)
        }
        let sysctls = source.protectedSysctls
        // fs/namei.c may_create_in_sticky: regular files and FIFOs are exempt when their sysctl is 0;
        // every other type (devices, sockets) is refused in a sticky world-writable directory regardless.
        let exempt = (e.type == .regular && sysctls.regular == 0) || (e.type == .fifo && sysctls.fifos == 0)
        if d.mode.isSticky, !exempt, d.uid != e.uid, principal.uid != e.uid {
            let level = e.type == .regular ? sysctls.regular : sysctls.fifos
            let refused = d.mode.other.contains(.write)
                || (d.mode.group.contains(.write) && level >= 2 && (e.type == .regular || e.type == .fifo))
            if refused {
                let why = "fs.protected_\(e.type == .fifo ? "fifos" : "regular")=\(level): O_CREAT on another user's \(e.type.rawValue) in a sticky directory is refused"
                if explains { evidence.append(step(entry, .attribute, "create", e, nil, granted: false, because: why)) }
                throw stop(verdict: .denied, errno: .permissionDenied, reason: why, at: entry, cause: .protectedSysctl)
            }
        }
        try refuseWrite(entry, e, mount: mount(containing: entry))
        let outcome = PermissionCheck.check(.write, on: e, by: principal)
        if explains { evidence.append(step(entry, .target, "create (exists: open for writing)", e, outcome, granted: outcome.granted)) }
        if outcome.granted {
            try refuseAppendOnlyOpen(entry, e)
            try refuseReadOnlyMount(entry, e, mount: mount(containing: entry))
        }
        if outcome.granted {
            return grant("\(entry) exists and opens for writing: \(outcome.because(for: principal))", resolved: entry)
        }
        throw stop(verdict: .denied, errno: .permissionDenied, reason: "\(entry) exists and does not open for writing: \(outcome.because(for: principal))", at: entry, cause: .permission)
    }
}
