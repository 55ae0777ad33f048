import Foundation

/// `exclude_files`: Go (RE2) regular expressions searched in the whole path of each file a glob matched;
/// a file any of them matches is not opened.
///
/// They run here on ICU (`NSRegularExpression`), translated where the two differ:
/// - `$` (outside a class, without `(?m)`) is RE2's end of text; ICU's also matches before a final line
///   break, so it becomes `\z` (a file name may end in a newline).
/// - `(?P<name>…)` is RE2's named group; ICU spells it `(?<name>…)`.
/// - What RE2 refuses (look-around, back references, atomic groups, possessive repeats, `\Z`) the agent
///   refuses too: an invalid pattern. RE2's `(?U)` (ungreedy) and `\C` have no ICU form: not interpreted.
/// - Names that are not valid UTF-8 are matched with each bad byte as U+FFFD, as Go reads them.
public enum ExcludeFiles {
    public struct InvalidPattern: Error, Hashable, Sendable, CustomStringConvertible {
        public var pattern: String
        public var reason: String
        public var description: String { "exclude pattern '\(pattern)': \(reason)" }
    }

    /// One compiled pattern.
    public struct Pattern: Sendable {
        public let source: String
        let regex: NSRegularExpression

        public init(_ source: String) throws(InvalidPattern) {
            self.source = source
            let translated = try ExcludeFiles.translate(source)
            do {
                regex = try NSRegularExpression(pattern: translated, options: [])
            } catch {
                throw InvalidPattern(pattern: source, reason: "not a valid regular expression")
            }
        }

        /// Whether the pattern occurs anywhere in the path.
        public func matches(_ path: [UInt8]) -> Bool {
            let text = String(decoding: path, as: UTF8.self)
            return regex.firstMatch(in: text, options: [], range: NSRange(text.startIndex..., in: text)) != nil
        }
    }

    /// RE2 syntax to ICU syntax (see the type's notes), or why the pattern is refused.
    static func translate(_ source: String) throws(InvalidPattern) -> String {
        let s = Array(source.unicodeScalars)
        var out = ""
        var i = 0
        var inClass = false
        let multiline = source.contains("(?m") || source.range(of: #"\(\?[a-zA-Z]*m"#, options: .regularExpression) != nil
        func refuse(_ why: String) -> InvalidPattern { InvalidPattern(pattern: source, reason: why) }
        while i < s.count {
            let c = s[i]
            if c == "\\" {
                guard i + 1 < s.count else { throw refuse("ends in a lone backslash") }
                let n = s[i + 1]
                if !inClass, ("1"..."9").contains(n) { throw refuse("back references (\\\(n)) are not RE2 syntax: the agent refuses this pattern") }
                if n == "Z" { throw refuse("\\Z is not RE2 syntax (use \\z or $)") }
                if n == "C" { throw refuse("\\C (any byte) has no equivalent here: not interpreted") }
                out.unicodeScalars.append(c)
                out.unicodeScalars.append(n)
                i += 2
                continue
            }
            if inClass {
                if c == "[", i + 1 < s.count, s[i + 1] == ":" {
                    // [:alpha:] inside a class: copy through to its closing ":]".
                    var j = i + 2
                    while j + 1 < s.count, !(s[j] == ":" && s[j + 1] == "]") { j += 1 }
                    for k in i..<min(j + 2, s.count) { out.unicodeScalars.append(s[k]) }
                    i = j + 2
                    continue
                }
                if c == "]" { inClass = false }
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            switch c {
            case "[":
                inClass = true
                out.unicodeScalars.append(c)
                i += 1
                // A leading ] (or ^]) is a literal member.
                if i < s.count, s[i] == "^" { out.unicodeScalars.append("^"); i += 1 }
                if i < s.count, s[i] == "]" { out += "\\]"; i += 1 }
            case "(":
                if i + 2 < s.count, s[i + 1] == "?" {
                    let n = s[i + 2]
                    if n == "=" || n == "!" { throw refuse("look-ahead is not RE2 syntax: the agent refuses this pattern") }
                    if n == "<", i + 3 < s.count, s[i + 3] == "=" || s[i + 3] == "!" { throw refuse("look-behind is not RE2 syntax: the agent refuses this pattern") }
                    if n == ">" { throw refuse("atomic groups are not RE2 syntax: the agent refuses this pattern") }
                    if n == "P", i + 3 < s.count, s[i + 3] == "<" {
                        out += "(?<"
                        i += 4
                        continue
                    }
                    // Flags: RE2 knows i, m, s, U; ICU has no U.
                    var j = i + 2
                    while j < s.count, s[j] != ")", s[j] != ":" {
                        if s[j] == "U" { throw refuse("(?U) (ungreedy) has no equivalent here: not interpreted") }
                        j += 1
                    }
                }
                out.unicodeScalars.append(c)
                i += 1
            case "$":
                out += multiline ? "$" : "\\z"
                i += 1
            case "*", "+", "?", "}":
                out.unicodeScalars.append(c)
                i += 1
                if i < s.count, s[i] == "+" { throw refuse("possessive repeats (\(c)+) are not RE2 syntax: the agent refuses this pattern") }
            default:
                out.unicodeScalars.append(c)
                i += 1
            }
        }
        if inClass { throw refuse("a '[' is never closed") }
        return out
    }

    /// Whether any of the patterns matches the path.
    public static func excludes(_ patterns: [Pattern], _ path: [UInt8]) -> Pattern? {
        patterns.first { $0.matches(path) }
    }
}
