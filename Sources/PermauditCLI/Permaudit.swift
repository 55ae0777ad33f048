import ArgumentParser
import Glibc

/// The `permaudit` command: the root and its subcommands.
public struct Permaudit: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "permaudit",
        abstract: "Finds what a service account cannot reach before it bites, explains it as the kernel judges it, and writes the narrowest fix.",
        version: "0.1.0",
        subcommands: [Audit.self, Explain.self, Reach.self, Fix.self, Rules.self, History.self, Diff.self, Policy.self, Collect.self,
                       Schedule.self, Merge.self, Fleet.self])

    public init() {}

    /// Runs the command line. Exit 0/1/3 as the command says; usage and input errors exit 2 with a
    /// message that names the flag, file or line and what to do (ArgumentParser alone would say 64).
    public static func runMain(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch let input as InputError {
            writeError(input.description)
            Glibc.exit(2)
        } catch {
            let message = fullMessage(for: error)
            let status = exitCode(for: error)
            if status == .success {
                print(message)
                Glibc.exit(0)
            }
            writeError(message.hasPrefix("Error:") || message.hasPrefix("error:") ? message : "error: " + message)
            Glibc.exit(2)
        }
    }
}

/// Writes a line to standard error.
public func writeError(_ text: String) {
    let line = text.hasSuffix("\n") ? text : text + "\n"
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

/// An input error (bad rule file, unknown user, unreadable root): exit 2 with the message.
public struct InputError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
