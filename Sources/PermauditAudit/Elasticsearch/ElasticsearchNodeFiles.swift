import PermauditHost
import Yams

/// An Elasticsearch node's security files in its config folder (`$ES_PATH_CONF`), read through the host
/// and parsed with their line numbers: `elasticsearch.yml`, `operator_users.yml`, the file realm's
/// `users` and `users_roles`, and `roles.yml`.
public struct ElasticsearchNodeFiles: Sendable {
    public enum Text: Sendable, Hashable {
        case text(String)
        case missing
        case unreadable(String)

        var string: String? { if case .text(let s) = self { s } else { nil } }
    }

    public let configDir: String
    public let settingsFile: Text
    public let operatorUsersFile: Text
    public let usersFile: Text
    public let usersRolesFile: Text
    public let rolesFile: Text

    public static let fileNames = ["elasticsearch.yml", "operator_users.yml", "users", "users_roles", "roles.yml"]

    /// Reads the files through the host (a rooted host stays inside its folder).
    public init(host: any Host, configDir: String) {
        var texts: [String: Text] = [:]
        for name in Self.fileNames {
            switch host.readTextFile(Self.join(configDir, name)) {
            case .success(let s): texts[name] = .text(s)
            case .failure(let e): texts[name] = e.errno == .noSuchFileOrDirectory ? .missing : .unreadable(e.description)
            }
        }
        self.init(configDir: configDir, texts: texts)
    }

    /// The files as given (absent names are missing): for tests and facts gathered elsewhere.
    public init(configDir: String, texts: [String: Text]) {
        self.configDir = configDir
        settingsFile = texts["elasticsearch.yml"] ?? .missing
        operatorUsersFile = texts["operator_users.yml"] ?? .missing
        usersFile = texts["users"] ?? .missing
        usersRolesFile = texts["users_roles"] ?? .missing
        rolesFile = texts["roles.yml"] ?? .missing
    }

    public func path(_ name: String) -> String { Self.join(configDir, name) }

    static func join(_ dir: String, _ name: String) -> String { dir.hasSuffix("/") ? dir + name : dir + "/" + name }

    // MARK: - elasticsearch.yml

    /// A setting's value and line, whether written flat (`a.b.c: v`) or nested.
    public struct Setting: Sendable, Hashable {
        public var value: String
        public var line: Int
    }

    public static let operatorPrivilegesKey = "xpack.security.operator_privileges.enabled"

    /// Every scalar setting of a YAML text, keys joined with dots; nil when it does not parse.
    static func settings(_ text: String) -> [String: Setting]? {
        guard let node = try? Yams.compose(yaml: text) else { return text.esTrimmed(" \n\t").isEmpty ? [:] : nil }
        var out: [String: Setting] = [:]
        func walk(_ n: Node, _ prefix: String) {
            switch n {
            case .mapping(let m):
                for (k, v) in m {
                    guard let key = k.string else { continue }
                    walk(v, prefix.isEmpty ? key : prefix + "." + key)
                }
            case .scalar(let s):
                out[prefix] = Setting(value: s.string, line: n.mark?.line ?? 1)
            default:
                break
            }
        }
        walk(node, "")
        return out
    }

    /// The operator-privileges setting: its value and line, nil when not set; `.failure` when the file does not parse.
    public var operatorPrivileges: Result<Setting?, LineProblem> {
        guard let text = settingsFile.string else { return .success(nil) }
        guard let s = Self.settings(text) else { return .failure(LineProblem(file: path("elasticsearch.yml"), line: 1, message: "elasticsearch.yml is not valid YAML")) }
        return .success(s[Self.operatorPrivilegesKey])
    }

    public var operatorPrivilegesEnabled: Bool {
        if case .success(let s?) = operatorPrivileges { return s.value.lowercased() == "true" }
        return false
    }

    // MARK: - operator_users.yml

    public struct LineProblem: Error, Sendable, Hashable {
        public var file: String
        public var line: Int
        public var message: String
        public var location: String { "\(file):\(line)" }
    }

    public struct OperatorGroup: Sendable, Hashable {
        public var line: Int
        public var usernames: [(name: String, line: Int)]
        public static func == (a: OperatorGroup, b: OperatorGroup) -> Bool { a.line == b.line && a.usernames.map(\.name) == b.usernames.map(\.name) }
        public func hash(into h: inout Hasher) { h.combine(line); h.combine(usernames.map(\.name)) }
    }

    /// The groups of criteria and every problem (the documented rules: a fixed top key `operator`, a list of
    /// groups, `usernames` mandatory, `realm_type` only `file`, `auth_type` only `realm`).
    public func operatorUsers() -> (groups: [OperatorGroup], problems: [LineProblem])? {
        guard let text = operatorUsersFile.string else { return nil }
        let file = path("operator_users.yml")
        var problems: [LineProblem] = []
        func problem(_ n: Node?, _ m: String) { problems.append(LineProblem(file: file, line: n?.mark?.line ?? 1, message: m)) }
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else {
                return ([], [LineProblem(file: file, line: 1, message: "operator_users.yml is empty: it needs `operator:` and a list of groups, each with `usernames`")])
            }
            root = n
        } catch let e as YamlError {
            return ([], [LineProblem(file: file, line: Self.line(of: e), message: "operator_users.yml is not valid YAML: \(e)")])
        } catch {
            return ([], [LineProblem(file: file, line: 1, message: "operator_users.yml is not valid YAML: \(error)")])
        }
        guard case .mapping(let top) = root else {
            problem(root, "operator_users.yml must be a mapping with the fixed key `operator:`")
            return ([], problems)
        }
        var groups: [OperatorGroup] = []
        var sawOperator = false
        for (k, v) in top {
            guard k.string == "operator" else {
                problem(k, "unknown key '\(k.string ?? "?")': the file's only key is `operator`")
                continue
            }
            sawOperator = true
            guard case .sequence(let list) = v else {
                problem(v, "`operator:` must be a list of groups of criteria, each with `usernames`")
                continue
            }
            for item in list {
                guard case .mapping(let g) = item else {
                    problem(item, "each group of `operator:` must be a mapping with `usernames`")
                    continue
                }
                var group = OperatorGroup(line: item.mark?.line ?? 1, usernames: [])
                var sawUsernames = false
                for (gk, gv) in g {
                    switch gk.string {
                    case "usernames":
                        sawUsernames = true
                        switch gv {
                        case .sequence(let names):
                            for n in names {
                                if let s = n.string, !s.isEmpty { group.usernames.append((s, n.mark?.line ?? group.line)) } else { problem(n, "a user name must be text") }
                            }
                        case .scalar(let s) where !s.string.isEmpty:
                            group.usernames.append((s.string, gv.mark?.line ?? group.line))
                        default:
                            problem(gv, "`usernames` must be a list of user names")
                        }
                        if group.usernames.isEmpty { problem(gv, "`usernames` is empty: this group designates no operator") }
                    case "realm_type":
                        if gv.string != "file" { problem(gv, "realm_type '\(gv.string ?? "?")': the only acceptable value is `file` (operator users come from the file realm)") }
                    case "auth_type":
                        if gv.string != "realm" { problem(gv, "auth_type '\(gv.string ?? "?")': the only acceptable value is `realm`") }
                    case let other:
                        problem(gk, "unknown field '\(other ?? "?")' in a group of criteria (it takes usernames, realm_type, auth_type)")
                    }
                }
                if !sawUsernames { problem(item, "this group of criteria has no `usernames` (the field is mandatory)") }
                groups.append(group)
            }
        }
        if !sawOperator { problem(root, "operator_users.yml has no `operator:` key") }
        return (groups, problems)
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    // MARK: - The file realm

    /// `users`: `name:hash` lines; the names and their lines.
    public var users: [String: Int] {
        var out: [String: Int] = [:]
        for (i, line) in Self.lines(usersFile.string) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = i
        }
        return out
    }

    public struct RoleAssignment: Sendable, Hashable {
        public var role: String
        public var users: [String]
        public var line: Int
    }

    /// `users_roles`: `role:user1,user2` lines.
    public var usersRoles: [RoleAssignment] {
        Self.lines(usersRolesFile.string).compactMap { i, line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let users = line[line.index(after: colon)...].split(separator: ",").map { $0.esTrimmed(" \t") }.filter { !$0.isEmpty }
            return RoleAssignment(role: line[..<colon].esTrimmed(" \t"), users: users, line: i)
        }
    }

    /// The roles of one file-realm user.
    public func roles(of user: String) -> [RoleAssignment] { usersRoles.filter { $0.users.contains(user) } }

    public struct RoleDefinition: Sendable, Hashable {
        public var line: Int
        /// `run_as` names and the line they are on.
        public var runAs: [String]
        public var runAsLine: Int?
    }

    /// `roles.yml`: each role's line and its `run_as`.
    public var roleDefinitions: [String: RoleDefinition] {
        guard let text = rolesFile.string, let node = try? Yams.compose(yaml: text), case .mapping(let m) = node else { return [:] }
        var out: [String: RoleDefinition] = [:]
        for (k, v) in m {
            guard let name = k.string else { continue }
            var def = RoleDefinition(line: k.mark?.line ?? 1, runAs: [], runAsLine: nil)
            if case .mapping(let body) = v, let ra = body["run_as"] {
                def.runAsLine = ra.mark?.line
                if case .sequence(let names) = ra { def.runAs = names.compactMap(\.string) } else if let s = ra.string { def.runAs = [s] }
            }
            out[name] = def
        }
        return out
    }

    /// Non-blank, non-comment lines with their 1-based numbers.
    static func lines(_ text: String?) -> [(Int, String)] {
        guard let text else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, l in
            let s = l.esTrimmed(" \t\r")
            return s.isEmpty || s.hasPrefix("#") ? nil : (i + 1, s)
        }
    }
}

extension Substring {
    func esTrimmed(_ set: String) -> String { String(self).esTrimmed(set) }
}

extension String {
    func esTrimmed(_ set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
