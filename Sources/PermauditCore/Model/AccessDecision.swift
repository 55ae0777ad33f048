/// The answer to "can this principal do this to this path?", with every step that led to it.
public struct AccessDecision: Hashable, Sendable, Codable {
    public enum Verdict: String, Sendable, Codable {
        case granted, denied
        /// permaudit could not look (an unsearchable directory in the way, a vanished file, a symlink loop).
        case unknown
    }

    /// The path asked about, as bytes.
    public var target: RawPath
    /// The object the path resolves to after symlinks, when the walk got that far.
    public var resolved: RawPath?
    public var access: Access
    public var principal: Principal
    public var verdict: Verdict
    /// The error the operation would fail with (`EACCES`, `EPERM`, `EROFS`, `ENOENT`, `ELOOP`), nil when granted.
    public var errno: Errno?
    /// One sentence: why.
    public var reason: String
    /// The path whose check decided a denial or stopped the look.
    public var blocked: RawPath?
    public var evidence: [EvidenceStep]
    /// Layers not modelled (SELinux enforcing, an AppArmor profile): the DAC answer may not be the whole story.
    public var caveats: [String]
    /// Why it was refused (or could not be looked at), as a value; nil when granted.
    public var cause: DenialCause?

    public init(
        target: RawPath, resolved: RawPath?, access: Access, principal: Principal, verdict: Verdict, errno: Errno?,
        reason: String, blocked: RawPath?, evidence: [EvidenceStep], caveats: [String], cause: DenialCause? = nil
    ) {
        self.target = target
        self.resolved = resolved
        self.access = access
        self.principal = principal
        self.verdict = verdict
        self.errno = errno
        self.reason = reason
        self.blocked = blocked
        self.evidence = evidence
        self.caveats = caveats
        self.cause = cause
    }

    /// Convenience: a decision about paths given as text.
    public init(
        path: String, resolvedPath: String?, access: Access, principal: Principal, verdict: Verdict, errno: Errno?,
        reason: String, blockedAt: String?, evidence: [EvidenceStep], caveats: [String], cause: DenialCause? = nil
    ) {
        self.init(
            target: RawPath(path), resolved: resolvedPath.map { RawPath($0) }, access: access, principal: principal, verdict: verdict,
            errno: errno, reason: reason, blocked: blockedAt.map { RawPath($0) }, evidence: evidence, caveats: caveats, cause: cause)
    }

    /// The path asked about, for people (bytes that are not UTF-8 shown as `\xNN`).
    public var path: String { target.display }
    /// The resolved object, for people.
    public var resolvedPath: String? { resolved?.display }
    /// The path that decided, for people.
    public var blockedAt: String? { blocked?.display }

    /// true, false, or nil for unknown: the `granted` field of `explain --format json`.
    public var granted: Bool? {
        switch verdict {
        case .granted: true
        case .denied: false
        case .unknown: nil
        }
    }
}
