/// What permaudit understood from a policy, input by input, for `permaudit policy show`: the files,
/// mounts, channels and capabilities each stream implies, what is off here and why, and every part not
/// interpreted, each with its `file:line`.
public enum PolicySummary {
    /// What a host adds to a file need: the files the globs select there (filled in by the caller).
    public struct HostFiles: Sendable {
        public var opens: [String]
        public var excluded: [(path: String, pattern: String)]
        public var lists: [String]
        public init(opens: [String], excluded: [(path: String, pattern: String)], lists: [String]) {
            self.opens = opens
            self.excluded = excluded
            self.lists = lists
        }
    }

    public static func text(_ policy: AgentPolicy, _ implications: PolicyImplications, hostFiles: (PolicyImplications.FileSet) -> HostFiles? = { _ in nil }) -> String {
        var out: [String] = []
        out.append("policy \(policy.file): \(policy.inputs.count) input(s)")
        for input in policy.inputs {
            out.append("")
            out.append("input \(input.displayName) (type \(input.type)\(input.package.map { ", package \($0)" } ?? "")) at \(input.location)")
            let places = Set([input.location] + input.streams.map(\.location))
            let items = implications.items.filter { places.contains($0.origin.location) }
            if items.isEmpty { out.append("  implies nothing permaudit judges") }
            var lastStream: PolicyLocation?
            for item in items {
                if item.origin.location != input.location, item.origin.location != lastStream {
                    out.append("  stream \(item.origin.inputID)\(item.origin.dataset.map { " (dataset \($0))" } ?? "") at \(item.origin.location)")
                    lastStream = item.origin.location
                }
                let pad = item.origin.location == input.location ? "  " : "    "
                switch item.state {
                case .off(let why): out.append(pad + "off: \(why)")
                case .unknown(let why): out.append(pad + "unknown: \(why)")
                case .active: break
                }
                out += describe(item.need, pad: pad, hostFiles: hostFiles)
            }
        }
        out.append("")
        if implications.notInterpreted.isEmpty {
            out.append("not interpreted: nothing")
        } else {
            out.append("not interpreted (\(implications.notInterpreted.count)):")
            for n in implications.notInterpreted.sorted(by: { $0.location < $1.location }) { out.append("  \(n)") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func describe(_ need: PolicyImplications.Need, pad: String, hostFiles: (PolicyImplications.FileSet) -> HostFiles?) -> [String] {
        switch need {
        case .files(let set):
            var out = set.globs.map { pad + "reads \($0.value) (line \($0.location.line))" }
            out += set.excludes.map { pad + "except paths matching \($0.value) (line \($0.location.line))" }
            out.append(pad + "globs: Go filepath.Match" + (set.recursive ? ", ** expands 0-\(PolicyGlob.recursiveDepth) directories" : ", ** not expanded") + (set.symlinks ? ", symlinks followed" : ", symlinks not followed"))
            if let h = hostFiles(set) {
                out += h.lists.map { pad + "  lists \($0)" }
                out += h.opens.map { pad + "  opens \($0)" }
                out += h.excluded.map { pad + "  skips \($0.path) (\($0.pattern))" }
                if h.opens.isEmpty { out.append(pad + "  opens nothing on this host yet") }
            }
            return out
        case .mounts(let ignore, let drops, let metricset):
            var out = [pad + "\(metricset): statfs on every mount, except"]
            out.append(pad + "  types " + (ignore.map { "\($0.value.isEmpty ? "(none)" : $0.value.joined(separator: ", ")) (filesystem.ignore_types, line \($0.location.line))" } ?? "marked nodev in /proc/filesystems (filesystem.ignore_types not set)"))
            for d in drops { out.append(pad + "  what drop_event at line \(d.location.line) drops: \(condition(d.value))") }
            return out
        case .processes(let m): return [pad + "\(m): other users' processes (/proc without hidepid=, cap_sys_ptrace and cap_dac_read_search for their details)"]
        case .journal: return [pad + "journald: the systemd journal (the systemd-journal group)"]
        case .eventChannel(let c): return [pad + "winlog: the Windows event channel \(c)"]
        case .partMgr: return [pad + "diskio: the PartMgr registry key (Windows)"]
        case .systemdBus(let m): return [pad + "\(m): systemd over D-Bus (/run/dbus/system_bus_socket)"]
        case .requiresRoot(let name): return [pad + "needs a privileged agent: \(name) does not run (or runs incomplete) without root"]
        case .nothingSpecial(let m): return [pad + "\(m): nothing beyond what every user can read"]
        }
    }

    static func condition(_ c: EventCondition) -> String {
        switch c {
        case .equals(let f, let v): "\(f) == \(v)"
        case .contains(let f, let v): "\(f) contains \(v)"
        case .regexp(let f, let p): "\(f) =~ \(p)"
        case .hasFields(let l): "has fields \(l.joined(separator: ", "))"
        case .and(let l): l.map(condition).joined(separator: " and ")
        case .or(let l): "(" + l.map(condition).joined(separator: " or ") + ")"
        case .not(let x): "not (\(condition(x)))"
        case .unsupported(let why): "? (\(why))"
        }
    }
}
