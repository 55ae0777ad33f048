/// A malformed `ls -le` ACL line: where it came from and what is wrong.
public struct MacACLParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `facts.json:42` or `item system-log line 3`: whatever the caller named the source.
    public var location: String
    public var message: String
    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): \(message)" }
}

/// Reads the extended ACL entries `ls -le` prints under a file's line, and the entry text `chmod +a` takes.
///
/// `ls -le` prints one entry a line: ` 0: group:elastic-agent allow read`, ` 1: user:alice inherited deny
/// write,append`, a bare UUID when the name cannot be resolved, or (chmod(1)'s examples) a bare name. The qualifier may hold spaces (a user
/// named `John Smith`), so the line is read from its right end: the rights, `allow` or `deny`, an optional
/// `inherited`, and what is left is the qualifier.
public enum MacACLParser {
    /// Parses the entry lines; `location(i)` names line i (0-based) for errors.
    public static func parse(lines: [String], location: (Int) -> String) throws(MacACLParseError) -> MacACL {
        var entries: [MacACLEntry] = []
        var last = -1
        for (i, raw) in lines.enumerated() {
            var line = Substring(raw)
            while line.first == " " || line.first == "\t" { line = line.dropFirst() }
            if line.isEmpty || line.hasPrefix("owner:") { continue }  // chmod(1)'s examples print `owner: juser`
            guard let colon = line.firstIndex(of: ":"), line[..<colon].allSatisfy(\.isNumber), colon > line.startIndex else {
                throw MacACLParseError(location: location(i), message: "`\(raw)` is not an `ls -le` ACL line (` N: QUALIFIER allow|deny RIGHTS`)")
            }
            let index = Int(line[..<colon]) ?? -1
            if index <= last {
                throw MacACLParseError(location: location(i), message: "entry number \(index) out of order (after \(last)): the ACL lines must be given in full, in order")
            }
            last = index
            do throws(MacACLParseError) {
                entries.append(try entry(String(line[line.index(after: colon)...])))
            } catch {
                throw MacACLParseError(location: location(i), message: error.message)
            }
        }
        return MacACL(entries)
    }

    /// Parses one entry, without the ` N:` prefix: `group:elastic-agent allow read,readattr,file_inherit`.
    public static func entry(_ text: String) throws(MacACLParseError) -> MacACLEntry {
        var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func fail(_ m: String) -> MacACLParseError { MacACLParseError(location: "", message: m) }
        guard words.count >= 3 else { throw fail("`\(text)` needs a qualifier, allow or deny, and rights") }
        let rightsWord = words.removeLast()
        let kindWord = words.removeLast()
        guard let kind = MacACLEntry.Kind(rawValue: kindWord) else {
            throw fail("`\(kindWord)` is neither allow nor deny in `\(text)`")
        }
        var flags: MacInheritance = []
        if words.last == "inherited" {
            flags.insert(.inherited)
            words.removeLast()
        }
        guard !words.isEmpty else { throw fail("`\(text)` names no user or group") }
        let qualifier = try qualifier(words.joined(separator: " "))
        var rights: MacRights = []
        for w in rightsWord.split(separator: ",").map(String.init) {
            if let r = MacRights(word: w) { rights.insert(r) }
            else if let f = MacInheritance(word: w) { flags.insert(f) }
            else { throw fail("unknown right `\(w)` (chmod(1) names read, write, append, execute, delete, readattr, writeattr, readextattr, writeextattr, readsecurity, writesecurity, chown, list, search, add_file, add_subdirectory, delete_child and the flags file_inherit, directory_inherit, limit_inherit, only_inherit)") }
        }
        return MacACLEntry(qualifier: qualifier, kind: kind, rights: rights, flags: flags)
    }

    static func qualifier(_ text: String) throws(MacACLParseError) -> MacACLEntry.Qualifier {
        if text.hasPrefix("user:") {
            let name = String(text.dropFirst(5))
            if name.isEmpty { throw MacACLParseError(location: "", message: "`user:` with no name") }
            return isUUID(name) ? .userUUID(name.uppercased()) : .user(name)
        }
        if text.hasPrefix("group:") {
            let name = String(text.dropFirst(6))
            if name.isEmpty { throw MacACLParseError(location: "", message: "`group:` with no name") }
            return isUUID(name) ? .groupUUID(name.uppercased()) : .group(name)
        }
        if isUUID(text) { return .uuid(text.uppercased()) }
        return .name(text)
    }

    /// `ABCDEFAB-CDEF-ABCD-EFAB-CDEF00000050`: 8-4-4-4-12 hex digits.
    public static func isUUID(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
