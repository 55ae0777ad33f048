import PermauditCore

/// Runs a ``ReachDelta`` over trees of a host: the walk to each root judged by the access engine on each
/// side's facts, then one sweep below it.
public struct ReachDeltaSweep {
    /// A root neither side reaches, with the decision that says why (for `reach --changed-by`).
    public struct Unreached: Sendable {
        public var root: String
        public var decision: AccessDecision
    }

    public private(set) var delta: ReachDelta
    /// The roots looked at (resolved, nested ones dropped).
    public private(set) var roots: [String] = []
    public private(set) var unreached: [Unreached] = []
    /// Paths permaudit itself could not look at: the answer below them is unknown.
    public private(set) var unreadable: [(path: [UInt8], error: HostError)] = []

    /// - Parameters:
    ///   - beforeSource, afterSource: the facts each side's walk to a root is judged on (a plan's overlay); the host when nil.
    ///   - workers: how many sweep each root at once (the figures are the same for any number).
    public init(
        host: any Host, roots: [String], before: ReachDelta.Side, after: ReachDelta.Side, accesses: [Access] = [.read],
        beforeSource: (any FactSource)? = nil, afterSource: (any FactSource)? = nil, oneFileSystem: Bool = false,
        workers: Int = TreeSweep.defaultWorkers
    ) {
        delta = ReachDelta(before: before, after: after, accesses: accesses)
        let b = AccessEvaluator(source: beforeSource ?? host)
        let a = AccessEvaluator(source: afterSource ?? host)
        var starts: [(String, Bool, Bool)] = []
        for root in roots {
            let db = b.decide(root, .statfs, for: before.principal)
            let da = a.decide(root, .statfs, for: after.principal)
            guard let start = da.resolvedPath ?? db.resolvedPath, db.verdict == .granted || da.verdict == .granted else {
                unreached.append(Unreached(root: root, decision: da))
                continue
            }
            // A root inside another is swept with it (`/var/log/journal` under `/var/log`).
            if starts.contains(where: { Self.isInside(start, $0.0) }) { continue }
            starts.removeAll { Self.isInside($0.0, start) }
            starts.append((start, db.verdict == .granted, da.verdict == .granted))
        }
        let empty = delta
        for (start, reachesBefore, reachesAfter) in starts {
            self.roots.append(start)
            var sweep = TreeSweep(host: host, oneFileSystem: oneFileSystem)
            // Only verdicts are compared: an ACL that cannot change one on either side is not read.
            sweep.readsACL = { empty.needsACL(uid: $0, mode: $1, isDirectory: $2) }
            // Each worker folds into a copy of its own; each directory's answer travels with it as its note.
            let visitors = sweep.run(
                from: RawPath(start), visitors: Array(repeating: DeltaVisitor(delta: empty), count: max(1, workers)),
                startNote: ReachDelta.Reaches(before: reachesBefore, after: reachesAfter))
            for v in visitors {
                delta.absorb(v.delta)
                unreadable += v.unreadable
            }
        }
        // The same order however many workers swept.
        delta.sortByPath()
        unreadable.sort { $0.path.lexicographicallyPrecedes($1.path) }
    }

    static func isInside(_ path: String, _ dir: String) -> Bool {
        path == dir || dir == "/" || path.hasPrefix(dir + "/")
    }
}

/// One worker's share of a delta sweep: its copy of the fold, and what it could not look at.
private struct DeltaVisitor: SweepVisitor {
    var delta: ReachDelta
    var unreadable: [(path: [UInt8], error: HostError)] = []

    mutating func visit(_ event: SweepEvent, in parent: ReachDelta.Reaches) -> ReachDelta.Reaches? {
        switch event {
        case .object(let o): return delta.visit(path: o.path, facts: o.facts, mount: o.mount, in: parent)
        case .unreadable(let path, let error):
            unreadable.append((path, error))
            return nil
        }
    }
}
