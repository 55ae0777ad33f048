/// A `condition:` of an input or stream (`${host.platform} == 'linux'`): the agent runs the input only when
/// it holds. permaudit evaluates comparisons of variables it knows (the host's platform, architecture, name)
/// joined by `and`, `or`, `not` and parentheses; anything else is unknown, with the variable or part named.
public enum PolicyCondition {
    public enum Outcome: Hashable, Sendable {
        case holds
        case fails
        /// Why it cannot be told: `${kubernetes.namespace} is not known on this host`.
        case unknown(String)
    }

    /// Evaluates a condition with the variables the host can resolve.
    public static func evaluate(_ text: String, variables: [String: String]) -> Outcome {
        var p = Parser(tokens: tokenize(text), variables: variables)
        let value = p.expression()
        if let error = p.error { return .unknown(error) }
        if p.index < p.tokens.count { return .unknown("cannot read '\(p.tokens[p.index].text)' in the condition") }
        switch value {
        case .bool(let b): return b ? .holds : .fails
        case .unknown(let why): return .unknown(why)
        case .text(let t): return .unknown("the condition is the value '\(t)', not a comparison")
        }
    }

    /// The variables of this host that conditions use.
    public static func hostVariables(platform: String, architecture: String? = nil, hostname: String? = nil) -> [String: String] {
        var v = ["host.platform": platform, "host.os.platform": platform]
        if let architecture { v["host.architecture"] = architecture }
        if let hostname { v["host.name"] = hostname; v["host.hostname"] = hostname }
        return v
    }

    struct Token: Equatable {
        enum Kind: Equatable { case variable, string, word, op, open, close }
        var kind: Kind
        var text: String
    }

    static func tokenize(_ s: String) -> [Token] {
        let c = Array(s)
        var out: [Token] = []
        var i = 0
        while i < c.count {
            let ch = c[i]
            if ch.isWhitespace { i += 1; continue }
            if ch == "$", i + 1 < c.count, c[i + 1] == "{" {
                var j = i + 2
                while j < c.count, c[j] != "}" { j += 1 }
                out.append(Token(kind: .variable, text: String(c[(i + 2)..<min(j, c.count)])))
                i = j + 1
            } else if ch == "'" || ch == "\"" {
                var j = i + 1
                while j < c.count, c[j] != ch { j += 1 }
                out.append(Token(kind: .string, text: String(c[(i + 1)..<min(j, c.count)])))
                i = j + 1
            } else if ch == "(" || ch == ")" {
                out.append(Token(kind: ch == "(" ? .open : .close, text: String(ch)))
                i += 1
            } else if "=!<>&|".contains(ch) {
                var j = i
                while j < c.count, "=!<>&|".contains(c[j]) { j += 1 }
                out.append(Token(kind: .op, text: String(c[i..<j])))
                i = j
            } else {
                var j = i
                while j < c.count, !c[j].isWhitespace, !"()=!<>&|'\"".contains(c[j]) { j += 1 }
                if j == i { j += 1 }
                out.append(Token(kind: .word, text: String(c[i..<j])))
                i = j
            }
        }
        return out
    }

    enum Value: Equatable {
        case bool(Bool)
        case text(String)
        case unknown(String)
    }

    struct Parser {
        var tokens: [Token]
        var variables: [String: String]
        var index = 0
        var error: String?

        init(tokens: [Token], variables: [String: String]) {
            self.tokens = tokens
            self.variables = variables
        }

        func peek(_ words: Set<String>) -> Bool {
            guard index < tokens.count else { return false }
            return words.contains(tokens[index].text.lowercased())
        }

        mutating func expression() -> Value {
            var left = conjunction()
            while peek(["or", "||"]) {
                index += 1
                let right = conjunction()
                left = Self.combine(left, right, and: false)
            }
            return left
        }

        mutating func conjunction() -> Value {
            var left = factor()
            while peek(["and", "&&"]) {
                index += 1
                let right = factor()
                left = Self.combine(left, right, and: true)
            }
            return left
        }

        static func combine(_ a: Value, _ b: Value, and: Bool) -> Value {
            switch (a, b) {
            case (.bool(let x), .bool(let y)): return .bool(and ? x && y : x || y)
            case (.bool(let x), _) where x != and: return .bool(x)
            case (_, .bool(let y)) where y != and: return .bool(y)
            case (.unknown(let w), _), (_, .unknown(let w)): return .unknown(w)
            default: return .unknown("'and'/'or' joins values that are not comparisons")
            }
        }

        mutating func factor() -> Value {
            guard index < tokens.count else { error = error ?? "the condition ends too early"; return .unknown("incomplete") }
            if peek(["not", "!"]) {
                index += 1
                switch factor() {
                case .bool(let b): return .bool(!b)
                case let other: return other
                }
            }
            if tokens[index].kind == .open {
                index += 1
                let v = expression()
                if index < tokens.count, tokens[index].kind == .close { index += 1 } else { error = error ?? "a '(' is never closed" }
                return v
            }
            let left = operand()
            guard index < tokens.count, tokens[index].kind == .op, ["==", "!=", "<", ">", "<=", ">="].contains(tokens[index].text) else { return left }
            let op = tokens[index].text
            index += 1
            let right = operand()
            switch (left, right) {
            case (.text(let a), .text(let b)):
                switch op {
                case "==": return .bool(a == b)
                case "!=": return .bool(a != b)
                default:
                    if let x = Double(a), let y = Double(b) {
                        return .bool(op == "<" ? x < y : op == ">" ? x > y : op == "<=" ? x <= y : x >= y)
                    }
                    return .unknown("'\(op)' compares '\(a)' and '\(b)', which are not numbers")
                }
            case (.unknown(let w), _), (_, .unknown(let w)): return .unknown(w)
            default: return .unknown("'\(op)' compares values that are not text")
            }
        }

        mutating func operand() -> Value {
            guard index < tokens.count else { error = error ?? "the condition ends too early"; return .unknown("incomplete") }
            let t = tokens[index]
            index += 1
            switch t.kind {
            case .variable:
                let name = t.text.split(separator: "|").first.map { String($0).trimmingSpaces } ?? t.text
                if let v = variables[name] { return .text(v) }
                return .unknown("${\(name)} is not known on this host (permaudit resolves \(variables.keys.sorted().map { "${\($0)}" }.joined(separator: ", ")))")
            case .string: return .text(t.text)
            case .word:
                if t.text == "true" { return .bool(true) }
                if t.text == "false" { return .bool(false) }
                if index < tokens.count, tokens[index].kind == .open {
                    // A function (arrayContains, hasKey, ...): skip its arguments, say which.
                    var depth = 0
                    while index < tokens.count {
                        if tokens[index].kind == .open { depth += 1 }
                        if tokens[index].kind == .close { depth -= 1; if depth == 0 { index += 1; break } }
                        index += 1
                    }
                    return .unknown("the function \(t.text)() is not evaluated by permaudit")
                }
                return .text(t.text)
            default:
                error = error ?? "unexpected '\(t.text)'"
                return .unknown("unexpected '\(t.text)'")
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
