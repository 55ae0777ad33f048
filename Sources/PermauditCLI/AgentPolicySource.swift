import ArgumentParser
import Glibc
import PermauditAudit
import PermauditCore
import PermauditHost
import PermauditPolicy

/// `--agent-policy FILE`, shared by audit, fix, explain and reach; without it, the installed agent's policy.
struct AgentPolicyOption: ParsableArguments {
    @Option(
        name: .customLong("agent-policy"),
        help: ArgumentHelp(
            "The agent's policy (elastic-agent.yml, or `elastic-agent inspect` output): judge exactly what it opens. Default: the installed agent's, if any.",
            valueName: "FILE"))
    var file: String?

    /// Where the agent keeps its policy: the install directory (Linux, macOS) and the DEB/RPM location.
    static let installedLocations = ["/opt/Elastic/Agent/elastic-agent.yml", "/etc/elastic-agent/elastic-agent.yml", "/Library/Elastic/Agent/elastic-agent.yml"]

    static let howToGetFleetPolicy = "sudo -u elastic-agent-user elastic-agent inspect > policy.yml"

    /// The policy to follow and what the report says about it. A given file that is not a policy is an
    /// input error (exit 2); an installed one that is not is reported and the whole catalog judged.
    func load(on host: any PermauditHost.Host) throws -> (policy: AgentPolicy?, use: AgentPolicyUse) {
        if let file {
            let text: String
            switch Self.readWhole(file) {
            case .success(let t): text = t
            case .failure(let e): throw InputError("--agent-policy \(file): \(e); give the agent's policy file (elastic-agent.yml, or the output of `\(Self.howToGetFleetPolicy)`)")
            }
            do {
                let policy = try AgentPolicyParser.parse(file: file, text: text)
                return (policy, AgentPolicyUse(status: .given, path: file, message: "followed \(file) (--agent-policy)", notInterpreted: policy.notInterpreted.map(\.description)))
            } catch {
                throw InputError("--agent-policy: \(error)")
            }
        }
        for location in Self.installedLocations {
            guard case .success(let text) = host.readTextFile(location) else { continue }
            let dir = String(location[..<(location.lastIndex(of: "/") ?? location.endIndex)])
            let fleetEnc = dir + "/fleet.enc"
            if case .found = host.lookup(fleetEnc) {
                return (nil, AgentPolicyUse(status: .encrypted, path: fleetEnc, message: "the installed agent is Fleet-managed: its policy is encrypted in \(fleetEnc); judged the whole catalog. To follow the policy: \(Self.howToGetFleetPolicy), then --agent-policy policy.yml"))
            }
            do {
                let policy = try AgentPolicyParser.parse(file: location, text: text)
                return (policy, AgentPolicyUse(status: .installed, path: location, message: "followed the installed agent's policy \(location)", notInterpreted: policy.notInterpreted.map(\.description)))
            } catch {
                if error.message.contains("fleet.enc") {
                    return (nil, AgentPolicyUse(status: .encrypted, path: location, message: "the installed agent is Fleet-managed: its policy is encrypted (fleet.enc); judged the whole catalog. To follow the policy: \(Self.howToGetFleetPolicy), then --agent-policy policy.yml"))
                }
                return (nil, AgentPolicyUse(status: .none, path: location, message: "the installed agent's \(error); judged the whole catalog"))
            }
        }
        return (nil, AgentPolicyUse(status: .none, path: nil, message: "no agent policy (none given, none at \(Self.installedLocations.joined(separator: ", "))): judged the whole catalog"))
    }

    /// A file read whole, as text (bad UTF-8 repaired: YAML is text).
    static func readWhole(_ path: String) -> Result<String, HostError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(HostError("open", path: path, errno: Errno(rawValue: errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 { return .failure(HostError("read", path: path, errno: Errno(rawValue: errno))) }
            if n == 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 64 << 20 { return .failure(HostError("read", path: path, errno: .fileTooLarge)) }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// The conditions' variables on this host.
    static func variables(_ host: any PermauditHost.Host) -> [String: String] {
        var uts = utsname()
        uname(&uts)
        let machine = withUnsafeBytes(of: uts.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let arch = machine == "x86_64" ? "x86_64" : machine == "aarch64" ? "arm64" : machine
        return PolicyCondition.hostVariables(platform: "linux", architecture: arch)
    }
}

extension AgentPolicyOption {
    /// The inputs of the given policy that open a path (or skip it by `exclude_files`), for `explain`;
    /// nil when no policy was given.
    func inputs(opening path: String, on host: any PermauditHost.Host) throws -> [String]? {
        guard file != nil, let policy = try load(on: host).policy else { return nil }
        let implications = PolicyImplications(policy, variables: Self.variables(host))
        var out: [String] = []
        for item in implications.items {
            guard case .files(let set) = item.need else { continue }
            let found = PolicyAudit.hostFiles(set, on: host)
            let state = item.state == .active ? "" : " (the stream does not run here)"
            if found.opens.contains(path) {
                out.append("opened by \(item.origin)\(state)")
            } else if let skip = found.excluded.first(where: { $0.path == path }) {
                out.append("matched but not opened by \(item.origin): exclude_files \(skip.pattern)")
            } else if found.lists.contains(path) {
                out.append("listed by \(item.origin) to expand its globs\(state)")
            }
        }
        return out
    }

    /// The directories the given policy's log inputs list and the files they open, for `reach`.
    func trees(on host: any PermauditHost.Host) throws -> [String] {
        guard file != nil, let policy = try load(on: host).policy else { return [] }
        let implications = PolicyImplications(policy, variables: Self.variables(host))
        var dirs: [String] = []
        for item in implications.items where item.state == .active {
            guard case .files(let set) = item.need else { continue }
            for d in PolicyAudit.hostFiles(set, on: host).lists where !dirs.contains(d) { dirs.append(d) }
        }
        return dirs
    }
}
