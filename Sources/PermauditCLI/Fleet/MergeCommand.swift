import ArgumentParser
import PermauditAudit
import PermauditCore

extension FleetReport.Format: ExpressibleByArgument {}

extension Permaudit {
    /// `permaudit merge`: the fleet view of many hosts' JSON reports.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merge hosts' JSON reports (a folder the fleet playbook filled, or files) into the fleet view.",
            discussion: """
                Per rule: how many hosts fail, pass, are unknown or not applicable, and which; the hosts that differ \
                from the majority; and every host whose report is missing (listed in the folder's fleet-hosts.txt or \
                --expect, but absent), unreadable or of another schema version, by name. A host is the report's file \
                name without .json. Formats: text, json (Reports/schema/fleet.schema.json), markdown, html; for SARIF, \
                JUnit or ECS use each host's own report.
                Elasticsearch nodes (reports of `audit --profile elasticsearch-node`): the section "Elasticsearch \
                operator privileges" groups them by their operator-privileges digest (the setting \
                xpack.security.operator_privileges.enabled and operator_users.yml), names the majority and every node \
                that differs, with what differs (setting, file). Hosts without the report's elasticsearch object are \
                not counted there. Nodes that disagree weigh as a failing high finding.
                Exit status: 0 no host fails at or above --fail-on; 1 one does (or, with --fail-on-unknown, is unknown \
                or has no usable report), or the Elasticsearch nodes disagree on operator privileges and --fail-on is \
                high or lower; 2 usage error or no report could be read at all.
                """)

        @Argument(help: ArgumentHelp("Folders of HOST.json reports, or report files.", valueName: "DIR|FILE"))
        var paths: [String]

        @Option(name: .long, help: "Output: text, json, markdown or html.")
        var format: FleetReport.Format = .text

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the view to FILE (atomically).", valueName: "FILE"))
        var output: String?

        @Option(name: .long, help: ArgumentHelp("Hosts that must have a report (comma-separated), besides the folder's fleet-hosts.txt.", valueName: "A,B"))
        var expect: String?

        @Option(name: .customLong("fail-on"), help: "Exit 1 when a host fails a finding of this severity or above.")
        var failOn: Severity = .low

        @Flag(name: .customLong("fail-on-unknown"), help: "Count unknown findings, and hosts without a usable report, as failures.")
        var failOnUnknown = false

        func validate() throws {
            if paths.isEmpty { throw ValidationError("give a folder of reports (what `fleet playbook` fetched) or report files") }
        }

        func run() throws {
            let reader = try FleetReportReader(paths: paths, expected: expect.map { $0.split(separator: ",").map(String.init) } ?? [])
            let view = FleetView(hosts: reader.hosts, unusable: reader.unusable, generatedAt: timestamp())
            let text = FleetReport.render(view, as: format)
            if let output { try AtomicFile.write(text, to: output) } else { print(text, terminator: "") }
            if reader.hosts.isEmpty {
                writeError("merge: no usable report in \(paths.joined(separator: " ")): " + (reader.unusable.map { "\($0.name) \($0.reason.rawValue)" }.joined(separator: ", ")))
                throw ExitCode(2)
            }
            let status = view.exitStatus(failOn: failOn, failOnUnknown: failOnUnknown)
            if status != 0 { throw ExitCode(status) }
        }
    }
}
