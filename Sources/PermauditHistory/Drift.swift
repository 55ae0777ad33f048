import PermauditAudit

/// The difference between two runs' findings, keyed by fingerprint (rule and object).
public struct Drift: Sendable, Hashable {
    public struct Change: Sendable, Hashable {
        public var finding: RecordedFinding
        /// nil when the finding is new (the object appeared, or the rule is new).
        public var previousState: Finding.State?
    }

    /// Findings whose state changed, or that appeared: sorted, failures first.
    public var changed: [Change]
    /// Findings the earlier run had and the later one does not (the object went away).
    public var gone: [RecordedFinding]

    public init(before: [RecordedFinding], after: [RecordedFinding]) {
        let old = Dictionary(before.map { ($0.fingerprint, $0) }, uniquingKeysWith: { a, _ in a })
        let newKeys = Set(after.map(\.fingerprint))
        changed = after.compactMap { f in
            let previous = old[f.fingerprint]?.state
            return previous == f.state ? nil : Change(finding: f, previousState: previous)
        }.sorted { ($0.finding.state == .fail ? 0 : 1, $0.finding.ruleID, $0.finding.object) < ($1.finding.state == .fail ? 0 : 1, $1.finding.ruleID, $1.finding.object) }
        gone = before.filter { !newKeys.contains($0.fingerprint) }.sorted { ($0.ruleID, $0.object) < ($1.ruleID, $1.object) }
    }

    public var isEmpty: Bool { changed.isEmpty && gone.isEmpty }
    /// Findings that started failing (new failures and regressions).
    public var newFailures: [Change] { changed.filter { $0.finding.state == .fail } }
    /// Findings that stopped failing.
    public var resolved: [Change] { changed.filter { $0.previousState == .fail && $0.finding.state != .fail } }

    /// `+ fail linux.auth-log.read /var/log/auth.log (was pass)` lines, for people and cron mail.
    public var lines: [String] {
        changed.map { c in
            let was = c.previousState.map { "was \($0.rawValue)" } ?? "new"
            let mark = c.finding.state == .fail ? "+" : (c.previousState == .fail ? "-" : "~")
            return "\(mark) \(c.finding.state.rawValue) \(c.finding.ruleID) \(c.finding.object) (\(was))"
        } + gone.map { "- gone \($0.ruleID) \($0.object) (was \($0.state.rawValue))" }
    }
}
