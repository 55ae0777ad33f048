import ArgumentParser
import PermauditAudit
import PermauditHost
import PermauditPolicy

extension Permaudit {
    /// `permaudit policy show FILE`: what an agent policy implies, input by input.
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "Read an Elastic Agent policy and say what it implies.",
            subcommands: [Show.self])

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "What a policy implies, input by input: files, mounts, channels, capabilities, and every part not interpreted (file:line).",
                discussion: "Exit status: 0 read (parts not interpreted are listed), 2 not a policy (not YAML, no inputs) or unreadable.")

            @Argument(help: "The policy: elastic-agent.yml, or the output of `elastic-agent inspect`.")
            var file: String

            @Flag(name: .long, help: "Also expand the globs on this host (or --root): the files each stream opens, skips and lists.")
            var expand = false

            @OptionGroup(title: "Host (with --expand)")
            var host: HostOptions

            func run() throws {
                let option = try AgentPolicyOption.parse(["--agent-policy", file])
                let h: (any PermauditHost.Host)? = expand ? try host.makeHost() : nil
                let loaded: AgentPolicy?
                do { loaded = try option.load(on: h ?? LiveHost()).policy } catch let e as InputError {
                    throw InputError(e.description.replacingOccurrences(of: "--agent-policy: ", with: ""))
                }
                guard let policy = loaded else { throw InputError("\(file): not read") }
                let variables = h.map(AgentPolicyOption.variables) ?? PolicyCondition.hostVariables(platform: "linux")
                let implications = PolicyImplications(policy, variables: variables)
                // A file name may hold a newline or control bytes: each path is escaped alone, the layout kept.
                let text = PolicySummary.text(policy, implications, hostFiles: { set in
                    h.map { host in
                        let f = PolicyAudit.hostFiles(set, on: host)
                        return PolicySummary.HostFiles(
                            opens: f.opens.map { VisibleText.escape($0) }, excluded: f.excluded.map { (VisibleText.escape($0.path), $0.pattern) },
                            lists: f.lists.map { VisibleText.escape($0) })
                    }
                })
                print(VisibleText.escape(text, keepNewlines: true), terminator: "")
            }
        }
    }
}
