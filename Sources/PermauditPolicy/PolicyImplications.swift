/// What a policy asks of the host, input by input: the files its log inputs open, the mounts its filesystem
/// metricset stats, process visibility, the journal, event channels, and the integrations that need root.
public struct PolicyImplications: Hashable, Sendable {
    /// Which input and stream a need comes from.
    public struct Origin: Hashable, Sendable, CustomStringConvertible {
        public var inputID: String
        public var inputType: String
        public var package: String?
        public var dataset: String?
        public var location: PolicyLocation
        public var description: String {
            "input '\(inputID)' (\(inputType)\(package.map { ", package \($0)" } ?? "")\(dataset.map { ", dataset \($0)" } ?? ""), \(location))"
        }
    }

    /// Files a log stream opens: its globs (as the agent expands them), less what `exclude_files` matches.
    public struct FileSet: Hashable, Sendable {
        public var globs: [Located<String>]
        public var excludes: [Located<String>]
        public var recursive: Bool
        public var symlinks: Bool
    }

    public enum Need: Hashable, Sendable {
        case files(FileSet)
        /// `filesystem` / `fsstat`: statfs on every mount not ignored by type and not dropped by a processor.
        case mounts(ignoreTypes: Located<[String]>?, drops: [Located<EventCondition>], metricset: String)
        /// `process`, `process_summary`: other users' processes and their details.
        case processes(metricset: String)
        /// `journald`: the systemd journal.
        case journal
        /// `winlog`: one event log channel (`Security`, `Application`, `System`, or by name).
        case eventChannel(String)
        /// `diskio` on Windows: the PartMgr registry key.
        case partMgr
        /// `service` and `users` metricsets: systemd over D-Bus.
        case systemdBus(metricset: String)
        /// An integration that needs a privileged agent (`endpoint`, `auditd_manager`, `fim`, ...).
        case requiresRoot(integration: String)
        /// A metricset that needs nothing beyond what every user has (`cpu`, `memory`, `load`, ...).
        case nothingSpecial(metricset: String)
    }

    public enum State: Hashable, Sendable {
        case active
        /// Turned off: disabled, or a condition that does not hold here.
        case off(String)
        /// Whether the agent runs it cannot be told (a `${var}` the host does not resolve).
        case unknown(String)
    }

    public struct Item: Hashable, Sendable {
        public var origin: Origin
        public var need: Need
        public var state: State
    }

    public var policyFile: String
    public var items: [Item]
    /// Parts of the policy not interpreted (the parser's notes and what this step could not place).
    public var notInterpreted: [PolicyNote]

    /// The integration names the policy holds, as the rule catalog names them (`system.auth`, `nginx`,
    /// `endpoint`, ...), for the catalog's integration-scoped rules.
    public var integrations: Set<String> {
        var out = Set<String>()
        for item in items where item.state == .active {
            if let p = item.origin.package { out.insert(p) }
            if let d = item.origin.dataset { out.insert(d) }
            if case .requiresRoot(let name) = item.need { out.insert(name) }
        }
        return out
    }

    /// Input types that need a privileged agent, by the name the catalog's requires-root rules use.
    public static let rootInputs: [String: String] = [
        "endpoint": "endpoint", "audit/auditd": "auditd_manager", "audit/file_integrity": "fim", "packet": "network_traffic",
        "audit/system": "system_audit", "pf-host-agent": "universal-profiling", "profiler": "universal-profiling",
    ]

    /// The System package's winlog datasets and the channel each reads.
    public static let systemChannels = ["system.security": "Security", "system.application": "Application", "system.system": "System"]

    static let plainMetricsets: Set<String> = [
        "cpu", "core", "load", "memory", "network", "uptime", "socket_summary", "fsstat_summary", "raid", "entropy", "network_summary",
    ]

    /// The needs of a policy on a platform (`linux`, `windows`, `darwin`), conditions evaluated with
    /// these variables.
    public init(_ policy: AgentPolicy, variables: [String: String]) {
        policyFile = policy.file
        items = []
        notInterpreted = policy.notInterpreted
        let platform = variables["host.platform"] ?? "linux"
        for input in policy.inputs {
            let inputState = Self.state(enabled: input.enabled, condition: input.condition, variables: variables)
            if let root = Self.rootInputs[input.type] {
                let origin = Origin(inputID: input.displayName, inputType: input.type, package: input.package, dataset: nil, location: input.location)
                items.append(Item(origin: origin, need: .requiresRoot(integration: root), state: inputState))
                continue
            }
            for stream in input.streams {
                let origin = Origin(
                    inputID: stream.id ?? input.displayName, inputType: input.type, package: input.package, dataset: stream.dataset, location: stream.location)
                var state = inputState
                if state == .active { state = Self.state(enabled: stream.enabled, condition: stream.condition, variables: variables) }
                for need in needs(input: input, stream: stream, platform: platform) {
                    var s = state
                    if s == .active, case .files(let set) = need, let v = set.globs.lazy.compactMap({ Self.variable(in: $0.value) }).first {
                        s = .unknown("the path uses ${\(v)}, which permaudit does not resolve")
                    }
                    items.append(Item(origin: origin, need: need, state: s))
                }
            }
            if input.streams.isEmpty, input.type == "journald" {
                let origin = Origin(inputID: input.displayName, inputType: input.type, package: input.package, dataset: nil, location: input.location)
                items.append(Item(origin: origin, need: .journal, state: inputState))
            }
        }
    }

    mutating func needs(input: PolicyInput, stream: PolicyStream, platform: String) -> [Need] {
        switch input.type {
        case "logfile", "log", "filestream":
            guard !stream.paths.isEmpty else {
                notInterpreted.append(PolicyNote("\(input.type) stream without `paths:`: opens nothing", at: stream.location))
                return []
            }
            for g in stream.paths where Self.variable(in: g.value) == nil {
                do { _ = try PolicyGlob(g.value, recursive: stream.recursiveGlob) } catch { notInterpreted.append(PolicyNote("\(error): this path is not judged", at: g.location)) }
            }
            for e in stream.excludeFiles {
                do { _ = try ExcludeFiles.Pattern(e.value) } catch { notInterpreted.append(PolicyNote("\(error)", at: e.location)) }
            }
            return [.files(FileSet(globs: stream.paths, excludes: stream.excludeFiles, recursive: stream.recursiveGlob, symlinks: stream.symlinks))]
        case "journald": return [.journal]
        case "winlog":
            if let c = stream.channel?.value { return [.eventChannel(c)] }
            if let d = stream.dataset, let c = Self.systemChannels[d] { return [.eventChannel(c)] }
            notInterpreted.append(PolicyNote("winlog stream without `name:` (the channel): not interpreted", at: stream.location))
            return []
        case "system/metrics":
            var out: [Need] = []
            let sets = stream.metricsets.isEmpty ? stream.dataset.map { [Located(String($0.split(separator: ".").last ?? ""), at: stream.location)] } ?? [] : stream.metricsets
            for m in sets {
                switch m.value {
                case "filesystem", "fsstat":
                    let drops = stream.processors.compactMap { p -> Located<EventCondition>? in
                        if case .dropEvent(let c, let at) = p { return Located(c, at: at) }
                        return nil
                    }
                    out.append(.mounts(ignoreTypes: stream.ignoreTypes, drops: drops, metricset: m.value))
                case "process", "process_summary": out.append(.processes(metricset: m.value))
                case "diskio": out.append(platform == "windows" ? .partMgr : .nothingSpecial(metricset: m.value))
                case "service", "users": out.append(.systemdBus(metricset: m.value))
                case let other where Self.plainMetricsets.contains(other): out.append(.nothingSpecial(metricset: other))
                default: notInterpreted.append(PolicyNote("metricset '\(m.value)': not interpreted", at: m.location))
                }
            }
            return out
        default:
            return []
        }
    }

    static func state(enabled: Bool, condition: Located<String>?, variables: [String: String]) -> State {
        if !enabled { return .off("enabled: false") }
        guard let condition else { return .active }
        switch PolicyCondition.evaluate(condition.value, variables: variables) {
        case .holds: return .active
        case .fails: return .off("condition `\(condition.value)` does not hold here (\(condition.location))")
        case .unknown(let why): return .unknown("condition `\(condition.value)` (\(condition.location)): \(why)")
        }
    }

    /// The first `${name}` in a text, if any.
    static func variable(in text: String) -> String? {
        guard let start = text.range(of: "${"), let end = text[start.upperBound...].firstIndex(of: "}") else { return nil }
        return String(text[start.upperBound..<end])
    }
}
