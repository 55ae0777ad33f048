/// The outcome of the kernel's permission check on one inode. What decided is kept as values (`basis`);
/// the sentence that says it (`because(for:)`) is built only when somebody reads it, so a sweep that wants
/// only the verdict builds no text.
public struct PermissionOutcome: Hashable, Sendable {
    public var granted: Bool
    public var matchedEntry: ACLEntry?
    public var mask: Permissions?
    public var capability: Capability?
    var basis: Basis

    /// What decided the permission bits.
    enum Basis: Hashable, Sendable {
        /// The owner class, for the owner (ACLs do not matter to the owner).
        case owner(Permissions)
        /// The owning group's bits of the plain mode.
        case owningGroup(UInt32, Permissions)
        /// The other bits (of the mode, or the ACL's other entry).
        case other(Permissions)
        /// An ACL entry that matched (named user, owning group, named group), limited by the mask.
        case entry(ACLEntry, Matched, mask: Permissions?, want: Permissions)
        /// Group entries matched and none granted: other is not consulted.
        case groupEntriesRefuse([ACLEntry], want: Permissions)
        /// The object has an ACL but its mask is `---`: the kernel checks the plain mode instead.
        indirect case maskSkipsACL(Basis)
        case malformedACL
    }

    /// Whose ACL entry matched.
    enum Matched: Hashable, Sendable {
        case namedUser
        case owningGroup(UInt32)
        case namedGroup(UInt32)
    }

    /// Why, in one clause, naming the principal as `p` labels itself.
    public func because(for p: Principal) -> String {
        let bits = Self.words(basis, p)
        guard let capability else { return bits }
        return "\(bits), but \(capability.name.uppercased()) overrides"
    }

    static func words(_ basis: Basis, _ p: Principal) -> String {
        switch basis {
        case .owner(let bits): return "owner \(p.userLabel) has \(bits)"
        case .owningGroup(let gid, let bits): return "owning group \(p.name(ofGroup: gid)) has \(bits)"
        case .other(let bits): return "other has \(bits)"
        case .entry(let entry, let matched, let mask, let want):
            let who: String
            switch matched {
            case .namedUser: who = "named user \(p.userLabel)"
            case .owningGroup(let gid): who = "owning group \(p.name(ofGroup: gid))"
            case .namedGroup(let gid): who = "named group \(p.name(ofGroup: gid))"
            }
            guard let mask else { return "\(who) has \(entry.permissions)" }
            let effective = entry.permissions.intersection(mask)
            if entry.permissions.isSuperset(of: want) && !effective.isSuperset(of: want) {
                return "\(who) has \(entry.permissions) but the mask \(mask) cuts it to \(effective)"
            }
            return "\(who) has \(entry.permissions) (mask \(mask))"
        case .groupEntriesRefuse(let entries, let want):
            let list = entries.map(\.description).joined(separator: ", ")
            return "group entries matched (\(list)) and none grants \(want); other is not consulted and entries do not add up"
        case .maskSkipsACL(let plain): return "mask is --- so the kernel skips the ACL; " + words(plain, p)
        case .malformedACL: return "malformed ACL without an other entry"
        }
    }
}

/// The kernel's `generic_permission` (fs/namei.c) with `posix_acl_permission` (fs/posix_acl.c), as pure code.
///
/// Order: the owner class decides alone for the owner; then, when the object has an ACL and a non-empty
/// mask, named users, then the owning group and named groups (a matching entry that grants is limited by
/// the mask; if some group entry matched but none granted, other is not consulted); else the plain mode.
/// Capabilities are consulted only after the permission bits refused.
public enum PermissionCheck {
    /// - Parameters:
    ///   - want: the bits asked for (read, write, execute).
    ///   - facts: the inode.
    ///   - principal: who asks.
    public static func check(_ want: Permissions, on facts: FileFacts, by principal: Principal) -> PermissionOutcome {
        var bits = discretionary(want, on: facts, by: principal)
        if bits.granted { return bits }
        if let cap = overridingCapability(want, on: facts, principal: principal) {
            bits.granted = true
            bits.capability = cap
        }
        return bits
    }

    /// Whether the object's access ACL can change the answer of `check` for these bits: a sweep that
    /// asks only for verdicts reads the ACL only then. The kernel's `acl_permission_check` never consults
    /// the ACL for the owner, nor when the mode's group bits (the mask) are empty; and when neither the
    /// group bits (the mask bounds every named and group entry) nor the other bits hold what is asked,
    /// every path through the ACL refuses, as the plain mode does. Capabilities look at the mode alone.
    public static func aclCanMatter(_ want: Permissions, uid: UInt32, mode: FileMode, for p: Principal) -> Bool {
        if uid == p.uid || mode.group == .none { return false }
        return mode.group.isSuperset(of: want) || mode.other.isSuperset(of: want)
    }

    /// The permission bits alone (the kernel's `acl_permission_check`).
    public static func discretionary(_ want: Permissions, on facts: FileFacts, by p: Principal) -> PermissionOutcome {
        let mode = facts.mode
        if facts.uid == p.uid {
            return PermissionOutcome(
                granted: mode.owner.isSuperset(of: want), matchedEntry: ACLEntry(.userObj, nil, mode.owner), basis: .owner(mode.owner))
        }
        if let acl = facts.acl {
            if mode.group != .none {
                return aclCheck(want, acl: acl, facts: facts, principal: p)
            }
            var plain = plainModeCheck(want, facts: facts, principal: p)
            plain.basis = .maskSkipsACL(plain.basis)
            return plain
        }
        return plainModeCheck(want, facts: facts, principal: p)
    }

    static func plainModeCheck(_ want: Permissions, facts: FileFacts, principal p: Principal) -> PermissionOutcome {
        if p.isMember(of: facts.gid) {
            let g = facts.mode.group
            return PermissionOutcome(granted: g.isSuperset(of: want), matchedEntry: ACLEntry(.groupObj, nil, g), basis: .owningGroup(facts.gid, g))
        }
        let o = facts.mode.other
        return PermissionOutcome(granted: o.isSuperset(of: want), matchedEntry: ACLEntry(.other, nil, o), basis: .other(o))
    }

    static func aclCheck(_ want: Permissions, acl: AccessControlList, facts: FileFacts, principal p: Principal) -> PermissionOutcome {
        let mask = acl.mask
        func limited(_ entry: ACLEntry, _ matched: PermissionOutcome.Matched) -> PermissionOutcome {
            let effective = mask.map { entry.permissions.intersection($0) } ?? entry.permissions
            return PermissionOutcome(
                granted: effective.isSuperset(of: want), matchedEntry: entry, mask: mask, basis: .entry(entry, matched, mask: mask, want: want))
        }
        var firstGroup: ACLEntry?
        for entry in acl.entries {
            switch entry.tag {
            case .userObj, .mask:
                continue
            case .user:
                if entry.qualifier == p.uid { return limited(entry, .namedUser) }
            case .groupObj:
                if p.isMember(of: facts.gid) {
                    if firstGroup == nil { firstGroup = entry }
                    if entry.permissions.isSuperset(of: want) { return limited(entry, .owningGroup(facts.gid)) }
                }
            case .group:
                if let q = entry.qualifier, p.isMember(of: q) {
                    if firstGroup == nil { firstGroup = entry }
                    if entry.permissions.isSuperset(of: want) { return limited(entry, .namedGroup(q)) }
                }
            case .other:
                if let firstGroup {
                    // Which group entries matched is only words: gathered again here, on the rare refusal.
                    let matched = acl.entries.filter { e in
                        (e.tag == .groupObj && p.isMember(of: facts.gid)) || (e.tag == .group && e.qualifier.map(p.isMember(of:)) == true)
                    }
                    return PermissionOutcome(granted: false, matchedEntry: firstGroup, mask: mask, basis: .groupEntriesRefuse(matched, want: want))
                }
                return PermissionOutcome(granted: entry.permissions.isSuperset(of: want), matchedEntry: entry, basis: .other(entry.permissions))
            }
        }
        // An ACL without an other entry is malformed; the kernel answers EIO. Refuse.
        return PermissionOutcome(granted: false, basis: .malformedACL)
    }

    /// The capability `generic_permission` lets override refused permission bits, if the principal holds one.
    static func overridingCapability(_ want: Permissions, on facts: FileFacts, principal p: Principal) -> Capability? {
        let caps = p.capabilities
        if facts.type == .directory {
            if !want.contains(.write), caps.contains(.dacReadSearch) { return .dacReadSearch }
            if caps.contains(.dacOverride) { return .dacOverride }
            return nil
        }
        if want == .read, caps.contains(.dacReadSearch) { return .dacReadSearch }
        if !want.contains(.execute) || facts.mode.anyExecute, caps.contains(.dacOverride) { return .dacOverride }
        return nil
    }
}
