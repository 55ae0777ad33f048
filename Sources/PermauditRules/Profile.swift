/// A service described for the audit: who it runs as, which unit starts it, which integrations are on.
public struct Profile: Sendable, Hashable {
    public var name: String
    public var title: String
    public var user: String
    public var group: String
    /// The systemd unit, if the service has one: its credentials win over `user`/`group` when it exists.
    public var unit: String?
    /// The integrations a default install turns on. Without `--integration`, every access rule still
    /// applies (the audit is not narrowed); only `requires-root` reads this list, to say which enabled
    /// integrations an unprivileged agent cannot run.
    public var defaultIntegrations: [String]
    /// Rule id patterns (`linux.*`, `*`) the profile audits; `!pattern` leaves matching ids out.
    public var rules: [String]
    public var origin: String
    /// The service's configuration folder (`${config-dir}` in rule paths), and the environment variable
    /// that moves it (`ES_PATH_CONF`); `--config-dir` wins over both.
    public var configDir: String?
    public var configDirEnv: String?

    public init(
        name: String, title: String, user: String, group: String, unit: String?, defaultIntegrations: [String], rules: [String], origin: String,
        configDir: String? = nil, configDirEnv: String? = nil
    ) {
        self.configDir = configDir
        self.configDirEnv = configDirEnv
        self.name = name
        self.title = title
        self.user = user
        self.group = group
        self.unit = unit
        self.defaultIntegrations = defaultIntegrations
        self.rules = rules
        self.origin = origin
    }

    /// Whether a rule id is in the profile (`*` matches any run of characters).
    public func includes(ruleID id: String) -> Bool {
        rules.contains { !$0.hasPrefix("!") && Glob.matches($0, id) } && !rules.contains { $0.hasPrefix("!") && Glob.matches(String($0.dropFirst()), id) }
    }
}

/// Shell-style patterns: `*`, `?`, `[abc]`, `[!a-z]`, matched against one name (no `/` handling here).
public enum Glob {
    public static func hasMagic(_ pattern: String) -> Bool { pattern.contains { "*?[".contains($0) } }

    public static func matches(_ pattern: String, _ name: String) -> Bool {
        matches(Array(pattern.unicodeScalars), 0, Array(name.unicodeScalars), 0)
    }

    private static func matches(_ p: [Unicode.Scalar], _ pi: Int, _ s: [Unicode.Scalar], _ si: Int) -> Bool {
        var pi = pi, si = si
        while pi < p.count {
            switch p[pi] {
            case "*":
                while pi < p.count, p[pi] == "*" { pi += 1 }
                if pi == p.count { return true }
                for k in si...s.count where matches(p, pi, s, k) { return true }
                return false
            case "?":
                guard si < s.count else { return false }
                pi += 1
                si += 1
            case "[":
                guard si < s.count, let (matched, next) = bracket(p, pi, s[si]) else { return false }
                if !matched { return false }
                pi = next
                si += 1
            default:
                guard si < s.count, p[pi] == s[si] else { return false }
                pi += 1
                si += 1
            }
        }
        return si == s.count
    }

    /// Matches one character against `[...]`; nil when the bracket is not closed.
    private static func bracket(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == "!" || p[i] == "^" { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count, p[i] != "]" || first {
            first = false
            if i + 2 < p.count, p[i + 1] == "-", p[i + 2] != "]" {
                if p[i].value <= c.value && c.value <= p[i + 2].value { matched = true }
                i += 3
            } else {
                if p[i] == c { matched = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (matched != negate, i + 1)
    }

    /// Whether a pattern is well formed (every `[` closed).
    public static func isValid(_ pattern: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        var i = 0
        while i < p.count {
            if p[i] == "[" {
                guard bracket(p, i, "a") != nil else { return false }
                var j = i + 1
                if j < p.count, p[j] == "!" || p[j] == "^" { j += 1 }
                j += 1
                while j < p.count, p[j] != "]" { j += 1 }
                i = j + 1
            } else {
                i += 1
            }
        }
        return true
    }
}
