/// What a sweep calls for every event it meets. A parallel sweep gives each worker a visitor of its own
/// (no lock on the way of an object) and hands them all back when the sweep is done, to be merged.
public protocol SweepVisitor {
    /// What the visitor keeps of a directory it enters, handed back with everything met inside it (on
    /// whichever worker meets it): a fold that needs each directory's answer before its children's.
    associatedtype Note: Sendable = Void
    /// `note` is what was kept of the directory holding the object (for the start, the sweep's start
    /// note). For a directory object, return a note to enter it, nil to pass it by.
    mutating func visit(_ event: SweepEvent, in note: Note) -> Note?
}

/// The one-thread sweep's visitor: a closure.
struct ClosureVisitor: SweepVisitor {
    let body: (SweepEvent) -> Bool
    mutating func visit(_ event: SweepEvent, in note: Void) -> Void? { body(event) ? () : nil }
}
