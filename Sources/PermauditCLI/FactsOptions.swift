import ArgumentParser
import PermauditFacts

/// `--facts FILE`: judge a Windows or macOS host from the facts its collector gathered
/// (`permaudit collect`), instead of this host or a `--root` folder.
struct FactsOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Audit a Windows or macOS host from the facts file its collector wrote (see `permaudit collect`); not with --root.", valueName: "FILE"))
    var facts: String?

    /// `--facts` and `--root` name two different hosts.
    func validate(against host: HostOptions) throws {
        if facts != nil && host.root != nil { throw ValidationError("give --facts FILE or --root DIR, not both: each names the host to audit") }
    }

    /// The facts file, read and checked; an input error (exit 2) naming the file, line and field otherwise.
    func load() throws -> FactsFile? {
        guard let facts else { return nil }
        do { return try FactsFile.load(path: facts) } catch { throw InputError(error.description) }
    }
}
