/// Judges objects one by one during a sweep, once the walk has reached them: the same checks as the
/// end of an `AccessEvaluator` decision (the tests hold the two to the same answers), without re-walking
/// the path for every object.
public struct ReachJudge: Sendable {
    public let principal: Principal
    public let access: Access

    public init(principal: Principal, access: Access) {
        self.principal = principal
        self.access = access
    }

    /// Whether the principal can search a directory it has reached: the sweep enters only those.
    public func canEnter(_ f: FileFacts, mount: MountFacts?) -> Bool {
        guard f.type == .directory, !refusedByFUSE(mount) else { return false }
        return PermissionCheck.check(.execute, on: f, by: principal).granted
    }

    /// Whether the principal has the access on an object it has reached.
    /// A symlink is not an object of its own: the sweep does not follow it, and its target is judged where it lies.
    public func allows(_ f: FileFacts, mount: MountFacts?) -> Bool {
        if f.type == .symlink || refusedByFUSE(mount) { return false }
        switch access {
        case .statfs: return true
        case .create, .delete: return f.type == .directory && PermissionCheck.check([.write, .execute], on: f, by: principal).granted && !refusesWrite(f, mount)
        case .list, .search: guard f.type == .directory else { return false }
        default: break
        }
        guard let want = access.bits else { return false }
        switch want {
        case .write:
            if refusesWrite(f, mount) || (f.isAppendOnly && f.type != .directory) { return false }
        case .execute:
            if f.type == .regular, mount?.isNoExec == true { return false }
        default:
            break
        }
        if f.type == .characterDevice || f.type == .blockDevice, want != .execute, mount?.isNoDev == true { return false }
        return PermissionCheck.check(want, on: f, by: principal).granted
    }

    func refusesWrite(_ f: FileFacts, _ mount: MountFacts?) -> Bool {
        if let m = mount, m.isReadOnly, [.regular, .directory, .symlink].contains(f.type) { return true }
        return f.isImmutable
    }

    func refusedByFUSE(_ mount: MountFacts?) -> Bool {
        guard let owner = mount?.fuseOwnerOnly else { return false }
        return owner.uid != principal.uid || owner.gid != principal.gid
    }
}
