import PermauditCore

/// How a granted access is granted: the one check of the walk that let it through (the ACL entry, the
/// owner, the owning group, other, or a capability), and the change that removes exactly that path.
public struct GrantPath: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case owner
        case namedUser(UInt32)
        case owningGroup
        case namedGroup(UInt32)
        case other
        case capability(String)
    }

    /// The object whose check granted (the target after symlinks, or the directory for an entry change).
    public var object: String
    public var kind: Kind
    /// The bits asked for (`r--`).
    public var wanted: Permissions
    /// The grant in words: `other::r-- on /etc/x (-rw-r--r-- root root)`.
    public var how: String
    /// The object's owning group, by name where known.
    public var owningGroup: String?

    /// The deciding grant of a granted decision; nil when it was not granted.
    public static func of(_ d: AccessDecision) -> GrantPath? {
        guard d.verdict == .granted,
              let step = d.evidence.last(where: { ($0.role == .target || $0.role == .parent) && $0.outcome == .granted })
        else { return nil }
        let wanted = step.role == .parent ? Permissions([.write, .execute]) : (d.access.bits ?? .read)
        let facts = [step.mode, step.owner, step.group].compactMap { $0 }.joined(separator: " ")
        let on = " on \(step.path)" + (facts.isEmpty ? "" : " (\(facts))")
        if let cap = step.capability {
            return GrantPath(object: step.path, kind: .capability(cap), wanted: wanted, how: "capability \(cap) overrides the bits\(on)", owningGroup: step.group)
        }
        guard let entry = step.matchedEntry else {
            return GrantPath(object: step.path, kind: .other, wanted: wanted, how: step.because + on, owningGroup: step.group)
        }
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let kind: Kind
        switch (parts.first, parts.count > 1 ? parts[1] : "") {
        case ("user", ""): kind = .owner
        case ("user", let q): kind = UInt32(q).map(Kind.namedUser) ?? .other
        case ("group", ""): kind = .owningGroup
        case ("group", let q): kind = UInt32(q).map(Kind.namedGroup) ?? .other
        default: kind = .other
        }
        let word = switch kind {
        case .owner: "the owner entry \(entry)"
        case .namedUser: "the named user entry \(entry)"
        case .owningGroup: "the owning group entry \(entry)"
        case .namedGroup: "the named group entry \(entry)"
        case .other, .capability: "the other entry \(entry)"
        }
        return GrantPath(object: step.path, kind: kind, wanted: wanted, how: word + (step.mask.map { " (mask \($0))" } ?? "") + on, owningGroup: step.group)
    }

    /// The change that removes exactly this path of access for `account` (a user name or uid).
    public func fix(for account: String, groupName: (UInt32) -> String) -> String {
        let bits = wanted.description.filter { $0 != "-" }
        let p = Self.shellWord(object)
        switch kind {
        case .owner: return "\(account) owns \(object): give it to root (chown root -- \(p)); the owner class decides alone"
        case .namedUser(let uid): return "remove the named entry: setfacl -x u:\(uid) -- \(p)"
        case .namedGroup(let gid): return "remove the named entry: setfacl -x g:\(gid) -- \(p) (group \(groupName(gid)))"
        case .owningGroup: return "take \(account) out of the owning group (gpasswd -d \(account) \(owningGroup ?? "GROUP"); usermod -g when it is the primary group), or take \(bits) from the group bits if nothing that needs them reads through it"
        case .other: return "take \(bits) from other: chmod o-\(bits) -- \(p)"
        case .capability(let cap): return "drop \(cap) from \(account) (AmbientCapabilities=/CapabilityBoundingSet= in its unit, or the file capability)"
        }
    }

    /// A path as one shell word for the advice text (single quotes when it needs them).
    static func shellWord(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "/._-+,:@".contains($0) } ? s : "'" + s.replacingOccurrences("'", "'\\''") + "'"
    }
}

extension String {
    func replacingOccurrences(_ a: String, _ b: String) -> String { split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b) }
}
