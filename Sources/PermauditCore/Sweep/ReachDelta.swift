/// What a change opens, for whom: the objects a principal reaches after a change that it did not reach
/// before, per access. The one answer to "what does membership of adm open", "what does this fix step
/// also grant" and `reach --changed-by`, so that the audit and the fix print the same figures.
///
/// The definition (``definition``, printed beside every figure): an object under the roots is *reached* for
/// an access when the principal can search every directory from the root down to it and the sweep's judge
/// allows the access on the object itself (read on a directory is listing it, execute is searching it);
/// every type of object but symlinks (which the sweep does not follow) counts, the whole tree is looked at,
/// across mounts, without a cap. The walk to each root is the caller's: it says whether each side reaches it.
///
/// A change is a principal change (a group, a capability), planned facts (a fix step's ACL), or both.
/// The value is a fold over a sweep: ``visit(path:facts:mount:in:)`` for every object, given what both sides
/// reach of the directory holding it, answers what they reach of a directory's children (the note a
/// parallel sweep carries to them); the copies one per worker ``absorb`` each other at the end.
public struct ReachDelta: Sendable {
    /// One side of the change: who, and the facts that replace what the sweep reads (by host path).
    public struct Side: Sendable {
        public var principal: Principal
        public var changed: [[UInt8]: FileFacts]
        public init(principal: Principal, changed: [[UInt8]: FileFacts] = [:]) {
            self.principal = principal
            self.changed = changed
        }
    }

    /// One object and one access that the change gives (or takes away).
    public struct Change: Sendable, Hashable {
        /// The host path, as bytes.
        public var path: [UInt8]
        /// The access by its word for this type: `list` and `search` on a directory, `read`, `write`, `execute` otherwise.
        public var access: Access
        public var type: FileType
        /// The path for people: invalid UTF-8 shown as U+FFFD.
        public var displayPath: String { String(decoding: path, as: UTF8.self) }
    }

    /// The definition the figures follow, in words, for the reports and `--help`.
    public static let definition = "every object but symlinks, reached through searchable directories from the roots, across mounts, all of them counted"

    /// Where the audit and the fix count what a broad group or a capability opens: logs and configuration.
    public static let broadRoots = ["/var/log", "/etc"]

    public let before: Side
    public let after: Side
    public let accesses: [Access]
    /// What `after` reaches and `before` does not (in the order met; ``sortByPath()`` orders them).
    public private(set) var opened: [Change] = []
    /// What `before` reaches and `after` does not (a change that takes something away).
    public private(set) var closed: [Change] = []

    /// Whether each side reaches the children of a directory: what the fold keeps of each directory.
    public struct Reaches: Sendable, Hashable {
        public var before: Bool
        public var after: Bool
        public init(before: Bool, after: Bool) {
            self.before = before
            self.after = after
        }
    }
    /// Objects looked at.
    public private(set) var examined = 0

    /// The sweep's one judge (the walk's own final checks), on the facts the sweep read and nothing else.
    private let beforeJudges: [SweepJudge]
    private let afterJudges: [SweepJudge]
    private let beforeEnter: SweepJudge
    private let afterEnter: SweepJudge
    /// The judges' walks, kept from object to object (`beforeJudges`, `afterJudges`, then the two enter judges).
    private var spaces: [SweepJudge.Workspace]

    /// - Parameter accesses: the accesses to compare, among `read`, `write`, `execute` (the directory words follow).
    public init(before: Side, after: Side, accesses: [Access] = [.read]) {
        self.before = before
        self.after = after
        self.accesses = accesses
        // Only verdicts are counted: the steps' texts are not built.
        let source = SweptFactsOnly()
        beforeJudges = accesses.map { SweepJudge(source: source, principal: before.principal, access: $0, recordsEvidence: false, explains: false) }
        afterJudges = accesses.map { SweepJudge(source: source, principal: after.principal, access: $0, recordsEvidence: false, explains: false) }
        beforeEnter = SweepJudge(source: source, principal: before.principal, access: .search, recordsEvidence: false, explains: false)
        afterEnter = SweepJudge(source: source, principal: after.principal, access: .search, recordsEvidence: false, explains: false)
        spaces = (beforeJudges + afterJudges + [beforeEnter, afterEnter]).map { $0.workspace() }
    }

    /// Whether an object's access ACL can change what either side is judged: the sweep reads it only then.
    public func needsACL(uid: UInt32, mode: FileMode, isDirectory: Bool) -> Bool {
        beforeJudges.contains { $0.needsACL(uid: uid, mode: mode, isDirectory: isDirectory) }
            || afterJudges.contains { $0.needsACL(uid: uid, mode: mode, isDirectory: isDirectory) }
    }

    /// One object, in the directory whose children each side reaches as `parent` says (for a root, whether
    /// each side's walk reaches it). Returns what each side reaches of the object's children, nil when
    /// neither side enters it.
    public mutating func visit(path: [UInt8], facts: FileFacts, mount: MountFacts?, in parent: Reaches) -> Reaches? {
        let b = before.changed[path] ?? facts
        let a = after.changed[path] ?? facts
        let raw = RawPath(bytes: path)
        let rb = SweepJudge.Reached(path: raw, facts: b, mount: mount, parent: nil, parentMount: nil)
        let ra = SweepJudge.Reached(path: raw, facts: a, mount: mount, parent: nil, parentMount: nil)
        examined += 1
        let n = accesses.count
        for i in accesses.indices {
            let had = parent.before && beforeJudges[i].verdict(rb, in: &spaces[i])?.verdict == .granted
            let has = parent.after && afterJudges[i].verdict(ra, in: &spaces[n + i])?.verdict == .granted
            guard had != has else { continue }
            let change = Change(path: path, access: Self.word(accesses[i], for: a.type), type: a.type)
            if has { opened.append(change) } else { closed.append(change) }
        }
        let enter = Reaches(
            before: parent.before && beforeEnter.canEnter(rb, in: &spaces[2 * n]),
            after: parent.after && afterEnter.canEnter(ra, in: &spaces[2 * n + 1]))
        return enter.before || enter.after ? enter : nil
    }

    /// Takes in what another copy of this fold met (a parallel sweep's other worker).
    public mutating func absorb(_ other: ReachDelta) {
        opened += other.opened
        closed += other.closed
        examined += other.examined
    }

    /// Orders what was met bytewise by path, then by access: the same order however the sweep ran.
    public mutating func sortByPath() {
        func precedes(_ x: Change, _ y: Change) -> Bool {
            x.path == y.path ? x.access.rawValue < y.access.rawValue : x.path.lexicographicallyPrecedes(y.path)
        }
        opened.sort(by: precedes)
        closed.sort(by: precedes)
    }

    static func word(_ access: Access, for type: FileType) -> Access {
        guard type == .directory else { return access }
        switch access {
        case .read: return .list
        case .execute: return .search
        default: return access
        }
    }

    /// `group adm opens 3 objects under /var/log and /etc that 1001(agent) could not read before`: the
    /// sentence the audit and the fix both print.
    public static func sentence(_ change: String, opens count: Int, under roots: [String], for who: String, access: Access = .read) -> String {
        let list = roots.count <= 1 ? roots.joined() : roots.dropLast().joined(separator: ", ") + " and " + (roots.last ?? "")
        return "\(change) opens \(count) object\(count == 1 ? "" : "s") under \(list) that \(who) could not \(access.rawValue) before (\(definition))"
    }
}

/// What the judges of a ``ReachDelta`` see beyond the object in hand: nothing. The sweep gives each object's
/// facts and mount (the judge holds those); the fold stays a pure function of what the sweep read.
private struct SweptFactsOnly: FactSource {
    func lookup(_ path: RawPath) -> FactLookup { .missing }
    func mount(containing path: RawPath) -> MountFacts? { nil }
    var protectedSysctls: ProtectedSysctls { ProtectedSysctls() }
    var securityModules: SecurityModules { SecurityModules() }
    func isEmptyDirectory(_ path: RawPath) -> Bool? { nil }
    func isMountPoint(_ path: RawPath) -> Bool { false }
}
