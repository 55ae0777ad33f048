import PermauditAudit
import PermauditCore
import Testing

/// `audit`'s exit status, as DESIGN.md gives it: 1 when a finding at or above `--fail-on` fails (an
/// error counts as a failure; unknown only with `--fail-on-unknown`), else 0. Passes and
/// not-applicable findings never fail a run.
@Suite struct ExitStatusTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var findings: [(Finding.State, Severity)]
        var failOn: Severity
        var failOnUnknown = false
        var status: Int32
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "nothing fails", findings: [(.pass, .critical), (.notApplicable, .critical)], failOn: .info, status: 0),
        Row(name: "a failure at the threshold", findings: [(.fail, .medium)], failOn: .medium, status: 1),
        Row(name: "a failure below the threshold", findings: [(.fail, .medium)], failOn: .high, status: 0),
        Row(name: "a failure above the threshold", findings: [(.fail, .critical)], failOn: .low, status: 1),
        Row(name: "an error is a failure", findings: [(.error, .high)], failOn: .high, status: 1),
        Row(name: "unknown does not fail by default", findings: [(.unknown, .critical)], failOn: .info, status: 0),
        Row(name: "unknown fails with --fail-on-unknown", findings: [(.unknown, .high)], failOn: .low, failOnUnknown: true, status: 1),
        Row(name: "unknown below the threshold, even with --fail-on-unknown", findings: [(.unknown, .low)], failOn: .high, failOnUnknown: true, status: 0),
        Row(name: "no findings at all", findings: [], failOn: .info, status: 0),
    ]

    @Test(arguments: rows)
    func exitStatus(_ row: Row) {
        let findings = row.findings.enumerated().map { i, f in
            Finding(ruleID: "test.rule-\(i)", ruleTitle: "t", severity: f.1, object: "/o\(i)", state: f.0, message: "m")
        }
        let report = AuditReport(
            host: .init(hostname: "h", root: "/", osID: "debian", osLike: []), principal: Principal(uid: 1, gid: 1, origin: "test"),
            profile: "p", generatedAt: "2026-11-01T00:00:00Z", findings: findings)
        #expect(report.exitStatus(failOn: row.failOn, failOnUnknown: row.failOnUnknown) == row.status)
    }
}
