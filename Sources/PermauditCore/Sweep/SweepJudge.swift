/// Judges the objects a sweep reaches with the walk's own final checks (`Walk.finish`, `Walk.entryChange`):
/// one judge for `explain` and `reach`. The sweep has already granted the search on every directory above
/// an object (it enters only those `canEnter` allows), so only the end of the walk is left to run, on facts
/// the sweep already read.
public struct SweepJudge: Sendable {
    public let source: any FactSource
    public let principal: Principal
    public let access: Access
    /// Whether decisions carry their steps in full (paths, owner and group names); a sweep that prints only
    /// paths turns it off (the verdict, errno and reason are the same).
    public var recordsEvidence = true
    /// Whether decisions carry a reason and steps at all; a sweep that prints only paths or counts turns
    /// it off and gets the verdict and the errno, judged by the same checks, with nothing allocated.
    public var explains = true

    public init(source: any FactSource, principal: Principal, access: Access, recordsEvidence: Bool = true, explains: Bool = true) {
        self.source = source
        self.principal = principal
        self.access = access
        self.recordsEvidence = recordsEvidence
        self.explains = explains
    }

    /// What a sweep knows about one object: its path, facts and mount, and its directory's.
    public struct Reached: Sendable {
        public var path: RawPath
        public var facts: FileFacts
        public var mount: MountFacts?
        /// The directory holding it (nil for the sweep's start).
        public var parent: FileFacts?
        public var parentMount: MountFacts?

        public init(path: RawPath, facts: FileFacts, mount: MountFacts?, parent: FileFacts?, parentMount: MountFacts?) {
            self.path = path
            self.facts = facts
            self.mount = mount
            self.parent = parent
            self.parentMount = parentMount
        }
    }

    /// Whether the sweep enters a directory: the walk's search check on it.
    public func canEnter(_ o: Reached) -> Bool {
        var walk = fresh(o)
        return canEnter(o, walk: &walk)
    }

    /// The decision for the object, or nil when the access is not asked of this object in a sweep: a
    /// symlink is not followed (its target is judged where it lies) except to delete it; `create` asks of
    /// directories whether a new entry can be made in them; `delete` asks of every entry but the start
    /// whether it can be unlinked (or, for a directory, removed).
    public func decide(_ o: Reached) -> AccessDecision? {
        var walk = fresh(o)
        return judge(o, walk: &walk) { walk, resolved, failedSearch in walk.finishing(resolved, failedSearch: failedSearch) }
    }

    /// The verdict and errno alone, by the same checks as `decide`, without building a decision: what a
    /// sweep that only counts or prints paths asks for each object.
    public func verdict(_ o: Reached) -> SweepVerdict? {
        var walk = fresh(o)
        return judge(o, walk: &walk) { walk, resolved, failedSearch in walk.verdict(resolved, failedSearch: failedSearch) }
    }

    /// Whether the principal has the access on the object (a granted verdict).
    public func allows(_ o: Reached) -> Bool { verdict(o)?.verdict == .granted }

    /// A sweep worker's walk, kept from one object to the next: the principal and the source are held
    /// once, not copied for every object (nor their reference counts touched by every worker at once).
    public struct Workspace: Sendable {
        fileprivate var walk: Walk
    }

    /// A workspace for this judge, one per worker.
    public func workspace() -> Workspace {
        Workspace(walk: Walk(source: source, principal: principal, path: RawPath(bytes: [UInt8(ascii: "/")]), access: access))
    }

    /// `verdict`, in a worker's workspace.
    public func verdict(_ o: Reached, in space: inout Workspace) -> SweepVerdict? {
        judge(o, walk: &space.walk) { walk, resolved, failedSearch in walk.verdict(resolved, failedSearch: failedSearch) }
    }

    /// `canEnter`, in a worker's workspace.
    public func canEnter(_ o: Reached, in space: inout Workspace) -> Bool { canEnter(o, walk: &space.walk) }

    private func canEnter(_ o: Reached, walk: inout Walk) -> Bool {
        guard o.facts.type == .directory else { return false }
        prepare(&walk, o, path: o.path, access: .search)
        walk.explains = false
        do throws(Walk.Stop) {
            try walk.search(o.path, o.facts)
            return true
        } catch {
            return false
        }
    }

    /// Where the walk to the object stands for this access, handed to `end` (the decision or the verdict).
    private func judge<R>(_ o: Reached, walk: inout Walk, end: (inout Walk, Walk.Resolved, Walk.Stop?) -> R) -> R? {
        switch access {
        case .create:
            guard o.facts.type == .directory else { return nil }
            let components = o.path.components
            let fresh: [UInt8] = Array(".permaudit-new-entry".utf8)
            let entry = o.path.appending(fresh)
            prepare(&walk, o, path: entry, access: .create)
            walk.cache[entry] = .missing
            // The walk to a new name searches the directory itself first, as it does for every component.
            do throws(Walk.Stop) {
                try walk.search(o.path, o.facts)
            } catch {
                return end(&walk, Walk.Resolved(parent: components, last: nil, mustBeDirectory: true), error)
            }
            return end(&walk, Walk.Resolved(parent: components, last: fresh, mustBeDirectory: false), nil)
        case .delete:
            let components = o.path.components
            guard let parent = o.parent, let name = components.last else { return nil }
            prepare(&walk, o, path: o.path, access: .delete)
            walk.cache[o.path.parent] = .found(parent)
            return end(&walk, Walk.Resolved(parent: Array(components.dropLast()), last: name, mustBeDirectory: false), nil)
        default:
            guard o.facts.type != .symlink else { return nil }
            prepare(&walk, o, path: o.path, access: access)
            // The sweep's path is clean (absolute, no empty component): it is the path its components make.
            return end(&walk, Walk.Resolved(parent: [], last: nil, mustBeDirectory: false, known: o.path), nil)
        }
    }

    /// Whether the object's access ACL can change a verdict this judge gives (the access asked and, for
    /// a directory, the search that enters it): a sweep that does not explain reads the ACL only then.
    public func needsACL(uid: UInt32, mode: FileMode, isDirectory: Bool) -> Bool {
        if explains { return true }
        guard let want = access.bits else { return true }  // statfs, create and delete: read them all
        return PermissionCheck.aclCanMatter(want, uid: uid, mode: mode, for: principal)
            || (isDirectory && PermissionCheck.aclCanMatter(.execute, uid: uid, mode: mode, for: principal))
    }

    private func fresh(_ o: Reached) -> Walk { Walk(source: source, principal: principal, path: o.path, access: access) }

    /// Sets a walk (fresh or a worker's) to ask `access` of `path`, with the sweep's facts and mounts of `o`.
    private func prepare(_ walk: inout Walk, _ o: Reached, path: RawPath, access: Access) {
        walk.path = path
        walk.access = access
        walk.recordsEvidence = recordsEvidence
        walk.explains = explains
        walk.knownMounts = (o.path, o.mount, o.parentMount)
        walk.seeded = (o.path, .found(o.facts))
        if !walk.evidence.isEmpty { walk.evidence.removeAll(keepingCapacity: true) }
        if !walk.cache.isEmpty { walk.cache = [:] }
    }
}

/// A sweep's answer for one object without the words: granted, denied or unknown, and the errno the
/// operation would fail with.
public struct SweepVerdict: Hashable, Sendable {
    public var verdict: AccessDecision.Verdict
    public var errno: Errno?
}
