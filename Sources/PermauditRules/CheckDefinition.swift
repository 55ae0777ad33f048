import PermauditCore
import Yams

/// A check kind defined in one place: its `kind:` word, the keys it takes, how it parses and how the docs
/// describe it. A new kind is a type conforming to this (its file), its evaluator in PermauditAudit/Checks
/// (`CheckEvaluator`), and one line in `CheckRegistry.kinds`.
public protocol CheckDefinition: Sendable, Hashable {
    /// The `kind:` word in the YAML.
    static var kind: String { get }
    /// The keys the check takes besides `kind` (unknown keys are reported with a "did you mean").
    static var keys: Set<String> { get }
    /// Parses the check's fields; problems go to `fields` (with their lines). Nil when it cannot be built.
    static func parse(_ fields: inout CheckFields) -> Self?
    /// One line for `Rules/README.md` and `rules show`.
    var summary: String { get }
    /// What a finding is about when it is not one object (the rule's object name).
    var objectName: String { get }
}

/// The kinds defined through `CheckDefinition`: the single registration point for them.
public enum CheckRegistry {
    public static let kinds: [any CheckDefinition.Type] = [MustNotReach.self, ElasticsearchConfig.self]

    static func kind(named name: String) -> (any CheckDefinition.Type)? { kinds.first { $0.kind == name } }
}

/// A parsed check of a registered kind, type-erased so `RuleCheck` stays Hashable.
public struct DefinedCheck: Sendable, Hashable {
    public let base: any CheckDefinition
    public init(_ base: any CheckDefinition) { self.base = base }

    public var kind: String { type(of: base).kind }

    public static func == (a: DefinedCheck, b: DefinedCheck) -> Bool { AnyHashable(a.base) == AnyHashable(b.base) }
    public func hash(into h: inout Hasher) { h.combine(AnyHashable(base)) }
}

/// The fields of one check as a definition sees them, with the parser's helpers (every problem at its line).
public struct CheckFields {
    var parser: RuleFileParser
    let node: Node
    let map: RuleFileParser.KeyedNodes

    /// Whether the key is present.
    public func has(_ key: String) -> Bool { map[key] != nil }

    /// How many problems were found so far (a definition adds "is empty" only when the shape was right).
    public var problemCount: Int { parser.errors.count }

    /// Required (or optional) text.
    public mutating func string(_ key: String, required: Bool = true) -> String? {
        parser.string(map[key], key, in: node, required: required)
    }

    /// A list of text items.
    public mutating func strings(_ key: String, required: Bool = true) -> [String] {
        parser.strings(map[key], key, in: node, required: required).map(\.0)
    }

    /// Absolute globs; `${config-dir}` may start one (the profile's configuration folder).
    public mutating func paths(_ key: String = "paths", required: Bool = true) -> [String] {
        let list = parser.strings(map[key], key, in: node, required: required)
        for (p, n) in list {
            let rest = p.hasPrefix(ConfigDir.variable) ? String(p.dropFirst(ConfigDir.variable.count)) : p
            if !rest.hasPrefix("/"), p != ConfigDir.variable { parser.fail(n, "path '\(p)' must be absolute (or start with \(ConfigDir.variable)/)") }
            if !Glob.isValid(p) { parser.fail(n, "bad glob '\(p)': a '[' is not closed") }
        }
        return list.map(\.0)
    }

    /// A mapping of text to text (`kibana_user: kibana_admin`).
    public mutating func stringMap(_ key: String, required: Bool = false) -> [String: String] {
        guard let value = map[key] else {
            if required { parser.fail(node, "missing `\(key):`") }
            return [:]
        }
        guard case .mapping(let m) = value else {
            parser.fail(value, "`\(key):` must be a mapping, like {a: b}")
            return [:]
        }
        var out: [String: String] = [:]
        for (k, v) in m {
            guard let ks = k.string, let vs = v.string else {
                parser.fail(k, "`\(key):` maps text to text")
                continue
            }
            out[ks] = vs
        }
        return out
    }

    /// An access word.
    public mutating func access(_ key: String = "access") -> Access? {
        guard let a = string(key) else { return nil }
        guard let access = Access(rawValue: a) else {
            fail(key, "unknown access '\(a)': use \(Access.helpText)")
            return nil
        }
        return access
    }

    /// A problem at the key's value (or at the check when the key is absent).
    public mutating func fail(_ key: String?, _ message: String) {
        parser.fail(key.flatMap { map[$0] } ?? node, message)
    }
}

/// The `${config-dir}` variable of rule paths: the profile's configuration folder, set by `--config-dir`
/// or the profile's `config-dir-env` (for Elasticsearch, `$ES_PATH_CONF`), else the profile's `config-dir`.
public enum ConfigDir {
    public static let variable = "${config-dir}"

    /// The path with the variable replaced.
    public static func expand(_ path: String, configDir: String?) -> String {
        guard path.hasPrefix(variable) else { return path }
        let dir = configDir ?? "/nonexistent-config-dir"
        let trimmed = dir.count > 1 && dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        return trimmed + path.dropFirst(variable.count)
    }
}
