import PermauditCore
import PermauditHost

/// The narrowest fix: a named-group ACL entry for the principal's group on each object, and search (`x`)
/// only on the directories that block the walk. Each grant is found by asking the engine where the walk
/// stops, granting exactly that, and asking again.
struct ACLStrategy {
    let planner: FixPlanner
    let base: OverlaySource

    struct Pending {
        var path: RawPath
        var original: FileFacts
        var current: FileFacts
        var entry: ACLEntry
        var widened: [WidenedEntry]
        var reasons: [String]
    }

    func plan(_ requests: [(path: RawPath, access: Access, ruleID: String?, origin: String)]) -> FixPlan {
        let who = planner.principal
        var overlay = base
        var order: [String] = []
        var pending: [String: Pending] = [:]
        var targets: [FixTarget] = []
        var unresolved: [FixPlan.Unresolved] = []

        for r in requests {
            let display = r.path.display
            let before = planner.decide(base, display, r.access, who)
            var target = FixTarget(path: r.path, access: r.access, ruleID: r.ruleID, origin: r.origin, before: before)
            // Refused whatever the permissions say (another user's FUSE mount, a read-only mount): grant nothing.
            if let why = NoPermissionHelps.reason(planner.decide(overlay, display, r.access, NoPermissionHelps.probe(who))) {
                unresolved.append(.init(path: r.path, access: r.access, reason: why.reason, configurationFix: why.fix))
                target.after = planner.decide(overlay, display, r.access, who)
                targets.append(target)
                continue
            }
            // What this target's grants are planned on: restored when the target stays denied.
            let saved = (overlay, pending, order)
            for _ in 0..<64 {
                let d = planner.decide(overlay, display, r.access, who)
                if d.verdict == .granted { break }
                if let why = NoPermissionHelps.reason(d) {
                    unresolved.append(.init(path: r.path, access: r.access, reason: why.reason, configurationFix: why.fix))
                    break
                }
                guard d.verdict == .denied, d.cause == .permission, let at = d.blockedAt, let facts = overlay.facts(at), facts.type != .symlink else {
                    unresolved.append(.init(path: r.path, access: r.access, reason: d.reason, configurationFix: "no permission change can fix this: \(d.reason)"))
                    break
                }
                let step = d.evidence.last { $0.path == at && $0.outcome == .denied }
                let needed: Permissions
                switch step?.role {
                case .ancestor: needed = .execute
                case .parent: needed = [.write, .execute]
                default: needed = r.access.bits ?? .read
                }
                guard let (acl, entry, widened) = ACLGrant.grant(needed, to: who, on: facts), acl != facts.effectiveACL else {
                    unresolved.append(.init(
                        path: r.path, access: r.access, reason: "\(at): \(d.reason)",
                        configurationFix: facts.uid == who.uid
                            ? "\(who.userLabel) owns \(at): the owner class decides alone; give the owner \(needed) (chmod u+\(needed.description.filter { $0 != "-" }))"
                            : "an ACL entry for group \(who.gid) does not change the decision at \(at); check the evidence with `permaudit explain`"))
                    break
                }
                let changed = ACLGrant.applying(acl, to: facts)
                overlay = overlay.with(at, changed)
                let reason = step?.role == .ancestor ? "search on \(at) blocks the walk to \(display)" : "\(r.access.rawValue) on \(display)"
                if var p = pending[at] {
                    p.current = changed
                    p.entry = entry
                    p.widened = Array(Set(p.widened + widened))
                    p.reasons.append(reason)
                    pending[at] = p
                } else {
                    let original = base.facts(at) ?? facts
                    pending[at] = Pending(path: base.raw[at] ?? RawPath(at), original: original, current: changed, entry: entry, widened: widened, reasons: [reason])
                    order.append(at)
                }
            }
            if planner.decide(overlay, display, r.access, who).verdict != .granted {
                // Never grant anything on the way to a target that stays denied.
                (overlay, pending, order) = saved
            }
            target.after = planner.decide(overlay, display, r.access, who)
            targets.append(target)
        }

        var steps: [FixStep] = []
        var hooks: [String: [Pending]] = [:]
        // Each step's radius: the model with the steps before it, against the same plus this one.
        var cumulative = base
        for at in order {
            guard let p = pending[at] else { continue }
            let change = ACLChange(
                path: p.path, identity: ObjectIdentity(p.original), before: p.original.effectiveACL,
                after: p.current.effectiveACL, entry: p.entry, widened: p.widened.sorted { $0.entry.description < $1.entry.description })
            let single = cumulative.with(at, p.current)
            defer { cumulative = single }
            var affected = [who]
            affected += planner.members(ofGroup: who.gid).filter { $0.uid != who.uid }
            for w in change.widened {
                switch w.entry.tag {
                case .user: if let q = w.entry.qualifier, let u = planner.principal(uid: q) { affected.append(u) }
                case .group: affected += planner.members(ofGroup: w.entry.qualifier ?? 0)
                case .groupObj: affected += planner.members(ofGroup: p.original.gid)
                default: break
                }
            }
            var seen = Set<UInt32>()
            affected = affected.filter { seen.insert($0.uid).inserted }
            // Everyone the entry speaks for, on the object and (for a directory) everything below it.
            let changes = affected.flatMap { planner.delta(under: [at], before: $0, after: $0, beforeSource: cumulative, afterSource: single, accesses: Self.compared) }
            var radius = BlastRadius(changes: changes)
            radius.notes.append(maskNote(change))
            if affected.count > 1 {
                radius.notes.append("every member of group \(who.name(ofGroup: who.gid)) gets the same rights: \(affected.dropFirst().map(\.userLabel).joined(separator: ", "))")
            }
            let rotation = p.original.type == .regular ? persistence(for: p) : nil
            if let rotation, rotation.needsHook, let stanza = rotation.stanza { hooks[stanza.file, default: []].append(p) }
            steps.append(FixStep(
                number: steps.count + 1, action: .setACL(change),
                why: p.reasons.joined(separator: "; "),
                change: "setfacl -m \(shortEntry(p.entry)),m::\(change.after.mask?.description ?? "") -- \(p.path.display)",
                blastRadius: radius, persistence: rotation?.text, followUp: nil))
        }
        // One helper and one edit per logrotate file, covering every stanza of it that needs the re-apply.
        for file in hooks.keys.sorted() {
            guard let list = hooks[file] else { continue }
            var stanzas: [LogrotateConfig.Stanza] = []
            for p in list {
                if let s = persistence(for: p)?.stanza, !stanzas.contains(s) { stanzas.append(s) }
            }
            steps += RotationHook(planner: planner, file: file, stanzas: stanzas, grants: list.map { ($0.path, $0.entry) }, config: planner.logrotate)
                .steps(startingAt: steps.count + 1)
        }

        // The plan's whole effect on the principal, in every directory it touches.
        var dirs: [RawPath] = []
        var seenDirs = Set<[UInt8]>()
        for r in requests where seenDirs.insert(r.path.parent.bytes).inserted { dirs.append(r.path.parent) }
        for at in order where pending[at]?.original.type == .directory {
            if let p = pending[at], seenDirs.insert(p.path.bytes).inserted { dirs.append(p.path) }
        }
        let gained = planner.delta(under: dirs.map(\.display), before: who, after: who, beforeSource: base, afterSource: overlay, accesses: Self.compared)
            .filter { $0.after == .granted }
        let id = planner.planID(steps, targets)
        return FixPlan(principal: who, strategy: .acl, targets: targets, steps: steps, unresolved: unresolved, gained: gained, id: id)
    }

    /// What a grant's radius compares: read, write and execute (list and search on a directory).
    static let compared: [Access] = [.read, .write, .execute]

    func shortEntry(_ e: ACLEntry) -> String {
        (e.tag == .user ? "u:" : "g:") + "\(e.qualifier ?? 0):\(e.permissions)"
    }

    func maskNote(_ c: ACLChange) -> String {
        let old = c.before.mask.map { "mask \($0)" } ?? "no mask (plain mode \(c.before.entry(.groupObj)?.permissions.description ?? "---") for the group)"
        let new = c.after.mask?.description ?? "---"
        if c.widened.isEmpty {
            return "the mask goes from \(old) to \(new): set explicitly to the old mask plus only what is asked, so no existing entry gains anything"
        }
        let list = c.widened.map { "\($0.entry) (effective \($0.before) → \($0.after))" }.joined(separator: ", ")
        return "the mask goes from \(old) to \(new); unavoidably this widens: \(list)"
    }

    struct Rotation {
        var text: String
        var stanza: LogrotateConfig.Stanza?
        var needsHook: Bool
    }

    /// How a grant on a (log) file persists, and whether a logrotate hook must make it so.
    func persistence(for p: Pending) -> Rotation? {
        let path = p.path
        let stanza = planner.logrotate.stanza(for: path)
            ?? planner.logrotate.stanzas.last { s in s.patterns.contains { pat in
                // A rotated copy: judge it by the live file's stanza.
                PathPattern.coversLiveFile(pat, path)
            } }
        guard let stanza else {
            if path.parent.display.hasPrefix("/var/log") {
                return Rotation(text: "no logrotate stanza covers \(path.display): the ACL stays on this inode; if something deletes and recreates the file the grant is lost (re-run permaudit fix)", stanza: nil, needsHook: false)
            }
            return nil
        }
        let whereText = "\(stanza.file):\(stanza.line)"
        let copies = stanza.compress ? "; rotated copies are renamed (and compressed) with the ACL kept" : "; rotated copies are renamed with the ACL kept"
        switch stanza.creation {
        case .createCopyingACL:
            return Rotation(text: "logrotate stanza \(whereText) uses a bare `create`: logrotate copies this file's ACL to the new file (verified with logrotate 3.21)\(copies)", stanza: stanza, needsHook: false)
        case .copyTruncate:
            return Rotation(text: "logrotate stanza \(whereText) uses `copytruncate`: the live file keeps its inode and its ACL\(copies)", stanza: stanza, needsHook: false)
        case .createWithMode(let mode, let owner, let group):
            let m = [mode, owner, group].compactMap { $0 }.joined(separator: " ")
            return Rotation(text: "logrotate stanza \(whereText) uses `create \(m)`: the ACL is not copied to the new file (and a default ACL would be masked by the mode), so the plan adds a postrotate re-apply\(copies)", stanza: stanza, needsHook: true)
        case .writerRecreates:
            return Rotation(text: "logrotate stanza \(whereText) does not create the file: the writer (rsyslog) recreates it without the ACL, so the plan adds a postrotate re-apply that runs after the stanza's own postrotate\(copies)", stanza: stanza, needsHook: true)
        }
    }
}

extension PathPattern {
    /// Whether a logrotate pattern covers the live file of which `path` is a rotated copy.
    static func coversLiveFile(_ pattern: String, _ path: RawPath) -> Bool {
        let name = path.lastComponent
        for cut in stride(from: name.count - 1, to: 0, by: -1) where name[cut] == UInt8(ascii: ".") || name[cut] == UInt8(ascii: "-") {
            let live = path.parent.appending(Array(name[..<cut]))
            if RotatedName.isRotatedCopy(name, of: live.lastComponent), matches(Array(pattern.utf8), live.bytes) { return true }
        }
        return false
    }
}

/// When no permission can help, what the configuration fix is.
enum NoPermissionHelps {
    /// The principal with every capability: what it is still refused, no permission change gives.
    static func probe(_ who: Principal) -> Principal {
        var p = who
        p.capabilities = .full
        return p
    }

    static func reason(_ d: AccessDecision) -> (reason: String, fix: String)? {
        guard d.verdict == .denied, let cause = d.cause else { return nil }
        // The mount's own words (the step that refused), as the evidence shows them.
        let mountStep = d.evidence.first { $0.role == .mount && $0.outcome == .denied }?.because ?? d.reason
        switch cause {
        case .fuseOwnerOnly:
            return (mountStep, "no permission helps: another user's FUSE mount without allow_other refuses everyone else, root included. Leave it out of the filesystem metrics: add `fuse.gvfsd-fuse` (the mount's type) to `filesystem.ignore_types`, or drop it with a processor")
        case .readOnlyMount, .noExecMount, .noDevMount:
            return (mountStep, "no permission helps: the mount refuses it (\(mountStep)); change the mount options or leave the path out")
        case .immutable, .appendOnly, .stickyDirectory:
            return (d.reason, "no permission helps: \(d.reason)")
        case .permission, .protectedSysctl, .missing, .notADirectory, .isADirectory, .invalidName, .busy, .notEmpty, .symlinkLoop, .cannotLook:
            return nil
        }
    }
}
