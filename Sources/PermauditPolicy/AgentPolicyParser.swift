import Yams

/// Why a file cannot be read as a policy at all (exit 2): `policy.yml:3: not valid YAML: ...`.
public struct PolicyFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: PolicyLocation
    public var message: String
    public init(_ message: String, at location: PolicyLocation) {
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): \(message)" }
}

/// Reads an Elastic Agent policy (standalone `elastic-agent.yml` or `elastic-agent inspect` output) with the
/// line of every part, keeping what it cannot interpret as notes rather than dropping it.
public struct AgentPolicyParser {
    let file: String
    var notes: [PolicyNote] = []

    /// The input types whose meaning permaudit knows (anything else is "not interpreted").
    public static let knownInputTypes: Set<String> = [
        "logfile", "log", "filestream", "system/metrics", "journald", "winlog", "endpoint", "audit/auditd",
        "audit/file_integrity", "audit/system", "packet", "pf-host-agent", "profiler",
    ]

    public static func parse(file: String, text: String) throws(PolicyFileError) -> AgentPolicy {
        var parser = AgentPolicyParser(file: file)
        return try parser.run(text)
    }

    func at(_ node: Node?) -> PolicyLocation { PolicyLocation(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1) }

    mutating func note(_ node: Node?, _ message: String) { notes.append(PolicyNote(message, at: at(node))) }

    mutating func run(_ text: String) throws(PolicyFileError) -> AgentPolicy {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PolicyFileError("the file is empty: an agent policy holds `inputs:` (see elastic-agent.yml, or `elastic-agent inspect`)", at: at(nil))
            }
            root = node
        } catch let e as PolicyFileError {
            throw e
        } catch let error as YamlError {
            throw PolicyFileError("not valid YAML: \(Self.problem(of: error))", at: PolicyLocation(file: file, line: Self.line(of: error)))
        } catch {
            throw PolicyFileError("not valid YAML: \(error)", at: at(nil))
        }
        guard case .mapping(let top) = root else {
            throw PolicyFileError("not an agent policy: the top level must be a mapping with `inputs:`", at: at(root))
        }
        guard let inputsNode = top["inputs"] else {
            if Self.lookup(root, "fleet.enabled")?.bool == true || top["fleet"] != nil {
                throw PolicyFileError("a Fleet-managed agent's bootstrap file: its policy is kept encrypted in fleet.enc; get it with `sudo -u elastic-agent-user elastic-agent inspect > policy.yml` and pass --agent-policy policy.yml", at: at(top["fleet"] ?? root))
            }
            throw PolicyFileError("not an agent policy: no `inputs:` (an agent policy lists its inputs; see elastic-agent.yml or `elastic-agent inspect`)", at: at(root))
        }
        var inputs: [PolicyInput] = []
        switch inputsNode {
        case .sequence(let seq):
            for node in seq { if let input = input(node) { inputs.append(input) } }
        case .scalar(let s) where s.string.isEmpty || s.string == "null" || s.string == "~":
            break
        default:
            throw PolicyFileError("`inputs:` must be a list of inputs", at: at(inputsNode))
        }
        return AgentPolicy(file: file, inputs: inputs, notInterpreted: notes, text: text)
    }

    mutating func input(_ node: Node) -> PolicyInput? {
        guard case .mapping = node else {
            note(node, "an input must be a mapping (with `type:`): skipped")
            return nil
        }
        guard let type = Self.lookup(node, "type")?.string, !type.isEmpty else {
            note(node, "an input without `type:`: not interpreted")
            return nil
        }
        let id = Self.lookup(node, "id")?.string
        let package = Self.lookup(node, "meta.package.name")?.string
        let enabled = Self.lookup(node, "enabled")?.bool ?? true
        let condition = located(Self.lookup(node, "condition"))
        var streams: [PolicyStream] = []
        if !Self.knownInputTypes.contains(type) {
            note(node, "input \(id.map { "'\($0)' " } ?? "")of type '\(type)'\(package.map { " (package \($0))" } ?? ""): not interpreted; permaudit knows \(Self.knownInputTypes.sorted().joined(separator: ", "))")
        }
        if let list = Self.lookup(node, "streams") {
            if case .sequence(let seq) = list {
                for s in seq { if let stream = stream(s, type: type, inputDataset: Self.lookup(node, "data_stream.dataset")?.string) { streams.append(stream) } }
            } else {
                note(list, "`streams:` must be a list: not interpreted")
            }
        }
        // A custom input holds its own paths (or channel) directly.
        if streams.isEmpty, Self.lookup(node, "paths") != nil || Self.lookup(node, "name") != nil && type == "winlog" || Self.lookup(node, "metricsets") != nil {
            if let s = stream(node, type: type, inputDataset: nil) { streams.append(s) }
        }
        return PolicyInput(id: id, type: type, package: package, enabled: enabled, condition: condition, streams: streams, location: at(node))
    }

    mutating func stream(_ node: Node, type: String, inputDataset: String?) -> PolicyStream? {
        guard case .mapping = node else {
            note(node, "a stream must be a mapping: skipped")
            return nil
        }
        var s = PolicyStream(
            id: Self.lookup(node, "id")?.string, dataset: Self.lookup(node, "data_stream.dataset")?.string ?? inputDataset,
            enabled: Self.lookup(node, "enabled")?.bool ?? true, condition: located(Self.lookup(node, "condition")), location: at(node))
        s.paths = strings(Self.lookup(node, "paths"), "paths")
        s.excludeFiles = strings(Self.lookup(node, "prospector.scanner.exclude_files"), "exclude_files") + strings(Self.lookup(node, "exclude_files"), "exclude_files")
        if type == "filestream" {
            s.recursiveGlob = Self.lookup(node, "prospector.scanner.recursive_glob")?.bool ?? true
            s.symlinks = Self.lookup(node, "prospector.scanner.symlinks")?.bool ?? false
        } else {
            s.recursiveGlob = Self.lookup(node, "recursive_glob.enabled")?.bool ?? true
            s.symlinks = Self.lookup(node, "symlinks")?.bool ?? false
        }
        if let older = Self.lookup(node, "ignore_older")?.string, older != "0", !s.paths.isEmpty {
            // permaudit does not read modification times: an old file is judged as if the harvester opened it.
            note(Self.lookup(node, "ignore_older"), "ignore_older: \(older): not modelled; files last written before that are judged too (the agent skips them until they are written again)")
        }
        s.metricsets = strings(Self.lookup(node, "metricsets"), "metricsets")
        if let t = Self.lookup(node, "filesystem.ignore_types") {
            s.ignoreTypes = Located(strings(t, "filesystem.ignore_types").map(\.value), at: at(t))
        }
        if let name = Self.lookup(node, "name"), type == "winlog" { s.channel = located(name) }
        if let list = Self.lookup(node, "processors") {
            if case .sequence(let seq) = list {
                for p in seq { s.processors.append(processor(p)) }
            } else {
                note(list, "`processors:` must be a list: not interpreted")
            }
        }
        return s
    }

    mutating func processor(_ node: Node) -> PolicyProcessor {
        guard case .mapping(let m) = node, let first = m.first, let name = first.key.string else {
            note(node, "a processor must be a mapping of one name: not interpreted")
            return .other(name: "?", at(node))
        }
        // `drop_event.when.regexp: {...}` arrives as one dotted key or as nested mappings.
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        if parts[0] == "drop_event" {
            var whenNode: Node? = Self.lookup(first.value, "when")
            if parts.count == 2 {
                if parts[1] == "when" {
                    whenNode = first.value
                } else if parts[1].hasPrefix("when.") {
                    whenNode = .mapping(Node.Mapping([(Node(String(parts[1].dropFirst(5))), first.value)]))
                }
            }
            guard let whenNode else {
                note(node, "drop_event without `when:` drops every event of the stream: not interpreted")
                return .other(name: "drop_event", at(node))
            }
            let c = condition(whenNode)
            if case .unsupported(let why) = c { note(whenNode.mark == nil ? node : whenNode, "drop_event condition not interpreted: \(why)") }
            return .dropEvent(c, at(node))
        }
        return .other(name: parts[0], at(node))
    }

    /// A Beats `when:` condition; what is not understood becomes `.unsupported` (evaluated as unknown).
    func condition(_ node: Node) -> EventCondition {
        guard case .mapping(let m) = node else { return .unsupported("a condition must be a mapping") }
        var all: [EventCondition] = []
        for (k, v) in m {
            guard let key = k.string else { return .unsupported("a condition key must be text") }
            // `regexp.system.filesystem.mount_point: X` (dotted) or `regexp: {field: X}`.
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            let op = parts[0]
            var fields: [(String, Node)] = []
            if parts.count == 2 {
                fields = [(parts[1], v)]
            } else if case .mapping(let fm) = v {
                fields = fm.compactMap { pair in pair.key.string.map { ($0, pair.value) } }
            }
            switch op {
            case "equals", "contains", "regexp":
                guard !fields.isEmpty else { return .unsupported("\(op) needs field: value") }
                for (f, valueNode) in fields {
                    guard let value = valueNode.string else { return .unsupported("\(op) on \(f) needs a text value") }
                    all.append(op == "equals" ? .equals(field: f, value: value) : op == "contains" ? .contains(field: f, value: value) : .regexp(field: f, pattern: value))
                }
            case "has_fields":
                if case .sequence(let seq) = v { all.append(.hasFields(seq.compactMap(\.string))) } else { return .unsupported("has_fields needs a list") }
            case "and", "or":
                guard case .sequence(let seq) = v else { return .unsupported("\(op) needs a list of conditions") }
                let list = seq.map(condition)
                all.append(op == "and" ? .and(list) : .or(list))
            case "not":
                all.append(.not(condition(v)))
            default:
                return .unsupported("the condition '\(op)' is not evaluated by permaudit")
            }
        }
        return all.count == 1 ? all[0] : .and(all)
    }

    func located(_ node: Node?) -> Located<String>? {
        guard let node, let s = node.string else { return nil }
        return Located(s, at: at(node))
    }

    /// A list of text (or one text) with each item's line.
    mutating func strings(_ node: Node?, _ what: String) -> [Located<String>] {
        guard let node else { return [] }
        switch node {
        case .scalar(let s): return s.string.isEmpty ? [] : [Located(s.string, at: at(node))]
        case .sequence(let seq):
            var out: [Located<String>] = []
            for item in seq {
                if let s = item.string { out.append(Located(s, at: at(item))) } else { note(item, "an item of `\(what)` that is not text: not interpreted") }
            }
            return out
        default:
            note(node, "`\(what)` must be a list of text: not interpreted")
            return []
        }
    }

    /// A value by dotted name, whether the file writes it nested (`data_stream: {dataset: x}`) or dotted
    /// (`data_stream.dataset: x`), as the agent's configuration accepts both.
    public static func lookup(_ node: Node?, _ dotted: String) -> Node? {
        guard let node, case .mapping(let m) = node else { return nil }
        if let direct = m[dotted] { return direct }
        var rest = Substring(dotted)
        var head = ""
        while let dot = rest.firstIndex(of: ".") {
            head += (head.isEmpty ? "" : ".") + rest[..<dot]
            rest = rest[rest.index(after: dot)...]
            if let child = m[head], let found = lookup(child, String(rest)) { return found }
        }
        return nil
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        case .duplicatedKeysInMapping(let keys, _): return "keys appear twice: \(keys.joined(separator: ", "))"
        default: return "\(error)"
        }
    }
}
