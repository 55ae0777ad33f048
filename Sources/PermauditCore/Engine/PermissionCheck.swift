/// The outcome of the kernel's permission check on one inode.
public struct PermissionOutcome: Hashable, Sendable {
    public var granted: Bool
    public var because: String
    public var matchedEntry: ACLEntry?
    public var mask: Permissions?
    public var capability: Capability?
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
        let bits = discretionary(want, on: facts, by: principal)
        if bits.granted { return bits }
        if let cap = overridingCapability(want, on: facts, principal: principal) {
            return PermissionOutcome(
                granted: true, because: "\(bits.because), but \(cap.name.uppercased()) overrides",
                matchedEntry: bits.matchedEntry, mask: bits.mask, capability: cap)
        }
        return bits
    }

    /// The permission bits alone (the kernel's `acl_permission_check`).
    public static func discretionary(_ want: Permissions, on facts: FileFacts, by p: Principal) -> PermissionOutcome {
        let mode = facts.mode
        if facts.uid == p.uid {
            return PermissionOutcome(
                granted: mode.owner.isSuperset(of: want), because: "owner \(p.userLabel) has \(mode.owner)",
                matchedEntry: ACLEntry(.userObj, nil, mode.owner))
        }
        if let acl = facts.acl {
            if mode.group != .none {
                return aclCheck(want, acl: acl, facts: facts, principal: p)
            }
            var plain = plainModeCheck(want, facts: facts, principal: p)
            plain.because = "mask is --- so the kernel skips the ACL; " + plain.because
            return plain
        }
        return plainModeCheck(want, facts: facts, principal: p)
    }

    static func plainModeCheck(_ want: Permissions, facts: FileFacts, principal p: Principal) -> PermissionOutcome {
        if p.isMember(of: facts.gid) {
            let g = facts.mode.group
            return PermissionOutcome(
                granted: g.isSuperset(of: want), because: "owning group \(p.name(ofGroup: facts.gid)) has \(g)",
                matchedEntry: ACLEntry(.groupObj, nil, g))
        }
        let o = facts.mode.other
        return PermissionOutcome(granted: o.isSuperset(of: want), because: "other has \(o)", matchedEntry: ACLEntry(.other, nil, o))
    }

    static func aclCheck(_ want: Permissions, acl: AccessControlList, facts: FileFacts, principal p: Principal) -> PermissionOutcome {
        let mask = acl.mask
        func limited(_ entry: ACLEntry, _ who: String) -> PermissionOutcome {
            guard let mask else {
                return PermissionOutcome(granted: entry.permissions.isSuperset(of: want), because: "\(who) has \(entry.permissions)", matchedEntry: entry)
            }
            let effective = entry.permissions.intersection(mask)
            let granted = effective.isSuperset(of: want)
            let cut = entry.permissions.isSuperset(of: want) && !granted
            return PermissionOutcome(
                granted: granted,
                because: cut ? "\(who) has \(entry.permissions) but the mask \(mask) cuts it to \(effective)" : "\(who) has \(entry.permissions) (mask \(mask))",
                matchedEntry: entry, mask: mask)
        }
        var matchedGroups: [ACLEntry] = []
        for entry in acl.entries {
            switch entry.tag {
            case .userObj, .mask:
                continue
            case .user:
                if entry.qualifier == p.uid { return limited(entry, "named user \(p.userLabel)") }
            case .groupObj:
                if p.isMember(of: facts.gid) {
                    matchedGroups.append(entry)
                    if entry.permissions.isSuperset(of: want) { return limited(entry, "owning group \(p.name(ofGroup: facts.gid))") }
                }
            case .group:
                if let q = entry.qualifier, p.isMember(of: q) {
                    matchedGroups.append(entry)
                    if entry.permissions.isSuperset(of: want) { return limited(entry, "named group \(p.name(ofGroup: q))") }
                }
            case .other:
                if !matchedGroups.isEmpty {
                    let list = matchedGroups.map(\.description).joined(separator: ", ")
                    return PermissionOutcome(
                        granted: false,
                        because: "group entries matched (\(list)) and none grants \(want); other is not consulted and entries do not add up",
                        matchedEntry: matchedGroups.first, mask: mask)
                }
                return PermissionOutcome(granted: entry.permissions.isSuperset(of: want), because: "other has \(entry.permissions)", matchedEntry: entry)
            }
        }
        // An ACL without an other entry is malformed; the kernel answers EIO. Refuse.
        return PermissionOutcome(granted: false, because: "malformed ACL without an other entry")
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
