import PermauditCore

/// The narrowest ACL change that lets a principal's group have some rights on an object.
enum ACLGrant {
    /// The new ACL, the entry that grants, and the entries the new mask widens; nil when an ACL entry
    /// cannot help (the principal owns the object: the owner class decides alone, fix the owner bits).
    ///
    /// The mask is set to the old effective mask plus only the rights asked for, not recomputed as the
    /// union of the group class as `setfacl -m` would: that would widen every entry the old mask cut.
    static func grant(_ needed: Permissions, to principal: Principal, on facts: FileFacts) -> (AccessControlList, ACLEntry, [WidenedEntry])? {
        let acl = facts.effectiveACL
        if principal.uid == facts.uid { return nil }
        let entry: ACLEntry
        if let named = acl.entry(.user, principal.uid) {
            // A named user entry matches before any group: extend it.
            entry = ACLEntry(.user, principal.uid, named.permissions.union(needed))
        } else {
            let existing = acl.entry(.group, principal.gid)?.permissions ?? .none
            entry = ACLEntry(.group, principal.gid, existing.union(needed))
        }
        let oldMask = acl.mask ?? acl.entry(.groupObj)?.permissions ?? .none
        let newMask = oldMask.union(needed)
        var updated = acl.setting(entry).setting(ACLEntry(.mask, nil, newMask))
        updated = AccessControlList(entries: updated.entries)
        var widened: [WidenedEntry] = []
        for e in acl.entries where (e.tag == .user || e.tag == .group || e.tag == .groupObj) && !(e.tag == entry.tag && e.qualifier == entry.qualifier) {
            let before = acl.mask.map { e.permissions.intersection($0) } ?? (e.tag == .groupObj ? e.permissions : .none)
            let after = e.permissions.intersection(newMask)
            if after != before, after.isSuperset(of: before) { widened.append(WidenedEntry(entry: e, before: before, after: after)) }
        }
        return (updated, entry, widened)
    }

    /// The facts after the ACL change: with an ACL, the mode's group bits are the mask.
    static func applying(_ acl: AccessControlList, to facts: FileFacts) -> FileFacts {
        var f = facts
        if acl.isMinimal {
            f.acl = nil
        } else {
            f.acl = acl
        }
        let groupBits = acl.mask ?? acl.entry(.groupObj)?.permissions ?? .none
        let owner = acl.entry(.userObj)?.permissions ?? facts.mode.owner
        let other = acl.entry(.other)?.permissions ?? facts.mode.other
        let special = facts.mode.bits & 0o7000
        f.mode = FileMode(special | UInt16(owner.rawValue) << 6 | UInt16(groupBits.rawValue) << 3 | UInt16(other.rawValue))
        return f
    }
}
