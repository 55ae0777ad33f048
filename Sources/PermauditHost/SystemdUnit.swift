import PermauditCore

/// The credentials a systemd service unit runs with, read from its unit file and drop-ins on disk
/// (no systemctl needed): `User=`, `Group=`, `SupplementaryGroups=`, `AmbientCapabilities=`.
public struct SystemdUnitCredentials: Sendable, Hashable {
    public var unit: String
    public var files: [String]
    public var user: String?
    public var group: String?
    public var supplementaryGroups: [String]
    public var ambientCapabilities: CapabilitySet

    /// The folders systemd reads units from, highest precedence first.
    public static let searchPath = ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"]

    /// Finds and reads a unit (`NAME` or `NAME.service`) and its `NAME.service.d/*.conf` drop-ins on a host.
    public static func load(_ name: String, on host: any Host) throws(HostError) -> SystemdUnitCredentials {
        let unit = name.contains(".") ? name : name + ".service"
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
        return parse(unit: unit, files: texts)
    }

    /// Applies the files in order, as systemd does: later assignments win; an empty list assignment resets.
    public static func parse(unit: String, files: [(path: String, text: String)]) -> SystemdUnitCredentials {
        var creds = SystemdUnitCredentials(unit: unit, files: files.map(\.path), user: nil, group: nil, supplementaryGroups: [], ambientCapabilities: .empty)
        for (_, text) in files {
            var section = ""
            for raw in text.split(separator: "\n") {
                let line = String(raw).trimmingCharacters(in: " \t\r")
                if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
                if line.hasPrefix("[") { section = line; continue }
                guard section == "[Service]", let eq = line.firstIndex(of: "=") else { continue }
                let key = String(line[..<eq]).trimmingCharacters(in: " ")
                let value = String(line[line.index(after: eq)...]).trimmingCharacters(in: " ")
                let words = value.split(separator: " ").map(String.init)
                switch key {
                case "User": creds.user = value.isEmpty ? nil : value
                case "Group": creds.group = value.isEmpty ? nil : value
                case "SupplementaryGroups":
                    if words.isEmpty { creds.supplementaryGroups = [] } else { creds.supplementaryGroups += words }
                case "AmbientCapabilities":
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
}
