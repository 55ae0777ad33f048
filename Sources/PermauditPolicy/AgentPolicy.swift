/// Where a part of a policy file sits: `elastic-agent.yml:42`.
public struct PolicyLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// 1-based; where the node starts on its line (for patches).
    public var column: Int
    public init(file: String, line: Int, column: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line)" }
    public static func < (a: PolicyLocation, b: PolicyLocation) -> Bool { (a.file, a.line) < (b.file, b.line) }
}

/// A value of the policy with the line it was read from.
public struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
    public var value: Value
    public var location: PolicyLocation
    public init(_ value: Value, at location: PolicyLocation) {
        self.value = value
        self.location = location
    }
}

/// A part of the policy permaudit read but did not interpret (an unknown input type, a processor it cannot
/// evaluate, a key it does not know the meaning of): never dropped silently, always shown with its line.
public struct PolicyNote: Hashable, Sendable, CustomStringConvertible {
    public var location: PolicyLocation
    public var message: String
    public init(_ message: String, at location: PolicyLocation) {
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): \(message)" }
}

/// An Elastic Agent policy: a standalone `elastic-agent.yml`, or what `elastic-agent inspect` prints for a
/// Fleet-managed agent (the same `inputs:` shape).
public struct AgentPolicy: Hashable, Sendable {
    public var file: String
    public var inputs: [PolicyInput]
    /// Parts read but not interpreted, with their lines.
    public var notInterpreted: [PolicyNote]
    /// The file's text, kept so that a fix can write a patch of it.
    public var text: String

    public init(file: String, inputs: [PolicyInput], notInterpreted: [PolicyNote], text: String) {
        self.file = file
        self.inputs = inputs
        self.notInterpreted = notInterpreted
        self.text = text
    }
}

/// One entry of `inputs:`: a type (`logfile`, `filestream`, `system/metrics`, `winlog`, `endpoint`, ...),
/// the integration package it comes from, and its streams.
public struct PolicyInput: Hashable, Sendable {
    public var id: String?
    public var type: String
    /// `meta.package.name`: `system`, `nginx`, `endpoint`; nil for a custom input.
    public var package: String?
    public var enabled: Bool
    public var condition: Located<String>?
    public var streams: [PolicyStream]
    public var location: PolicyLocation

    public init(id: String?, type: String, package: String?, enabled: Bool, condition: Located<String>?, streams: [PolicyStream], location: PolicyLocation) {
        self.id = id
        self.type = type
        self.package = package
        self.enabled = enabled
        self.condition = condition
        self.streams = streams
        self.location = location
    }

    /// How the input is named in findings: its id, else its type and line.
    public var displayName: String { id ?? "\(type) input at line \(location.line)" }
}

/// One stream of an input (or the input itself, for a custom input that holds `paths:` directly).
public struct PolicyStream: Hashable, Sendable {
    public var id: String?
    /// `data_stream.dataset`: `system.auth`, `nginx.access`, `system.filesystem`.
    public var dataset: String?
    public var enabled: Bool
    public var condition: Located<String>?
    /// Log inputs: the globs the harvester expands.
    public var paths: [Located<String>] = []
    /// Log inputs: regular expressions (Go RE2) on the whole path; a match is not opened.
    public var excludeFiles: [Located<String>] = []
    /// `**` expands to directories below (filestream `prospector.scanner.recursive_glob`, log
    /// `recursive_glob.enabled`; both on by default).
    public var recursiveGlob = true
    /// Whether symlinks matched by the globs are followed (both inputs: off by default).
    public var symlinks = false
    /// `system/metrics`: the metricsets (`filesystem`, `process`, `diskio`, ...).
    public var metricsets: [Located<String>] = []
    /// `filesystem.ignore_types`: nil when not set (then the virtual, `nodev` types are ignored).
    public var ignoreTypes: Located<[String]>?
    public var processors: [PolicyProcessor] = []
    /// `winlog`: the event log channel (`name:`).
    public var channel: Located<String>?
    public var location: PolicyLocation

    public init(id: String?, dataset: String?, enabled: Bool, condition: Located<String>?, location: PolicyLocation) {
        self.id = id
        self.dataset = dataset
        self.enabled = enabled
        self.condition = condition
        self.location = location
    }
}

/// A processor of a stream. Only `drop_event` changes what the audit looks at; others are kept to be shown.
public enum PolicyProcessor: Hashable, Sendable {
    case dropEvent(EventCondition, PolicyLocation)
    case other(name: String, PolicyLocation)
}

/// A Beats processor condition (`when:`) on an event's fields.
public indirect enum EventCondition: Hashable, Sendable {
    case equals(field: String, value: String)
    case contains(field: String, value: String)
    /// A Go RE2 regular expression, searched (not anchored) in the field's value.
    case regexp(field: String, pattern: String)
    case hasFields([String])
    case and([EventCondition])
    case or([EventCondition])
    case not(EventCondition)
    /// A condition permaudit cannot evaluate (`range`, `network`, ...): the event's fate is unknown.
    case unsupported(String)

    /// Whether the condition holds for an event with these fields; nil when it cannot be told (a field the
    /// event does not carry as far as permaudit knows, or an unsupported condition).
    public func holds(_ fields: [String: String]) -> Bool? {
        switch self {
        case .equals(let f, let v): return fields[f].map { $0 == v }
        case .contains(let f, let v): return fields[f].map { $0.contains(v) }
        case .regexp(let f, let p):
            guard let value = fields[f], let re = try? ExcludeFiles.Pattern(p) else { return nil }
            return re.matches(Array(value.utf8))
        case .hasFields(let list): return list.allSatisfy { fields[$0] != nil }
        case .and(let list):
            let r = list.map { $0.holds(fields) }
            if r.contains(false) { return false }
            return r.contains(nil) ? nil : true
        case .or(let list):
            let r = list.map { $0.holds(fields) }
            if r.contains(true) { return true }
            return r.contains(nil) ? nil : false
        case .not(let c): return c.holds(fields).map { !$0 }
        case .unsupported: return nil
        }
    }
}
