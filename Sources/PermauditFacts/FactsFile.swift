import PermauditCore

/// A snapshot of a Windows or macOS host, gathered there by the collector `permaudit collect` prints,
/// audited here. Versioned (`Reports/schema/facts.schema.json`):
///
///     { "schema": "permaudit/facts/v1", "platform": "windows" | "macos",
///       "collector": {"name", "version"}, "collectedAt": RFC 3339,
///       "host": {"name", "os": {"name", "version", "build"}},
///       "items": { NAME: {"value": JSON} | {"error": "why the collector could not read it"} } }
public struct FactsFile: Sendable, Hashable {
    public static let schema = "permaudit/facts/v1"

    public enum Platform: String, Sendable, Hashable, CaseIterable {
        case windows, macos
        /// `Windows`, `macOS`: for messages.
        public var displayName: String { self == .windows ? "Windows" : "macOS" }
    }

    public struct Collector: Sendable, Hashable {
        public var name: String
        public var version: String
    }

    public struct OS: Sendable, Hashable {
        public var name: String
        public var version: String
        public var build: String
    }

    public struct HostFacts: Sendable, Hashable {
        public var name: String
        public var os: OS
    }

    /// Where the facts were read from (for messages).
    public var file: String
    public var platform: Platform
    public var collector: Collector
    public var collectedAt: String
    public var host: HostFacts
    public var items: [String: FactsItem]

    public init(file: String, platform: Platform, collector: Collector, collectedAt: String, host: HostFacts, items: [String: FactsItem]) {
        self.file = file
        self.platform = platform
        self.collector = collector
        self.collectedAt = collectedAt
        self.host = host
        self.items = items
    }

    /// The value of an item, or why it cannot be had (absent, or the collector's error).
    public func value(_ item: String) -> Result<FactsField, FactsItemProblem> {
        switch items[item] {
        case .value(let node): .success(FactsField(file: file, path: "items.\(item).value", node: node))
        case .error(let why): .failure(FactsItemProblem(item: item, collectorError: why))
        case nil: .failure(FactsItemProblem(item: item, collectorError: nil))
        }
    }

    /// Reads and checks a facts file's envelope.
    /// - Throws: `FactsFileError` naming the file, line and field (exit 2).
    public static func parse(_ text: String, file: String) throws(FactsFileError) -> FactsFile {
        let root: JSONNode
        do { root = try JSONDocumentReader.parse(text) } catch {
            throw FactsFileError(
                file: file, line: error.line, problem: "not valid JSON at column \(error.column): \(error.message)",
                hint: "the file may be truncated or edited; " + FactsFileError.regather)
        }
        let doc = FactsField(file: file, path: "", node: root)
        guard root.members != nil else { throw doc.wrongType("an object") }
        let schemaField = try doc.require("schema")
        let schema = try schemaField.string()
        guard schema == Self.schema else {
            throw FactsFileError(
                file: file, line: schemaField.node.line, field: "schema",
                problem: "this is a facts file of version '\(schema)'; this permaudit reads '\(Self.schema)'",
                hint: "gather the facts with the collector of this permaudit (permaudit collect), or use the permaudit that printed that collector")
        }
        let platformField = try doc.require("platform")
        let platformName = try platformField.string()
        guard let platform = Platform(rawValue: platformName) else {
            throw FactsFileError(
                file: file, line: platformField.node.line, field: "platform",
                problem: "unknown platform '\(platformName)'", hint: "it must be \(Platform.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
        }
        let c = try doc.require("collector")
        let collector = Collector(name: try c.require("name").string(), version: try c.require("version").string())
        let collectedAtField = try doc.require("collectedAt")
        let collectedAt = try collectedAtField.string()
        guard RFC3339.isValid(collectedAt) else { throw collectedAtField.invalid("'\(collectedAt)' is not an RFC 3339 time (2026-12-01T19:20:00Z)") }
        let h = try doc.require("host")
        let o = try h.require("os")
        let host = HostFacts(
            name: try h.require("name").string(),
            os: OS(name: try o.require("name").string(), version: try o.require("version").string(), build: try o.require("build").string()))
        let itemsField = try doc.require("items")
        guard let members = itemsField.node.members else { throw itemsField.wrongType("an object") }
        var items: [String: FactsItem] = [:]
        for m in members {
            let f = FactsField(file: file, path: "items.\(m.key)", node: m.node)
            guard m.node.members != nil else { throw f.wrongType("an object with \"value\" or \"error\"") }
            if let v = m.node["value"] {
                if m.node["error"] != nil { throw f.invalid("has both \"value\" and \"error\"") }
                items[m.key] = .value(v)
            } else if let e = m.node["error"] {
                items[m.key] = .error(try FactsField(file: file, path: f.path + ".error", node: e).string())
            } else {
                throw f.invalid("has neither \"value\" nor \"error\"")
            }
        }
        return FactsFile(file: file, platform: platform, collector: collector, collectedAt: collectedAt, host: host, items: items)
    }
}

/// One item as the collector wrote it: its value, or the collector's reason it could not read it.
public enum FactsItem: Sendable, Hashable {
    case value(JSONNode)
    case error(String)
}

/// A value in a facts file with its path (`items.account.value.sid`), so every error can name it.
public struct FactsField: Sendable, Hashable {
    public var file: String
    public var path: String
    public var node: JSONNode

    public init(file: String, path: String, node: JSONNode) {
        self.file = file
        self.path = path
        self.node = node
    }

    func child(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The member `key`, which must be there.
    public func require(_ key: String) throws(FactsFileError) -> FactsField {
        guard node.members != nil else { throw wrongType("an object") }
        guard let n = node[key] else {
            throw FactsFileError(
                file: file, line: node.line, field: child(key), problem: "missing (the object that starts here has no \"\(key)\")",
                hint: FactsFileError.regather)
        }
        return FactsField(file: file, path: child(key), node: n)
    }

    /// The member `key` when present and not null.
    public func optional(_ key: String) throws(FactsFileError) -> FactsField? {
        guard node.members != nil else { throw wrongType("an object") }
        guard let n = node[key], !n.isNull else { return nil }
        return FactsField(file: file, path: child(key), node: n)
    }

    public func string() throws(FactsFileError) -> String {
        guard let s = node.string else { throw wrongType("a string") }
        return s
    }

    public func bool() throws(FactsFileError) -> Bool {
        guard let b = node.bool else { throw wrongType("true or false") }
        return b
    }

    public func array() throws(FactsFileError) -> [FactsField] {
        guard let a = node.array else { throw wrongType("an array") }
        return a.enumerated().map { FactsField(file: file, path: "\(path)[\($0.offset)]", node: $0.element) }
    }

    public func strings() throws(FactsFileError) -> [String] {
        var out: [String] = []
        for f in try array() { out.append(try f.string()) }
        return out
    }

    public func members() throws(FactsFileError) -> [(key: String, field: FactsField)] {
        guard let m = node.members else { throw wrongType("an object") }
        return m.map { (key: $0.key, field: FactsField(file: file, path: child($0.key), node: $0.node)) }
    }

    public func wrongType(_ expected: String) -> FactsFileError {
        FactsFileError(
            file: file, line: node.line, field: path.isEmpty ? nil : path, problem: "expected \(expected), found \(node.kindName)",
            hint: FactsFileError.regather)
    }

    public func invalid(_ why: String) -> FactsFileError {
        FactsFileError(file: file, line: node.line, field: path.isEmpty ? nil : path, problem: why, hint: FactsFileError.regather)
    }
}

/// `2026-12-01T19:20:00Z`, `2026-12-01T19:20:00.123+01:00`.
enum RFC3339 {
    static func isValid(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func d(_ r: Range<Int>) -> Bool { r.upperBound <= b.count && b[r].allSatisfy { (48...57).contains($0) } }
        guard b.count >= 20, d(0..<4), b[4] == 45, d(5..<7), b[7] == 45, d(8..<10), b[10] == 84 || b[10] == 116 || b[10] == 32,
            d(11..<13), b[13] == 58, d(14..<16), b[16] == 58, d(17..<19)
        else { return false }
        var i = 19
        if i < b.count, b[i] == 46 {
            i += 1
            let s = i
            while i < b.count, (48...57).contains(b[i]) { i += 1 }
            if i == s { return false }
        }
        guard i < b.count else { return false }
        if b[i] == 90 || b[i] == 122 { return i + 1 == b.count }
        guard b[i] == 43 || b[i] == 45 else { return false }
        return i + 6 == b.count && d(i + 1..<i + 3) && b[i + 3] == 58 && d(i + 4..<i + 6)
    }
}
