import ArgumentParser
import Glibc
import PermauditAudit
import PermauditCore
import PermauditFacts
import PermauditHost

extension Access: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Permaudit {
    /// `permaudit explain PATH --access A`: the verdict and every step the kernel takes.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain whether a principal can access a path, step by step, as the kernel decides it.",
            discussion: "Exit status: 0 granted, 1 denied, 3 unknown (permaudit could not look), 2 bad input.")

        @Argument(help: "The path to judge (absolute, or relative to the current directory); with --facts, the object of the facts (a registry key, event channel, service or pipe).")
        var path: String?

        @OptionGroup(title: "Principal")
        var principal: PrincipalOptions

        @OptionGroup(title: "Host")
        var host: HostOptions

        @OptionGroup(title: "Facts (a Windows or macOS host)")
        var facts: FactsOptions

        @Option(name: .long, help: ArgumentHelp("The access: \(Access.helpText); on Windows (--facts, --sddl) rights as a hex mask (0x2001F) or names (query-value,set-value, read).", valueName: "ACCESS"))
        var access = "read"

        @OptionGroup(title: "Agent policy")
        var agentPolicy: AgentPolicyOption

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(name: .long, help: "Output format: text or json.")
        var format: Format = .text

        func validate() throws {
            try facts.validate(against: host)
            if facts.facts != nil {
                if principal.isGiven { throw ValidationError("--facts judges the account the collector gathered (its -Account); principal options do not apply") }
                if path?.isEmpty ?? true { throw ValidationError("say which object of the facts: permaudit explain --facts FILE 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\PartMgr' --access 0x2001F") }
                return
            }
            try principal.requireGiven()
            guard let path, !path.isEmpty else { throw ValidationError("PATH is missing or empty") }
            if Access(argument: access) == nil { throw ValidationError("--access \(access): not one of \(Access.helpText)") }
        }

        func run() throws {
            if let file = try facts.load() {
                let explanation: FactsExplanation
                do {
                    let profile = try AuditSelection.parse([]).load().profile
                    explanation = try FactsAudit.explain(file, object: path ?? "", access: access, profile: profile, color: format == .text && isatty(1) == 1)
                } catch let e as InputError { throw e } catch { throw InputError("\(error)") }
                print(format == .json ? explanation.json : explanation.text, terminator: "")
                try Self.exit(explanation.verdict)
                return
            }
            guard let path, let access = Access(argument: access) else { return }
            let h = try host.makeHost(pid: principal.pid)
            let who = try principal.resolve(on: h)
            let absolute = RawArgument.absolute(path)
            let decision = AccessEvaluator(source: h).decide(absolute, access, for: who)
            switch format {
            case .text: print(DecisionRenderer.text(decision, color: isatty(1) == 1), terminator: "")
            case .json: print(DecisionRenderer.json(decision), terminator: "")
            }
            if let inputs = try agentPolicy.inputs(opening: absolute.display, on: RawNameHost(base: h)) {
                let lines = inputs.isEmpty ? ["no input of \(agentPolicy.file ?? "the policy") opens \(absolute.display)"] : inputs
                // JSON stays one object on standard output; the policy's word goes beside it.
                for line in lines { if format == .text { print("  policy: " + VisibleText.escape(line)) } else { writeError("policy: " + line) } }
            }
            try Self.exit(decision.verdict)
        }

        /// 0 granted, 1 denied, 3 unknown.
        static func exit(_ verdict: AccessDecision.Verdict) throws {
            switch verdict {
            case .granted: return
            case .denied: throw ExitCode(1)
            case .unknown: throw ExitCode(3)
            }
        }
    }
}

func currentDirectory() -> String {
    guard let p = getcwd(nil, 0) else { return "/" }
    defer { free(p) }
    return String(cString: p)
}
