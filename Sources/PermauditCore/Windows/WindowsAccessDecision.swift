/// The answer to "does this token get these rights on this object?", with which ACE granted or refused
/// each right, in the evidence shape of the Linux decisions.
public struct WindowsAccessDecision: Sendable, Hashable {
    public var object: String
    public var kind: WindowsObjectKind
    /// The rights asked for, as given (generic bits and MAXIMUM_ALLOWED included).
    public var requested: UInt32
    /// The rights asked for after the generic mapping (and MAXIMUM_ALLOWED expanded).
    public var desired: UInt32
    /// The rights the token gets of `desired`; with MAXIMUM_ALLOWED, everything the DACL gives it.
    public var grantedMask: UInt32
    public var verdict: AccessDecision.Verdict
    public var reason: String
    public var evidence: [EvidenceStep]
    /// What permaudit does not model (integrity labels, conditional ACEs, restricted tokens).
    public var caveats: [String]

    public var granted: Bool? {
        switch verdict {
        case .granted: true
        case .denied: false
        case .unknown: nil
        }
    }
}
