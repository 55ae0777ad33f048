import PermauditCore
import Yams

/// Reads rule and profile files (YAML, schema `permaudit/rules/v1` and `permaudit/profile/v1`), checking
/// every key and value and reporting each problem with its file and line.
public struct RuleFileParser {
    public static let rulesSchema = "permaudit/rules/v1"
    public static let profileSchema = "permaudit/profile/v1"

    let file: String
    var errors: [RuleFileError] = []

    public struct Parsed: Sendable {
        public var rules: [Rule] = []
        public var profiles: [Profile] = []
    }

    /// Parses one file's text. Returns what it holds, or throws every problem found.
    public static func parse(file: String, text: String) throws(RuleLoadErrors) -> Parsed {
        var parser = RuleFileParser(file: file)
        let parsed = parser.run(text)
        if !parser.errors.isEmpty { throw RuleLoadErrors(parser.errors) }
        return parsed
    }

    mutating func fail(_ node: Node?, _ message: String) {
        errors.append(RuleFileError(file: file, line: (node?.mark?.line ?? 0) + (node?.mark == nil ? 1 : 0), message))
    }

    mutating func run(_ text: String) -> Parsed {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                fail(nil, "the file is empty: it needs `schema: \(Self.rulesSchema)` and `rules:`")
                return Parsed()
            }
            root = node
        } catch YamlError.duplicatedKeysInMapping(let keys, let context) {
            // Yams refuses a repeated key before the mapping reaches us: say which, where it repeats.
            for key in keys {
                errors.append(RuleFileError(file: file, line: Self.repeatedKeyLine(key, first: context.mark, in: text), "key '\(key)' appears twice"))
            }
            return Parsed()
        } catch let error as YamlError {
            errors.append(RuleFileError(file: file, line: Self.line(of: error), "not valid YAML: \(Self.problem(of: error))"))
            return Parsed()
        } catch {
            errors.append(RuleFileError(file: file, line: 1, "not valid YAML: \(error)"))
            return Parsed()
        }
        guard let top = mapping(root, allowed: ["schema", "rules", "profile"], context: "the file") else { return Parsed() }
        let schema = string(top["schema"], "schema", in: root)
        var parsed = Parsed()
        switch schema {
        case Self.rulesSchema:
            guard let list = top["rules"] else {
                fail(root, "missing `rules:` (a list of rules)")
                return parsed
            }
            guard case .sequence(let seq) = list else {
                fail(list, "`rules:` must be a list of rules")
                return parsed
            }
            var seen: [String: Int] = [:]
            // An alias (`- *name`) comes back as the anchored node itself, with the anchor's line: the k-th
            // item seen again is the k-th alias item in the text, and is reported at that line.
            var marksSeen: Set<[Int]> = []
            var aliasLines = Self.aliasItemLines(in: text, after: list.mark?.line ?? 0)[...]
            for node in seq {
                var line = node.mark?.line ?? 0
                if let m = node.mark, !marksSeen.insert([m.line, m.column]).inserted, let aliasLine = aliasLines.popFirst() {
                    line = aliasLine
                }
                guard let rule = self.rule(node) else { continue }
                if let first = seen[rule.id] {
                    errors.append(RuleFileError(file: file, line: line, "duplicate rule id '\(rule.id)' (first at line \(first))"))
                }
                seen[rule.id] = seen[rule.id] ?? line
                parsed.rules.append(rule)
            }
        case Self.profileSchema:
            guard let p = top["profile"] else {
                fail(root, "missing `profile:`")
                return parsed
            }
            if let profile = self.profile(p) { parsed.profiles.append(profile) }
        case nil:
            break
        case let other?:
            fail(top["schema"], "unknown schema '\(other)': this permaudit reads \(Self.rulesSchema) and \(Self.profileSchema)")
        }
        return parsed
    }

    // MARK: - Rules

    static let ruleKeys: Set<String> = [
        "id", "title", "summary", "platforms", "distributions", "integrations", "severity", "check", "symptom",
        "documented-fix", "least-privilege-fix", "warning", "remedy", "sources",
    ]

    mutating func rule(_ node: Node) -> Rule? {
        guard let m = mapping(node, allowed: Self.ruleKeys, context: "a rule") else { return nil }
        let errorsBefore = errors.count
        let id = string(m["id"], "id", in: node) ?? ""
        if !id.isEmpty, !Self.isValidID(id) {
            fail(m["id"], "rule id '\(id)' must be dotted lowercase words (like linux.auth-log.read)")
        }
        let title = string(m["title"], "title", in: node) ?? ""
        let summary = string(m["summary"], "summary", in: node, required: false) ?? ""
        var platforms = Set<Platform>()
        for (value, n) in strings(m["platforms"], "platforms", in: node) {
            if let p = Platform(rawValue: value) { platforms.insert(p) } else {
                fail(n, "unknown platform '\(value)': use \(Platform.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if m["platforms"] != nil, platforms.isEmpty, errors.count == errorsBefore { fail(m["platforms"], "`platforms:` needs at least one of linux, macos, windows") }
        let distributions = strings(m["distributions"], "distributions", in: node, required: false).map(\.0)
        let integrations = strings(m["integrations"], "integrations", in: node, required: false).map(\.0)
        var severity = Severity.medium
        if let s = string(m["severity"], "severity", in: node) {
            if let v = Severity(rawValue: s) { severity = v } else {
                fail(m["severity"], "unknown severity '\(s)': use \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let check = m["check"].flatMap { self.check($0, platforms: platforms) }
        if m["check"] == nil { fail(node, "rule '\(id)' has no `check:`") }
        let symptom = string(m["symptom"], "symptom", in: node) ?? ""
        let documented = string(m["documented-fix"], "documented-fix", in: node) ?? ""
        let least = string(m["least-privilege-fix"], "least-privilege-fix", in: node) ?? ""
        let warning = string(m["warning"], "warning", in: node, required: false)
        var remedy = Remedy.none
        if let r = string(m["remedy"], "remedy", in: node) {
            if let v = Remedy(rawValue: r) { remedy = v } else {
                fail(m["remedy"], "unknown remedy '\(r)': use \(Remedy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let sources = strings(m["sources"], "sources", in: node).map(\.0)
        guard errors.count == errorsBefore, let check else { return nil }
        return Rule(
            id: id, title: title, summary: summary, platforms: platforms, distributions: distributions, integrations: integrations,
            severity: severity, check: check, symptom: symptom, documentedFix: documented, leastPrivilegeFix: least, warning: warning,
            remedy: remedy, sources: sources, origin: "\(file):\((node.mark?.line ?? 0))")
    }

    static func isValidID(_ id: String) -> Bool {
        let parts = id.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 2 && parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } && part.first?.isLetter == true
        }
    }

    mutating func check(_ node: Node, platforms: Set<Platform>) -> RuleCheck? {
        guard let m = mapping(node, allowed: nil, context: "a check") else { return nil }
        guard let kind = string(m["kind"], "kind", in: node) else { return nil }
        func only(_ keys: Set<String>) -> Bool {
            var ok = true
            for (k, _) in m.pairs where !keys.contains(k) && k != "kind" {
                let near = keys.min { Self.distance($0, k) < Self.distance($1, k) }.flatMap { Self.distance($0, k) <= 3 ? "; did you mean '\($0)'?" : nil } ?? ""
                fail(m.keyNodes[k], "unknown key '\(k)' in a \(kind) check (it takes \(keys.sorted().joined(separator: ", "))\(near))")
                ok = false
            }
            return ok
        }
        func paths(_ key: String = "paths") -> [String] {
            let list = strings(m[key], key, in: node)
            for (p, n) in list {
                if !p.hasPrefix("/"), !p.hasPrefix(ConfigDir.variable + "/"), p != ConfigDir.variable { fail(n, "path '\(p)' must be absolute (or start with \(ConfigDir.variable)/)") }
                if !Glob.isValid(p) { fail(n, "bad glob '\(p)': a '[' is not closed") }
            }
            return list.map(\.0)
        }
        func capabilityNames(_ key: String) -> [String] {
            let list = strings(m[key], key, in: node, required: false)
            for (c, n) in list where Capability(name: c) == nil { fail(n, "unknown capability '\(c)' (see capabilities(7))") }
            return list.map { Capability(name: $0.0)?.name ?? $0.0 }
        }
        switch kind {
        case "path-access":
            _ = only(["paths", "access"])
            let p = paths()
            guard let a = string(m["access"], "access", in: node) else { return nil }
            guard let access = Access(rawValue: a) else {
                fail(m["access"], "unknown access '\(a)': use \(Access.helpText)")
                return nil
            }
            return .pathAccess(paths: p, access: access)
        case "mount-statfs":
            _ = only(["paths"])
            return .mountStatfs(paths: paths())
        case "group-membership":
            _ = only(["needed", "too-broad", "requires"])
            let needed = strings(m["needed"], "needed", in: node, required: false).map(\.0)
            let broad = strings(m["too-broad"], "too-broad", in: node, required: false).map(\.0)
            if needed.isEmpty == broad.isEmpty { fail(node, "a group-membership check takes `needed:` or `too-broad:` (one of them)") }
            return .groupMembership(needed: needed, tooBroad: broad, requires: m["requires"] == nil ? [] : paths("requires"))
        case "capabilities":
            _ = only(["needed", "too-broad"])
            let needed = capabilityNames("needed"), broad = capabilityNames("too-broad")
            if needed.isEmpty == broad.isEmpty { fail(node, "a capabilities check takes `needed:` or `too-broad:` (one of them)") }
            return .capabilities(needed: needed, tooBroad: broad)
        case "process-visibility":
            _ = only(["needed"])
            return .processVisibility(needed: capabilityNames("needed"))
        case "control-socket":
            _ = only(["paths"])
            return .controlSocket(paths: paths())
        case "requires-root":
            _ = only(["integrations", "blocking"])
            let list = strings(m["integrations"], "integrations", in: node).map(\.0)
            var blocking = false
            if let b = m["blocking"] {
                if let v = b.bool { blocking = v } else { fail(b, "`blocking:` must be true or false") }
            }
            return .requiresRoot(integrations: list, blocking: blocking)
        default:
            if let definition = CheckRegistry.kind(named: kind) {
                _ = only(definition.keys)
                return definedCheck(definition, node: node, map: m)
            }
            if kind.hasPrefix("windows-"), let k = WindowsCheckKind(rawValue: String(kind.dropFirst(8))) {
                _ = only(Set(k.fields))
                var fields: [String: String] = [:]
                for f in k.fields { fields[f] = string(m[f], f, in: node) }
                if !platforms.isEmpty, platforms != [.windows] { fail(node, "a \(kind) check belongs to `platforms: [windows]`") }
                return .windows(kind: k, fields: fields)
            }
            if kind.hasPrefix("macos-"), let k = MacOSCheckKind(rawValue: String(kind.dropFirst(6))) {
                _ = only(Set(k.fields))
                var fields: [String: String] = [:]
                for f in k.fields { fields[f] = string(m[f], f, in: node) }
                if let a = fields["access"], Access(rawValue: a) == nil { fail(m["access"], "unknown access '\(a)': use \(Access.helpText)") }
                if !platforms.isEmpty, platforms != [.macos] { fail(node, "a \(kind) check belongs to `platforms: [macos]`") }
                return .macos(kind: k, fields: fields)
            }
            let kinds = ["path-access", "mount-statfs", "group-membership", "capabilities", "process-visibility", "control-socket", "requires-root"]
                + WindowsCheckKind.allCases.map { "windows-" + $0.rawValue } + MacOSCheckKind.allCases.map { "macos-" + $0.rawValue }
                + CheckRegistry.kinds.map { $0.kind }
            fail(m["kind"], "unknown check kind '\(kind)': use one of \(kinds.joined(separator: ", "))")
            return nil
        }
    }

    /// A registered kind parses itself; its problems join this file's.
    mutating func definedCheck(_ definition: any CheckDefinition.Type, node: Node, map: KeyedNodes) -> RuleCheck? {
        var fields = CheckFields(parser: RuleFileParser(file: file), node: node, map: map)
        let parsed = definition.parse(&fields)
        errors += fields.parser.errors
        guard fields.parser.errors.isEmpty, let parsed else { return nil }
        return .defined(DefinedCheck(parsed))
    }

    // MARK: - Profiles

    mutating func profile(_ node: Node) -> Profile? {
        guard let m = mapping(node, allowed: ["name", "title", "user", "group", "unit", "default-integrations", "rules", "config-dir", "config-dir-env"], context: "a profile") else { return nil }
        let before = errors.count
        let name = string(m["name"], "name", in: node) ?? ""
        let title = string(m["title"], "title", in: node, required: false) ?? name
        let user = string(m["user"], "user", in: node) ?? ""
        let group = string(m["group"], "group", in: node) ?? ""
        let unit = string(m["unit"], "unit", in: node, required: false)
        let integrations = strings(m["default-integrations"], "default-integrations", in: node, required: false).map(\.0)
        let rules = strings(m["rules"], "rules", in: node).map(\.0)
        let configDir = string(m["config-dir"], "config-dir", in: node, required: false)
        if let configDir, !configDir.hasPrefix("/") { fail(m["config-dir"], "`config-dir:` must be an absolute path") }
        let configDirEnv = string(m["config-dir-env"], "config-dir-env", in: node, required: false)
        guard errors.count == before else { return nil }
        return Profile(
            name: name, title: title, user: user, group: group, unit: unit, defaultIntegrations: integrations, rules: rules,
            origin: "\(file):\(node.mark?.line ?? 0)", configDir: configDir, configDirEnv: configDirEnv)
    }

    // MARK: - Node helpers

    struct KeyedNodes {
        var pairs: [(String, Node)]
        var keyNodes: [String: Node]
        subscript(_ key: String) -> Node? { pairs.first { $0.0 == key }?.1 }
    }

    mutating func mapping(_ node: Node, allowed: Set<String>?, context: String) -> KeyedNodes? {
        guard case .mapping(let map) = node else {
            fail(node, "\(context) must be a mapping of keys to values")
            return nil
        }
        var out = KeyedNodes(pairs: [], keyNodes: [:])
        for (k, v) in map {
            guard let key = k.string else {
                fail(k, "keys must be plain words")
                continue
            }
            if out.keyNodes[key] != nil { fail(k, "key '\(key)' appears twice") }
            if let allowed, !allowed.contains(key) {
                let hint = allowed.min { Self.distance($0, key) < Self.distance($1, key) }.map { Self.distance($0, key) <= 3 ? " (did you mean '\($0)'?)" : "" } ?? ""
                fail(k, "unknown key '\(key)' in \(context)\(hint)")
                continue
            }
            out.pairs.append((key, v))
            out.keyNodes[key] = k
        }
        return out
    }

    mutating func string(_ node: Node?, _ key: String, in parent: Node, required: Bool = true) -> String? {
        guard let node else {
            if required { fail(parent, "missing `\(key):`") }
            return nil
        }
        guard case .scalar(let s) = node else {
            fail(node, "`\(key):` must be text, not a \(Self.shape(node))")
            return nil
        }
        if required, s.string.trimmingCharacters().isEmpty { fail(node, "`\(key):` is empty") }
        return s.string
    }

    mutating func strings(_ node: Node?, _ key: String, in parent: Node, required: Bool = true) -> [(String, Node)] {
        guard let node else {
            if required { fail(parent, "missing `\(key):`") }
            return []
        }
        guard case .sequence(let seq) = node else {
            fail(node, "`\(key):` must be a list, like [a, b]")
            return []
        }
        var out: [(String, Node)] = []
        for item in seq {
            guard case .scalar(let s) = item else {
                fail(item, "items of `\(key):` must be text")
                continue
            }
            out.append((s.string, item))
        }
        if required, out.isEmpty { fail(node, "`\(key):` is empty") }
        return out
    }

    static func shape(_ node: Node) -> String {
        switch node {
        case .mapping: "mapping"
        case .sequence: "list"
        default: "value"
        }
    }

    /// The lines (from 1) after `after` that are block sequence items holding only an alias (`- *name`).
    static func aliasItemLines(in text: String, after: Int) -> [Int] {
        var lines: [Int] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where i + 1 > after {
            let rest = line.drop { $0 == " " }
            guard rest.hasPrefix("-") else { continue }
            let item = rest.dropFirst().drop { $0 == " " }
            let word = item.split(separator: "#", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if word.hasPrefix("*"), word.count > 1, !word.contains(" ") { lines.append(i + 1) }
        }
        return lines
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    /// The line where `key` repeats in the block mapping whose first `key` is at `first` (that line when not found).
    static func repeatedKeyLine(_ key: String, first: Mark, in text: String) -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = first.column - 1
        var i = first.line
        while i < lines.count {
            let line = lines[i]
            let spaces = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(spaces)
            if !rest.isEmpty, !rest.hasPrefix("#") {
                if spaces < indent { break }
                if spaces == indent, rest.hasPrefix(key), rest.dropFirst(key.count).drop(while: { $0 == " " }).hasPrefix(":") { return i + 1 }
            }
            i += 1
        }
        return first.line
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }

    /// Edit distance, for "did you mean".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                let next = min(row[j] + 1, row[j - 1] + 1, previous + cost)
                previous = row[j]
                row[j] = next
            }
        }
        return row[b.count]
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
