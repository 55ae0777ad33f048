import Synchronization

/// A thread-safe memo of answers that do not change during one run (NSS lookups by id).
final class LookupCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let answers = Mutex<[Key: Value]>([:])

    func value(for key: Key, compute: () -> Value) -> Value {
        if let known = answers.withLock({ $0[key] }) { return known }
        let value = compute()
        answers.withLock { $0[key] = value }
        return value
    }
}
