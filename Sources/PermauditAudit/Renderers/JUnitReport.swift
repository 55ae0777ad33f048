import PermauditCore

/// JUnit XML for CI (Jenkins, GitLab, GitHub test reporters), valid against the Jenkins xunit plugin's
/// `junit-10.xsd` (which skips any file it refuses) and `Reports/schema/junit.xsd`, no looser than it:
/// `<testsuites>` carries only name, tests, failures, errors and time (no `skipped`); the skips are
/// counted on each `<testsuite>`.
///
/// One `testsuite` per severity (highest first), one `testcase` per finding, named
/// `RULE-ID OBJECT` with `classname` `permaudit.RULE-ID`. `fail` is a `<failure>`, `error` an
/// `<error>`, `not-applicable` a `<skipped>`, and `unknown` a `<skipped message="unknown: …">`:
/// unknown does not fail `audit` unless `--fail-on-unknown`, and a CI gate should agree with the exit
/// status; the reason is kept in the message and in `system-out`.
public enum JUnitReport {
    public static func render(_ r: AuditReport) -> String {
        let ordered = ReportLayout.ordered(r.findings)
        let c = r.counts
        let a = XMLText.attribute
        var x = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        x.append("<testsuites name=\"permaudit \(a(r.profile)) on \(a(r.host.hostname))\" tests=\"\(r.findings.count)\""
            + " failures=\"\(c[.fail] ?? 0)\" errors=\"\(c[.error] ?? 0)\" time=\"0\">")
        for severity in ReportLayout.severityOrder {
            let group = ordered.filter { $0.severity == severity }
            if group.isEmpty { continue }
            let failures = group.filter { $0.state == .fail }.count
            let errors = group.filter { $0.state == .error }.count
            let skipped = group.filter { $0.state == .notApplicable || $0.state == .unknown }.count
            x.append("  <testsuite name=\"permaudit.\(severity.rawValue)\" tests=\"\(group.count)\" failures=\"\(failures)\""
                + " errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"0\" timestamp=\"\(a(timestamp(r.generatedAt)))\""
                + " hostname=\"\(a(r.host.hostname))\">")
            x.append("    <properties>")
            x.append("      <property name=\"profile\" value=\"\(a(r.profile))\"/>")
            x.append("      <property name=\"principal\" value=\"\(a(r.principal.description))\"/>")
            x.append("      <property name=\"root\" value=\"\(a(r.host.root))\"/>")
            x.append("      <property name=\"severity\" value=\"\(severity.rawValue)\"/>")
            x.append("    </properties>")
            for f in group { x += testcase(f) }
            x.append("  </testsuite>")
        }
        x.append("</testsuites>")
        return x.joined(separator: "\n") + "\n"
    }

    /// JUnit's `timestamp` is an ISO 8601 date-time without a zone designator (xs:dateTime pattern in
    /// the Ant schema); the report's time is UTC, so the `Z` is dropped.
    static func timestamp(_ iso: String) -> String { iso.hasSuffix("Z") ? String(iso.dropLast()) : iso }

    static func testcase(_ f: Finding) -> [String] {
        let a = XMLText.attribute
        var x = ["    <testcase name=\"\(a(f.ruleID + " " + f.object))\" classname=\"permaudit.\(a(f.ruleID))\" time=\"0\">"]
        let body = XMLText.content(details(f))
        switch f.state {
        case .fail:
            x.append("      <failure message=\"\(a(f.message))\" type=\"\(f.severity.rawValue)\">\(body)</failure>")
        case .error:
            x.append("      <error message=\"\(a(f.message))\" type=\"error\">\(body)</error>")
        case .unknown:
            x.append("      <skipped message=\"\(a("unknown: " + f.message))\"/>")
        case .notApplicable:
            x.append("      <skipped message=\"\(a("not applicable: " + f.message))\"/>")
        case .pass:
            break
        }
        // A failure or error already carries the details; the others keep theirs in system-out.
        if f.state == .unknown {
            x.append("      <system-out>\(body)</system-out>")
        } else if f.state == .pass || f.state == .notApplicable {
            x.append("      <system-out>\(XMLText.content(VisibleText.escape(f.message)))</system-out>")
        }
        x.append("    </testcase>")
        return x
    }

    /// The failure's text: what a person reads in the CI log. One-line fields show their newlines as `\n`.
    static func details(_ f: Finding) -> String {
        let v = { (s: String) in VisibleText.escape(s) }
        var lines = ["\(v(f.ruleID)): \(v(f.ruleTitle))", "object: \(v(f.object))" + (f.access.map { " (\($0.rawValue))" } ?? ""), "found: \(v(f.message))"]
        if let s = f.symptom { lines.append("symptom: \(v(s))") }
        if let d = f.decision {
            lines.append("evidence (\(v(d.reason))):")
            for s in d.evidence { lines.append("  \(MarkdownReport.mark(s.outcome)) \(v(ReportLayout.nameiLine(s)))") }
        }
        for e in f.evidence { lines.append("  \(v(e))") }
        if let fix = f.leastPrivilegeFix { lines.append("least-privilege fix:\n" + VisibleText.escape(fix, keepNewlines: true)) }
        if let w = f.warning { lines.append("warning: \(v(w))") }
        return lines.joined(separator: "\n")
    }
}
