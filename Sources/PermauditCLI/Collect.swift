import ArgumentParser
import PermauditAudit
import PermauditFacts

extension FactsFile.Platform: ExpressibleByArgument {}

extension Permaudit {
    /// `permaudit collect --platform windows|macos`: prints the collector that gathers a facts file on
    /// that host, for `audit --facts`, `explain --facts` and `fix --facts`.
    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "collect",
            abstract: "Print the script that gathers a facts file on a Windows or macOS host, for audit/explain/fix --facts.",
            discussion: """
                Windows: a PowerShell script (Windows PowerShell 5.1 or PowerShell 7, inbox modules only). Run it on the host, \
                as an administrator for the fullest facts: `powershell -ExecutionPolicy Bypass -File collect.ps1 -Output facts.json`; \
                each item it cannot read is recorded with the reason, and the rules that need it report unknown. \
                macOS: a POSIX sh script (stat, ls -le, dscl, id, dseditgroup, sw_vers): `sudo sh collect-macos.sh > facts.json` \
                (`--user NAME --group NAME` override the agent's account); each item it cannot read carries its own error. \
                Exit status: 0 printed, 2 bad input.
                """)

        @Option(name: .long, help: "The host's platform: windows or macos.")
        var platform: FactsFile.Platform

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the script to FILE instead of standard output.", valueName: "FILE"))
        var output: String?

        @Option(name: .long, help: "The agent's account the script's -Account defaults to.")
        var account = "elastic-agent-user"

        @Option(name: .long, help: ArgumentHelp("An extra event log channel the script's -Channel reads by default (repeatable; Windows).", valueName: "NAME"))
        var channel: [String] = []

        func run() throws {
            let script: String
            switch platform {
            case .windows:
                script = WindowsCollector.script(account: account, extraChannels: channel)
            case .macos:
                script = MacCollectorScript.script(user: account)
            }
            if let output { try AtomicFile.write(script, to: output, mode: 0o644) } else { print(script, terminator: "") }
        }
    }
}
