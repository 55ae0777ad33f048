/// A problem in a rule or profile file, located: `Rules/linux/auth-log.yaml:12: unknown key 'acess' (did you mean 'access'?)`.
public struct RuleFileError: Error, CustomStringConvertible, Sendable, Hashable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: what`; a problem with the file or folder as a whole (line 0) is `file: what`.
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Every problem found in a set of files: loading stops at none of them, and loads nothing when there is one.
public struct RuleLoadErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [RuleFileError]
    public init(_ errors: [RuleFileError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
