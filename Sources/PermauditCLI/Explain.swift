import ArgumentParser
import Glibc
import PermauditAudit
import PermauditCore
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

        @Argument(help: "The path to judge (absolute, or relative to the current directory).")
        var path: String

        @OptionGroup(title: "Principal")
        var principal: PrincipalOptions

        @OptionGroup(title: "Host")
        var host: HostOptions

        @Option(name: .long, help: ArgumentHelp("The access: \(Access.helpText).", valueName: "ACCESS"))
        var access: Access = .read

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(name: .long, help: "Output format: text or json.")
        var format: Format = .text

        func validate() throws {
            try principal.requireGiven()
            if path.isEmpty { throw ValidationError("PATH is empty") }
        }

        func run() throws {
            let h = try host.makeHost(pid: principal.pid)
            let who = try principal.resolve(on: h)
            let absolute = RawArgument.absolute(path)
            let decision = AccessEvaluator(source: h).decide(absolute, access, for: who)
            switch format {
            case .text: print(DecisionRenderer.text(decision, color: isatty(1) == 1), terminator: "")
            case .json: print(DecisionRenderer.json(decision), terminator: "")
            }
            switch decision.verdict {
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
