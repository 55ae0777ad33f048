import Dispatch
import Glibc
import PermauditCore
import Synchronization

/// The work-stealing pool of a parallel sweep. Each worker keeps a bounded deque of opened directories:
/// it pushes the directories it is to enter at the back while there is room (else descends into them
/// itself, depth-first, so memory stays bounded by the tree's depth and the deques), takes its own work
/// from the back (depth-first, the descriptors it just opened), and, when it has none, steals from the
/// front of another worker's deque (the shallowest directory there, the largest piece of work).
final class SweepPool<Note: Sendable>: Sendable {
    /// Directories a deque holds at most (each holds one open descriptor).
    static var capacity: Int { 64 }

    private let deques: [WorkerDeque<Note>]
    /// Directories pushed and not yet swept: the sweep is over when it is zero and every deque is empty.
    private let outstanding = Atomic<Int>(0)

    init(workers: Int) {
        deques = (0..<workers).map { _ in WorkerDeque<Note>() }
    }

    /// Offers an opened directory to the calling worker's deque; false when it is full (the caller then
    /// sweeps it itself).
    func offer(_ item: TreeSweep.Pending<Note>) -> Bool {
        let me = workerSlot.index
        let taken = deques[me].items.withLock { deque -> Bool in
            guard deque.count < Self.capacity else { return false }
            deque.append(item)
            return true
        }
        if taken { outstanding.add(1, ordering: .relaxed) }
        return taken
    }

    /// Puts the start of a sweep in worker 0's deque.
    func seed(_ item: TreeSweep.Pending<Note>) {
        outstanding.add(1, ordering: .relaxed)
        deques[0].items.withLock { $0.append(item) }
    }

    /// The next directory for worker `me`: its own newest, else the oldest of another's; nil when the
    /// sweep is over. Waits (briefly, then longer) while other workers still sweep.
    func next(for me: Int) -> TreeSweep.Pending<Note>? {
        var idle = 0
        while true {
            if let own = deques[me].items.withLock({ $0.popLast() }) { return own }
            for k in 1..<max(deques.count, 1) {
                let victim = (me + k) % deques.count
                if let stolen = deques[victim].items.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return stolen }
            }
            if outstanding.load(ordering: .acquiring) == 0 { return nil }
            // Work comes back within microseconds (another worker is listing a directory): yield the core
            // first, sleep only when the wait grows long (a worker stuck on a slow file system).
            idle += 1
            if idle < 4096 { sched_yield() } else { usleep(50) }
        }
    }

    /// One directory taken from a deque has been swept.
    func done() { outstanding.subtract(1, ordering: .releasing) }

    /// Marks the calling thread as worker `index`.
    func enter(worker index: Int) { workerSlot.index = index }
}

/// One worker's deque of opened directories.
private final class WorkerDeque<Note: Sendable>: Sendable {
    let items = Mutex<[TreeSweep.Pending<Note>]>([])
}

/// The worker whose thread is asking: set by each worker once, at its start.
private let workerSlot = ThreadSlot()

/// A per-thread worker number (pthread-specific data), for `offer`.
private final class ThreadSlot: Sendable {
    private let key: pthread_key_t

    init() {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        key = k
    }

    var index: Int {
        get { Int(bitPattern: pthread_getspecific(key)) - 1 }
        set { pthread_setspecific(key, UnsafeRawPointer(bitPattern: newValue + 1)) }
    }
}

extension TreeSweep {
    /// How many workers a parallel sweep takes by default: one per online core, at least two.
    public static var defaultWorkers: Int { max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// A parallel sweep: `visitors.count` workers (one visitor each) over the tree below `start`, the
    /// start itself visited by the first, in `startNote` (what is known of the folder holding it).
    /// Objects reach each worker's visitor in no fixed order across workers (a directory always before
    /// what is in it, each with its directory's note); the visitors come back, to be merged.
    public mutating func run<V: SweepVisitor>(from start: RawPath, visitors: [V], startNote: V.Note) -> [V] {
        precondition(!visitors.isEmpty, "a sweep needs at least one visitor")
        var visitors = visitors
        guard let top = opening(start, visitor: &visitors[0], note: startNote) else { return visitors }
        let pool = SweepPool<V.Note>(workers: visitors.count)
        pool.seed(top)
        let results = VisitorSlots(visitors)
        let found = Atomic<Int>(0)
        let sweep = self
        DispatchQueue.concurrentPerform(iterations: visitors.count) { me in
            pool.enter(worker: me)
            var visitor = results.take(me)
            var path: [UInt8] = []
            var vanished = 0
            let view = sweep.host.fileSystem
            while let item = pool.next(for: me) {
                sweep.walk(view, item, path: &path, visitor: &visitor, pool: pool, vanished: &vanished)
                pool.done()
            }
            found.add(vanished, ordering: .relaxed)
            results.put(me, visitor)
        }
        vanished += found.load(ordering: .relaxed)
        return results.all()
    }

    /// A parallel sweep of visitors that keep nothing of the directories they enter.
    public mutating func run<V: SweepVisitor>(from start: RawPath, visitors: [V]) -> [V] where V.Note == Void {
        run(from: start, visitors: visitors, startNote: ())
    }
}

/// The workers' visitors: each worker takes its own slot out and puts it back, never another's.
private final class VisitorSlots<V>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<V>

    init(_ visitors: [V]) {
        slots = .allocate(capacity: visitors.count)
        _ = slots.initialize(from: visitors)
    }

    func take(_ i: Int) -> V { slots[i] }
    func put(_ i: Int, _ v: V) { slots[i] = v }
    func all() -> [V] { Array(slots) }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
}
