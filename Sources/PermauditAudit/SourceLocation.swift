/// A file, and a line in it where one is known: where a finding's object is defined.
public struct SourceLocation: Sendable, Hashable, Codable {
    public enum Base: String, Sendable, Hashable, Codable {
        /// A path on the audited host, as the host sees it (`/etc/group`), resolved against its root.
        case host
        /// A rule file of the catalog compiled into the binary, relative to the source tree's `Rules/`.
        case catalog
        /// A file on the auditing machine (a `--rules DIR` file), absolute.
        case local
    }

    public var base: Base
    public var path: String
    /// 1-based.
    public var line: Int?

    public init(base: Base, path: String, line: Int? = nil) {
        self.base = base
        self.path = path
        self.line = line
    }
}
