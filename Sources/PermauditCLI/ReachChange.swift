import ArgumentParser
import PermauditCore
import PermauditHost

/// `--changed-by 'group adm'` / `--changed-by 'cap cap_dac_read_search'`: a membership or a capability
/// whose effect `reach` lists.
enum ReachChange: ExpressibleByArgument, CustomStringConvertible {
    case group(String)
    case capability(Capability)

    init?(argument: String) {
        let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "group": self = .group(parts[1])
        case "cap", "capability":
            guard let c = Capability(name: parts[1]) else { return nil }
            self = .capability(c)
        default: return nil
        }
    }

    var description: String {
        switch self {
        case .group(let g): "group \(g)"
        case .capability(let c): c.name.uppercased()
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// The principal without the change and with it, whichever it is now.
    func sides(of who: Principal, on host: any Host) throws -> (without: Principal, with: Principal) {
        var without = who, with = who
        switch self {
        case .group(let name):
            guard let gid = host.accounts.group(named: name)?.gid ?? UInt32(name) else {
                throw InputError("--changed-by: no group \(name) on this host (give a name from /etc/group or a gid)")
            }
            without.groups.removeAll { $0 == gid }
            if without.gid == gid { without.gid = PrincipalResolver.plannedGID }
            if !with.isMember(of: gid) { with.groups.append(gid) }
            with.groupNames[gid] = host.groupName(gid)
        case .capability(let c):
            without.capabilities = without.capabilities.subtracting(CapabilitySet([c]))
            with.capabilities.insert(c)
        }
        return (without, with)
    }
}
