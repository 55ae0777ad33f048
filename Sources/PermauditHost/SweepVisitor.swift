/// What a sweep calls for every event it meets. A parallel sweep gives each worker a visitor of its own
/// (no lock on the way of an object) and hands them all back when the sweep is done, to be merged.
public protocol SweepVisitor {
    /// For a directory object, return true to enter it.
    mutating func visit(_ event: SweepEvent) -> Bool
}

/// The one-thread sweep's visitor: a closure.
struct ClosureVisitor: SweepVisitor {
    let body: (SweepEvent) -> Bool
    mutating func visit(_ event: SweepEvent) -> Bool { body(event) }
}
