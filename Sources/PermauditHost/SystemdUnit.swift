import PermauditCore

/// The credentials a systemd service unit runs with, read from its unit file and drop-ins on disk
/// (no systemctl needed): `User=`, `Group=`, `DynamicUser=`, `SupplementaryGroups=`, `AmbientCapabilities=`.
///
/// The files are read as systemd.syntax(7) and systemd.unit(5) say: a line ending in a backslash goes on
/// on the next line (comment lines inside are skipped), list values are split into words with quotes and
/// escapes, and a line that is neither a comment, a `[Section]` nor `Key=value` makes the file not a unit:
/// an error naming the file and line, never a unit judged as root.
public struct SystemdUnitCredentials: Sendable, Hashable {
    public var unit: String
    public var files: [String]
    public var user: String?
    public var group: String?
    /// `DynamicUser=yes`: systemd allocates a transient uid and gid when the unit starts.
    public var dynamicUser: Bool = false
    public var supplementaryGroups: [String]
    public var ambientCapabilities: CapabilitySet

    /// The folders systemd reads units from, highest precedence first.
    public static let searchPath = ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"]

    /// The range systemd allocates `DynamicUser=` ids from (61184–65519).
    public static let dynamicIDs: ClosedRange<UInt32> = 61184...65519

    public init(unit: String, files: [String], user: String?, group: String?, dynamicUser: Bool = false, supplementaryGroups: [String], ambientCapabilities: CapabilitySet) {
        self.unit = unit
        self.files = files
        self.user = user
        self.group = group
        self.dynamicUser = dynamicUser
        self.supplementaryGroups = supplementaryGroups
        self.ambientCapabilities = ambientCapabilities
    }

    /// `NAME` or `NAME.service` as systemd accepts a service's name (unit_name_is_valid): at most 255
    /// characters of letters, digits and `:-_.\`, one `@` at most (a template's instance), a non-empty name
    /// before the suffix. The full name, or nil when it is not one.
    public static func serviceName(_ name: String) -> String? {
        let full = name.hasSuffix(".service") ? name : name + ".service"
        let stem = full.dropLast(".service".count)
        guard !stem.isEmpty, full.utf8.count <= 255, !stem.hasPrefix("@") else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@".unicodeScalars)
        guard stem.unicodeScalars.allSatisfy(allowed.contains), stem.filter({ $0 == "@" }).count <= 1 else { return nil }
        if let at = stem.firstIndex(of: "@"), stem[stem.index(after: at)...].isEmpty { return nil }  // a bare template
        return full
    }

    /// Finds and reads a unit (`NAME` or `NAME.service`) and its `NAME.service.d/*.conf` drop-ins on a host.
    public static func load(_ name: String, on host: any Host) throws(HostError) -> SystemdUnitCredentials {
        guard let unit = serviceName(name) else {
            throw HostError("read unit", path: name, errno: .invalidArgument, hint: "not a service unit name as systemd accepts one (letters, digits and :-_.\\ with one @ at most, no /; e.g. elastic-agent or elastic-agent.service)")
        }
        var main: (String, String)?
        for dir in searchPath {
            if case .success(let text) = host.readTextFile(dir + "/" + unit) {
                main = (dir + "/" + unit, text)
                break
            }
        }
        guard let main else {
            throw HostError("find unit", path: unit, errno: .noSuchFileOrDirectory, hint: "no \(unit) under \(searchPath.joined(separator: ", ")); give --user instead, or check the unit's name")
        }
        var texts = [main]
        var dropIns: [String: (String, String)] = [:]
        for dir in searchPath.reversed() {
            let d = dir + "/" + unit + ".d"
            if case .success(let names) = host.listDirectory(d) {
                for n in names where n.hasSuffix(".conf") {
                    if case .success(let t) = host.readTextFile(d + "/" + n) { dropIns[n] = (d + "/" + n, t) }
                }
            }
        }
        texts += dropIns.keys.sorted().compactMap { dropIns[$0] }
        return try parse(unit: unit, files: texts)
    }

    /// Applies the files in order, as systemd does: later assignments win; an empty list assignment resets.
    /// - Throws: `HostError` naming `file:line` when a file is not a unit file.
    public static func parse(unit: String, files: [(path: String, text: String)]) throws(HostError) -> SystemdUnitCredentials {
        var creds = SystemdUnitCredentials(unit: unit, files: files.map(\.path), user: nil, group: nil, supplementaryGroups: [], ambientCapabilities: .empty)
        for (path, text) in files {
            var section = ""
            for (lineNumber, line) in try logicalLines(text, path: path) {
                if line.hasPrefix("[") {
                    guard line.hasSuffix("]"), line.count > 2 else { throw notAUnit(path, lineNumber, "a section header is [Name]") }
                    section = line
                    continue
                }
                guard let eq = line.firstIndex(of: "=") else { throw notAUnit(path, lineNumber, "a line is a comment, a [Section] or Key=value") }
                let key = String(line[..<eq]).trimmingCharacters(in: " \t")
                guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." }) else {
                    throw notAUnit(path, lineNumber, "'\(key)' is not a key")
                }
                guard !section.isEmpty else { throw notAUnit(path, lineNumber, "Key=value before any [Section]") }
                guard section == "[Service]" else { continue }
                let value = String(line[line.index(after: eq)...]).trimmingCharacters(in: " \t")
                switch key {
                case "User": creds.user = value.isEmpty ? nil : value
                case "Group": creds.group = value.isEmpty ? nil : value
                case "DynamicUser":
                    guard let yes = boolean(value) else { throw notAUnit(path, lineNumber, "DynamicUser= takes yes or no, not '\(value)'") }
                    creds.dynamicUser = yes
                case "SupplementaryGroups":
                    let words = try Self.words(value, path: path, line: lineNumber)
                    if words.isEmpty { creds.supplementaryGroups = [] } else { creds.supplementaryGroups += words }
                case "AmbientCapabilities":
                    let words = try Self.words(value, path: path, line: lineNumber)
                    if words.isEmpty { creds.ambientCapabilities = .empty; continue }
                    let inverted = value.hasPrefix("~")
                    let set = CapabilitySet(words.compactMap { Capability(name: $0.hasPrefix("~") ? String($0.dropFirst()) : $0) })
                    creds.ambientCapabilities = inverted ? CapabilitySet.full.subtracting(set) : creds.ambientCapabilities.union(set)
                default: continue
                }
            }
        }
        return creds
    }

    static func notAUnit(_ path: String, _ line: Int, _ why: String) -> HostError {
        HostError("read unit", path: "\(path):\(line)", errno: .invalidArgument, hint: "not a systemd unit file: \(why)")
    }

    /// systemd's booleans (parse_boolean).
    static func boolean(_ v: String) -> Bool? {
        switch v.lowercased() {
        case "1", "yes", "y", "true", "t", "on": true
        case "0", "no", "n", "false", "f", "off": false
        default: nil
        }
    }

    /// The file's lines as systemd reads them: comments and blank lines dropped, a trailing backslash
    /// joining the next line with a space (comment lines inside a continuation skipped), with the number
    /// of the line each starts on.
    static func logicalLines(_ text: String, path: String) throws(HostError) -> [(Int, String)] {
        if text.utf8.contains(0) { throw notAUnit(path, 1, "it holds a NUL byte") }
        var out: [(Int, String)] = []
        var pending: (Int, String)?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if pending != nil, line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if pending == nil, line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            var joined = pending.map { $0.1 + " " } ?? ""
            let start = pending?.0 ?? i + 1
            if line.hasSuffix("\\") {
                joined += line.dropLast()
                pending = (start, joined)
                continue
            }
            joined += line
            pending = nil
            out.append((start, joined.trimmingCharacters(in: " \t")))
        }
        if let pending { out.append((pending.0, pending.1.trimmingCharacters(in: " \t"))) }
        return out
    }

    /// A list value split as systemd's extract_first_word with unquoting: words apart by whitespace,
    /// `"…"` and `'…'` quote, a backslash escapes the next character.
    static func words(_ value: String, path: String, line: Int) throws(HostError) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in value {
            if escaped { word.append(c); escaped = false; inWord = true; continue }
            if c == "\\" { escaped = true; inWord = true; continue }
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
                continue
            }
            if c == "\"" || c == "'" { quote = c; inWord = true; continue }
            if c == " " || c == "\t" {
                if inWord { words.append(word); word = ""; inWord = false }
                continue
            }
            word.append(c)
            inWord = true
        }
        if quote != nil || escaped { throw notAUnit(path, line, "an unterminated quote or escape in '\(value)'") }
        if inWord { words.append(word) }
        return words
    }
}
