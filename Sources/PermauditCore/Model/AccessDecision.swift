/// The answer to "can this principal do this to this path?", with every step that led to it.
public struct AccessDecision: Hashable, Sendable, Codable {
    public enum Verdict: String, Sendable, Codable {
        case granted, denied
        /// permaudit could not look (an unsearchable directory in the way, a vanished file, a symlink loop).
        case unknown
    }

    public var path: String
    /// The object the path resolves to after symlinks, when the walk got that far.
    public var resolvedPath: String?
    public var access: Access
    public var principal: Principal
    public var verdict: Verdict
    /// The error the operation would fail with (`EACCES`, `EPERM`, `EROFS`, `ENOENT`, `ELOOP`), nil when granted.
    public var errno: String?
    /// One sentence: why.
    public var reason: String
    /// The path whose check decided a denial or stopped the look.
    public var blockedAt: String?
    public var evidence: [EvidenceStep]
    /// Layers not modelled (SELinux enforcing, an AppArmor profile): the DAC answer may not be the whole story.
    public var caveats: [String]
    /// Why it was refused (or could not be looked at), as a value; nil when granted.
    public var cause: DenialCause?

    public init(
        path: String, resolvedPath: String?, access: Access, principal: Principal, verdict: Verdict, errno: String?,
        reason: String, blockedAt: String?, evidence: [EvidenceStep], caveats: [String], cause: DenialCause? = nil
    ) {
        self.path = path
        self.resolvedPath = resolvedPath
        self.access = access
        self.principal = principal
        self.verdict = verdict
        self.errno = errno
        self.reason = reason
        self.blockedAt = blockedAt
        self.evidence = evidence
        self.caveats = caveats
        self.cause = cause
    }

    /// true, false, or nil for unknown: the `granted` field of `explain --format json`.
    public var granted: Bool? {
        switch verdict {
        case .granted: true
        case .denied: false
        case .unknown: nil
        }
    }
}
