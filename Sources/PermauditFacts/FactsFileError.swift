/// A facts file that cannot be used at all: not JSON, another version, a field missing or of the wrong
/// type. It names the file, the line where it can, the field's path and what to do (exit 2).
public struct FactsFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    /// `items.account.value.sid`; nil for the document as a whole.
    public var field: String?
    public var problem: String
    public var hint: String

    public init(file: String, line: Int? = nil, field: String? = nil, problem: String, hint: String) {
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        let place = file + (line.map { ":\($0)" } ?? "")
        return "\(place): \(field.map { "\($0): " } ?? "")\(problem); \(hint)"
    }

    static let regather = "gather the facts again with the collector this permaudit prints (permaudit collect --platform PLATFORM)"
}

/// Why one item of the facts cannot be used: it is absent, or the collector reported an error reading it.
/// A rule that needs it reports `unknown` with this reason.
public struct FactsItemProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var item: String
    /// The collector's own words, or nil when the item is simply absent.
    public var collectorError: String?

    public init(item: String, collectorError: String?) {
        self.item = item
        self.collectorError = collectorError
    }

    public var description: String {
        if let collectorError { return "the collector could not read facts item '\(item)': \(collectorError)" }
        return "the facts file has no item '\(item)' (an older collector, or a channel/account it was not asked about: see permaudit collect -h)"
    }
}
