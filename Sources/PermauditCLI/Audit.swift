import ArgumentParser
import Foundation
import Glibc
import PermauditAudit
import PermauditCore
import PermauditFacts
import PermauditHistory
import PermauditHost
import PermauditRules

extension Severity: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

extension Permaudit {
    /// `permaudit audit`: every rule of the profile on this host (or an image), for the service's principal.
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Audit a host (or an image with --root) for a service account, as a preflight or a cron job.",
            discussion: """
                Without principal options the profile decides: its systemd unit's credentials if the unit exists, else \
                its user, else (preflight) the user the installer will create. The audit only reads.
                Exit status: 0 nothing at or above --fail-on failed; 1 something did (or was unknown, with \
                --fail-on-unknown); 2 usage, rule or input error.
                """)

        @OptionGroup(title: "Selection")
        var selection: AuditSelection

        @OptionGroup(title: "Principal (default: the profile's)")
        var principal: PrincipalOptions

        @OptionGroup(title: "Host")
        var host: HostOptions

        @OptionGroup(title: "Facts (a Windows or macOS host)")
        var facts: FactsOptions

        @Option(name: .long, help: "Output: text, json, sarif, junit, ecs, markdown or html.")
        var format: ReportFormat = .text

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the report to FILE (atomically: never a half report).", valueName: "FILE"))
        var output: String?

        @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding of this severity or above fails: info, low, medium, high, critical.")
        var failOn: Severity = .low

        @Flag(name: .customLong("fail-on-unknown"), help: "Count unknown findings (permaudit could not look) as failures.")
        var failOnUnknown = false

        @Option(name: .long, help: ArgumentHelp("Record the run in this history database (SQLite) for `history` and `diff`; takes a lock so two runs never overlap.", valueName: "DB"))
        var record: String?

        @Flag(name: .customLong("changes-only"), help: "With --record: report only the findings whose state changed since the last run (nothing when nothing changed).")
        var changesOnly = false

        @Option(name: .customLong("lock-wait"), help: "With --record: seconds to wait for another run to finish before giving up.")
        var lockWait = 0

        func validate() throws {
            if changesOnly && record == nil { throw ValidationError("--changes-only needs --record DB (the previous run to compare with)") }
            try facts.validate(against: host)
            if facts.facts != nil && principal.isGiven { throw ValidationError("--facts judges the account the collector gathered (its -Account); principal options do not apply") }
        }

        func run() throws {
            let lock = try record.map { try RunLock.acquire(beside: $0, waitSeconds: lockWait) }
            defer { if let lock { close(lock) } }
            // Opened before the audit runs: a database this permaudit must not write is refused up front.
            let history: RunHistory?
            do { history = try record.map { try RunHistory(path: $0, version: Permaudit.configuration.version) } } catch { throw InputError("\(error)") }
            let report: AuditReport
            if let file = try facts.load() {
                let (catalog, profile) = try selection.load()
                let outcome: FactsAuditOutcome
                do { outcome = try FactsAudit.run(file, rules: catalog.rules, profile: profile, integrations: selection.enabledIntegrations) } catch {
                    throw InputError(error.description)
                }
                report = AuditReport(host: outcome.host, principal: outcome.principal, profile: profile.name, generatedAt: timestamp(), findings: outcome.findings)
            } else {
                let h = try host.makeHost(pid: principal.pid)
                let audit = try selection.run(on: h, principal: principal)
                report = AuditReport(
                    host: AuditSelection.hostInfo(h), principal: audit.principal, profile: audit.profile.name, generatedAt: timestamp(),
                    findings: audit.findings,
                    elasticsearch: audit.elasticsearch, agentPolicy: audit.agentPolicy)
            }

            // The report is delivered (written and renamed into place, or printed) before the run is committed
            // to the history: killed in between, the next run finds the change again instead of losing it.
            func deliver(_ shown: AuditReport) throws {
                if changesOnly && shown.findings.isEmpty { return }
                let text = ReportRenderer.render(shown, as: format, color: output == nil && format == .text && isatty(1) == 1)
                if let output { try AtomicFile.write(text, to: output) } else { print(text, terminator: "") }
            }
            if let history {
                do {
                    try history.record(report) { _, drift in
                        var shown = report
                        if changesOnly {
                            let keys = Set(drift?.changed.map(\.finding.fingerprint) ?? report.findings.map(\.fingerprint))
                            shown.findings = report.findings.filter { keys.contains($0.fingerprint) }
                        }
                        try deliver(shown)
                        fflush(nil)  // printed before the commit, not after
                    }
                } catch let e as HistoryError {
                    throw InputError("\(e)")
                }
            } else {
                try deliver(report)
            }
            let status = report.exitStatus(failOn: failOn, failOnUnknown: failOnUnknown)
            if status != 0 { throw ExitCode(status) }
        }
    }
}

/// ISO 8601 UTC now, or `SOURCE_DATE_EPOCH` when set (reproducible reports).
func timestamp() -> String {
    var t = time(nil)
    if let e = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let v = Int(e) { t = time_t(v) }
    var tm = tm()
    gmtime_r(&t, &tm)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)
}
