import PermauditCore
import PermauditHost
import PermauditRules

/// Where an object that is not a path is defined, so that every SARIF result points at a file (GitHub
/// code scanning refuses a result without `physicalLocation.artifactLocation.uri`):
///
/// - a group: its line in the host's `/etc/group`;
/// - the capabilities of a unit's principal: the unit file (or drop-in) that sets `AmbientCapabilities=`,
///   of a process's principal: the `CapEff:` line of `/proc/PID/status`;
/// - anything else (a Windows channel, a registry key, the integrations that need root): the rule's own file.
enum DefiningFile {
    static func locate(_ object: String, rule: Rule, principal: Principal, host: any Host) -> SourceLocation? {
        if ReportLayout.isPath(object) { return nil }
        switch rule.check {
        case .groupMembership(let needed, let tooBroad, _):
            let named = object.hasPrefix("group ") ? object.dropFirst(6).split(separator: "|").map(String.init) : []
            return groupLine(named + needed + tooBroad, host: host) ?? ruleFile(rule)
        case .capabilities:
            return capabilitySource(principal, host: host) ?? ruleFile(rule)
        default:
            return ruleFile(rule)
        }
    }

    /// The first of `names` defined in the host's `/etc/group`, with its line.
    static func groupLine(_ names: [String], host: any Host) -> SourceLocation? {
        guard case .success(let text) = host.readTextFile("/etc/group") else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for name in names {
            if let i = lines.firstIndex(where: { $0.hasPrefix(name + ":") }) { return SourceLocation(base: .host, path: "/etc/group", line: i + 1) }
        }
        return names.isEmpty ? nil : SourceLocation(base: .host, path: "/etc/group")
    }

    /// The file the principal's capabilities were read from.
    static func capabilitySource(_ p: Principal, host: any Host) -> SourceLocation? {
        let words = p.origin.split(separator: " ")
        guard words.count >= 2 else { return nil }
        switch words[0] {
        case "unit":
            guard let creds = try? SystemdUnitCredentials.load(String(words[1]), on: host) else { return nil }
            for path in creds.files.reversed() {
                guard case .success(let text) = host.readTextFile(path) else { continue }
                if let n = lineNumber(in: text, where: { $0.hasPrefix("AmbientCapabilities=") }) { return SourceLocation(base: .host, path: path, line: n) }
            }
            return creds.files.first.map { SourceLocation(base: .host, path: $0) }
        case "process":
            let path = "/proc/\(words[1])/status"
            guard case .success(let text) = host.readTextFile(path) else { return SourceLocation(base: .host, path: path) }
            return SourceLocation(base: .host, path: path, line: lineNumber(in: text) { $0.hasPrefix("CapEff:") })
        default:
            return nil
        }
    }

    static func lineNumber(in text: String, where matches: (Substring) -> Bool) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { matches($0.drop { $0 == " " || $0 == "\t" }) }.map { $0 + 1 }
    }

    /// `embedded:linux/groups.yaml:12` (the catalog in the binary) or `DIR/x.yaml:3` (`--rules DIR`).
    static func ruleFile(_ rule: Rule) -> SourceLocation? {
        guard let colon = rule.origin.lastIndex(of: ":") else { return nil }
        let line = Int(rule.origin[rule.origin.index(after: colon)...])
        var file = String(rule.origin[..<colon])
        if file.hasPrefix("embedded:") {
            file.removeFirst("embedded:".count)
            return SourceLocation(base: .catalog, path: file, line: line.flatMap { $0 > 0 ? $0 : nil })
        }
        return SourceLocation(base: .local, path: file, line: line.flatMap { $0 > 0 ? $0 : nil })
    }
}
