import ArgumentParser
import Foundation

extension Permaudit {
    /// `permaudit fleet`: audit many hosts through the tools admins already run (Ansible).
    struct Fleet: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fleet",
            abstract: "Audit a fleet through Ansible: print the playbook (and an inventory example); merge the reports with `permaudit merge`.",
            subcommands: [Playbook.self])

        struct Playbook: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "playbook",
                abstract: "Print an Ansible playbook that runs the same audit on every host and fetches each JSON report into one folder.",
                discussion: """
                    ansible-playbook -i inventory.yml permaudit-fleet.yml && permaudit merge permaudit-reports
                    The audit's exit 1 (findings) fails no host; merge names every host whose report is missing.
                    """)

            @OptionGroup(title: "Selection (as audit, the same on every host)")
            var selection: AuditSelection

            @OptionGroup(title: "Principal judged (as audit; default: each host's profile user or unit)")
            var principal: PrincipalOptions

            @Option(name: .long, help: ArgumentHelp("A permaudit to copy to each host (build it with --static-swift-stdlib); default: the package's /usr/bin/permaudit.", valueName: "PATH"))
            var binary: String?

            @Option(name: .customLong("run-as"), help: "Who runs the audit on each host: root, or the agent's own user.")
            var runAs = "root"

            @Option(name: .long, help: ArgumentHelp("The folder the reports are fetched into (on the machine running Ansible).", valueName: "DIR"))
            var reports = "./permaudit-reports"

            @Flag(name: .long, help: "Print an example inventory (SSH, local and chroot hosts) instead of the playbook.")
            var inventory = false

            func validate() throws {
                if let binary, !binary.hasPrefix("/") { throw ValidationError("--binary \(binary): give an absolute path") }
            }

            func run() throws {
                let p = FleetPlaybook(binary: binary, auditWords: AuditArguments(selection: selection, principal: principal).words, runAs: runAs, reports: reports)
                print(inventory ? p.inventory : p.playbook, terminator: "")
            }
        }
    }
}
