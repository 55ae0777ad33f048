import ArgumentParser
import PermauditCore
import PermauditHost

/// Who is judged: shared by every command that decides access.
public struct PrincipalOptions: ParsableArguments {
    @Option(name: .long, help: "A user name or uid.")
    var user: String?

    @Option(name: .long, help: "The primary group (name or gid); default: the user's.")
    var group: String?

    @Option(name: .long, help: ArgumentHelp("The whole group list, names or gids, comma-separated; the first is the primary group.", valueName: "A,B"))
    var groups: String?

    @Option(name: .long, help: ArgumentHelp("Effective capabilities, comma-separated (cap_dac_read_search,cap_sys_ptrace).", valueName: "CAP,..."))
    var caps: String?

    @Option(name: .long, help: "Judge as a running process: uid, gids and effective capabilities from /proc/PID/status.")
    var pid: Int32?

    @Option(name: .long, help: "Judge as a systemd unit: User=, Group=, SupplementaryGroups=, AmbientCapabilities= (drop-ins included).")
    var unit: String?

    @Flag(name: .long, help: "Preflight: if --user does not exist yet, judge the user the installer will create (in a new group named by --group, default the user's name).")
    var planned = false

    public init() {}

    public func validate() throws {
        let sources = [user != nil, pid != nil, unit != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give only one of --user, --pid and --unit") }
        if planned && user == nil { throw ValidationError("--planned needs --user NAME (the user the installer will create)") }
        if let groups, groups.split(separator: ",").isEmpty { throw ValidationError("--groups needs at least one group, e.g. --groups elastic-agent,adm") }
    }

    var request: PrincipalRequest {
        PrincipalRequest(
            user: user, group: group, groups: groups.map { $0.split(separator: ",").map(String.init) }, capabilities: caps,
            pid: pid, unit: unit, plannedUser: planned ? user : nil, plannedGroup: planned ? group : nil)
    }

    var isGiven: Bool { user != nil || pid != nil || unit != nil }

    /// For commands that judge exactly the principal given: say so when none is.
    func requireGiven() throws {
        if !isGiven { throw ValidationError("say who is judged: --user NAME|UID, --pid PID or --unit NAME") }
    }

    /// The principal these options name, on this host; an input error (exit 2) that says what to do otherwise.
    func resolve(on host: any Host) throws -> Principal {
        do { return try PrincipalResolver.resolve(request, on: host) } catch { throw InputError(error.description) }
    }
}

/// Which host: the live one, or a folder (`--root`).
public struct HostOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Audit a folder as a host (a mounted image or container root); symlinks resolve inside it.", valueName: "DIR"))
    var root: String?

    public init() {}

    func makeHost(pid: Int32? = nil) throws -> any Host {
        if let root {
            do { return try RootedHost(root: root) } catch { throw InputError("--root: \(error)") }
        }
        return LiveHost(pid: pid)
    }
}
