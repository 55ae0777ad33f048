/// The access decision macOS takes on one file (xnu `vnode_authorize`): the superuser first, then the
/// extended ACL in order, then the POSIX mode for whatever the ACL left undecided.
///
/// The ACL is walked entry by entry (xnu `kauth_acl_evaluate`): an entry applies when it names the user,
/// one of its groups or `everyone`, and is not `only_inherit`. A deny entry that names a right not yet
/// granted refuses the access; an allow entry grants the rights it names; once every right asked for is
/// granted the walk stops. Rights still undecided at the end fall to the mode: owner, else owning group
/// (any of the principal's groups), else other, each class deciding alone.
/// Only the file itself is judged: the facts file holds no ancestors, and on macOS `/var/log` is
/// `drwxr-xr-x root:wheel` (the evidence says so).
public enum MacAccessCheck {
    public static func decide(_ file: MacFileFacts, _ access: Access, for who: MacIdentity) -> AccessDecision {
        let p = who.principal
        var steps: [EvidenceStep] = []
        func decision(_ v: AccessDecision.Verdict, _ reason: String, errno: Errno?) -> AccessDecision {
            AccessDecision(
                path: file.path, resolvedPath: nil, access: access, principal: p, verdict: v, errno: v == .granted ? nil : errno,
                reason: reason, blockedAt: v == .granted ? nil : file.path, evidence: steps,
                caveats: ["macOS facts: only the file was collected; its folders are taken as macOS ships them (search for everyone)"])
        }
        func step(_ outcome: EvidenceStep.Outcome, _ because: String, entry: String? = nil, capability: String? = nil) {
            steps.append(EvidenceStep(
                path: file.path, role: .target, check: access.rawValue, outcome: outcome, because: because,
                fileType: file.type, fileMode: file.mode, hasACL: !file.acl.isEmpty, owner: file.owner, group: file.group, matchedEntry: entry, capability: capability,
                errno: outcome == .denied ? .permissionDenied : nil))
        }
        if file.type == .symlink {
            step(.unknown, "a symbolic link: the collector did not follow it")
            return decision(.unknown, "\(file.path) is a symbolic link; collect its target", errno: .tooManySymbolicLinkLevels)
        }
        guard let needed = MacRights.needed(for: access) else {
            step(.unknown, "\(access.rawValue) is not judged from macOS facts")
            return decision(.unknown, "\(access.rawValue) is not judged from macOS facts (read, write, execute)", errno: nil)
        }
        let isDirectory = file.type == .directory
        let word = needed.words(directory: isDirectory).joined(separator: ",")

        // The superuser: everything, but execute on a file only when some x bit is set.
        if p.uid == 0 {
            if needed == .execute, !isDirectory, !file.mode.anyExecute {
                step(.denied, "uid 0, but no execute bit is set (\(file.mode))")
                return decision(.denied, "root may execute only a file with some x bit", errno: .permissionDenied)
            }
            step(.granted, "uid 0 is the superuser", capability: "superuser")
            return decision(.granted, "uid 0 is the superuser", errno: nil)
        }

        var remaining = needed
        var unresolved: [String] = []
        for (i, entry) in file.acl.entries.enumerated() {
            let label = "\(i): \(entry)"
            if entry.isInheritOnly { continue }
            guard let applies = self.applies(entry.qualifier, to: who) else {
                if !entry.rights.intersection(remaining).isEmpty { unresolved.append(label) }
                continue
            }
            if !applies { continue }
            switch entry.kind {
            case .deny:
                if !entry.rights.intersection(remaining).isEmpty {
                    if !unresolved.isEmpty {
                        step(.unknown, "ACL entry \(label) denies \(word), but an earlier entry names a principal the facts cannot resolve (\(unresolved.joined(separator: "; ")))", entry: label)
                        return decision(.unknown, "an ACL entry names a UUID the facts do not map to the user or a group", errno: nil)
                    }
                    step(.denied, "ACL entry \(label) denies \(word) before any entry granted it", entry: label)
                    return decision(.denied, "ACL entry \(i) denies \(word): a deny of a right not yet granted refuses it", errno: .permissionDenied)
                }
            case .allow:
                let before = remaining
                remaining.subtract(entry.rights)
                if remaining.isEmpty, before != remaining {
                    step(.granted, "ACL entry \(label) allows \(word)", entry: label)
                    return decision(.granted, "ACL entry \(i) allows \(word)", errno: nil)
                }
            }
        }

        // What the ACL left undecided falls to the mode.
        let (bits, who_) = posixClass(file, p)
        let wantBits: Permissions = needed == .read ? .read : needed == .write ? .write : .execute
        let aclNote = file.acl.isEmpty ? "no extended ACL" : "the ACL leaves \(word) undecided (no entry for \(p.userLabel) or its groups grants or denies it)"
        let unresolvedDenies = unresolved.filter { $0.contains(" deny ") }
        if bits.isSuperset(of: wantBits), !unresolvedDenies.isEmpty {
            step(.unknown, "\(aclNote); mode: \(who_) has \(bits), but deny entries name principals the facts cannot resolve (\(unresolvedDenies.joined(separator: "; ")))")
            return decision(.unknown, "a deny entry names a UUID the facts do not map to the user or a group", errno: nil)
        }
        if bits.isSuperset(of: wantBits) {
            step(.granted, "\(aclNote); mode: \(who_) has \(bits)")
            return decision(.granted, "\(who_) has \(bits)", errno: nil)
        }
        if !unresolved.isEmpty {
            step(.unknown, "\(aclNote), but entries name principals the facts cannot resolve (\(unresolved.joined(separator: "; "))); mode: \(who_) has \(bits)")
            return decision(.unknown, "an ACL entry names a UUID the facts do not map to the user or a group", errno: nil)
        }
        step(.denied, "\(aclNote); mode: \(who_) has \(bits)")
        return decision(.denied, "\(aclNote); \(who_) has \(bits)", errno: .permissionDenied)
    }

    /// Whether an entry names this principal: true, false, or nil when a bare UUID cannot be mapped.
    static func applies(_ q: MacACLEntry.Qualifier, to who: MacIdentity) -> Bool? {
        let p = who.principal
        let groupNames = Set(p.allGroups.compactMap { p.groupNames[$0] })
        let groupUUIDs = Set(p.allGroups.compactMap { who.groupUUIDs[$0] } + [MacIdentity.everyoneUUID])
        switch q {
        case .user(let n): return n == p.userName || n == String(p.uid)
        case .name(let n): return n == p.userName || n == "everyone" || groupNames.contains(n)
        case .group(let n): return n == "everyone" || groupNames.contains(n) || p.allGroups.contains { String($0) == n }
        case .userUUID(let u): return who.userUUID.map { $0 == u } ?? nil
        case .groupUUID(let u): return groupUUIDs.contains(u) ? true : (who.groupUUIDs.isEmpty ? nil : false)
        case .uuid(let u):
            if u == who.userUUID || groupUUIDs.contains(u) { return true }
            return who.userUUID == nil || who.groupUUIDs.isEmpty ? nil : false
        }
    }

    /// The mode's class for this principal: owner alone, else owning group, else other.
    static func posixClass(_ f: MacFileFacts, _ p: Principal) -> (Permissions, String) {
        if p.uid == f.uid { return (f.mode.owner, "owner \(p.userLabel)") }
        if p.isMember(of: f.gid) { return (f.mode.group, "owning group \(f.gid)(\(f.group))") }
        return (f.mode.other, "other")
    }
}
