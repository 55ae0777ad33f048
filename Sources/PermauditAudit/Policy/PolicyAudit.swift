import PermauditCore
import PermauditHost
import PermauditPolicy
import PermauditRules

/// An audit driven by the agent's policy: exactly the files, mounts, channels and processes it will touch.
/// A need a catalog rule knows is judged under that rule (its symptom and fixes); one no rule knows gets a
/// finding of its own naming the input and dataset. Catalog rules the policy does not imply are not judged,
/// except those about the agent itself (its install path, control socket, too-broad groups and capabilities).
public struct PolicyAudit: Sendable {
    public let auditor: Auditor
    public let rules: [Rule]
    public let implications: PolicyImplications

    public init(auditor: Auditor, rules: [Rule], implications: PolicyImplications) {
        self.auditor = auditor
        self.rules = rules
        self.implications = implications
    }

    /// The findings, and how many catalog rules were not judged because the policy does not imply them.
    public func run() -> (findings: [Finding], notJudged: [String]) {
        var findings: [Finding] = []
        var judged = Set<String>()
        var catalogRuns: [String] = []  // rule ids to run through the catalog, in order, once
        for item in implications.items {
            let origin = item.origin
            switch item.state {
            case .off(let why):
                findings.append(note(PolicyRules.off, origin: origin, state: .notApplicable, message: "\(origin.inputID) is off: \(why)"))
                continue
            case .unknown(let why):
                findings.append(note(PolicyRules.unknown, origin: origin, state: .unknown, message: "whether \(origin.inputID) runs cannot be told: \(why)"))
                continue
            case .active: break
            }
            switch item.need {
            case .files(let set):
                findings += files(set, origin: origin, judged: &judged)
            case .mounts(let ignore, let drops, let metricset):
                findings += mounts(ignore: ignore, drops: drops, metricset: metricset, origin: origin, judged: &judged)
            case .processes(let metricset):
                catalogRuns += ["linux.processes.visibility"] + (metricset == "process" ? ["linux.proc-io.ptrace"] : [])
            case .journal:
                catalogRuns.append("linux.journal.group")
            case .systemdBus:
                catalogRuns.append("linux.systemd-dbus.connect")
            case .eventChannel(let channel):
                let known = rules.filter { if case .windows(.eventChannel, let f) = $0.check { return f["channel"]?.lowercased() == channel.lowercased() } else { return false } }
                if known.isEmpty {
                    findings.append(note(PolicyRules.channel, origin: origin, state: .notApplicable, object: "channel \(channel)", message: "Windows event channel \(channel): judged from a facts file gathered on Windows, not on this Linux host"))
                } else {
                    catalogRuns += known.map(\.id)
                }
            case .partMgr:
                catalogRuns += rules.filter { if case .windows(.registryKey, let f) = $0.check { return f["key"]?.contains("PartMgr") == true } else { return false } }.map(\.id)
            case .requiresRoot:
                catalogRuns += rules.filter { if case .requiresRoot = $0.check { return true } else { return false } }.map(\.id)
            case .nothingSpecial:
                break
            }
        }
        // The rules about the agent itself hold whatever its inputs are.
        catalogRuns += rules.filter { ($0.integrations.isEmpty || $0.integrations == ["agent"]) && $0.platforms.contains(.linux) }.filter {
            if case .requiresRoot = $0.check { return false } else { return true }
        }.map(\.id)
        let rooted = Auditor(host: auditor.host, principal: auditor.principal, profile: auditor.profile, integrations: implications.integrations.union(["agent"]))
        var ran = Set<String>()
        for id in catalogRuns where ran.insert(id).inserted && !judged.contains(id) {
            guard let rule = rules.first(where: { $0.id == id }) else { continue }
            judged.insert(id)
            findings += rooted.run([rule]).map { f in
                var f = f
                if case .requiresRoot = rule.check {} else { f.evidence.append("implied by the agent policy \(implications.policyFile)") }
                return f
            }
        }
        let notJudged = rules.map(\.id).filter { !judged.contains($0) && auditor.profile.includes(ruleID: $0) }
        return (Self.merged(findings), notJudged)
    }

    /// One finding per rule, object and access: a directory two streams list, a file two inputs read, is
    /// judged once, its evidence naming every input.
    static func merged(_ findings: [Finding]) -> [Finding] {
        var out: [Finding] = []
        var index: [String: Int] = [:]
        for f in findings {
            let key = "\(f.ruleID)\u{0}\(f.object)\u{0}\(f.access?.rawValue ?? "")"
            if let i = index[key] {
                for line in f.evidence where !out[i].evidence.contains(line) { out[i].evidence.append(line) }
                for d in f.integrations where !out[i].integrations.contains(d) { out[i].integrations.append(d) }
            } else {
                index[key] = out.count
                out.append(f)
            }
        }
        return out
    }

    func note(_ rule: Rule, origin: PolicyImplications.Origin, state: Finding.State, object: String? = nil, message: String) -> Finding {
        var f = auditor.finding(rule, object: object ?? origin.inputID, state: state, message: message, evidence: ["policy: \(origin)"])
        f.integrations = origin.dataset.map { [$0] } ?? origin.package.map { [$0] } ?? []
        return f
    }

    /// The catalog rule that knows a path (its globs match it), if any.
    func catalogRule(for path: String, access: Access) -> Rule? {
        rules.first { r in
            if case .pathAccess(let globs, let a) = r.check, a == access { return globs.contains { MountStatfsCheck.matches($0, path) } }
            return false
        }
    }

    func files(_ set: PolicyImplications.FileSet, origin: PolicyImplications.Origin, judged: inout Set<String>) -> [Finding] {
        var out: [Finding] = []
        let expansion = PathGlob(host: auditor.host).expandAgent(set)
        let globs = set.globs.map(\.value).joined(separator: " ")
        for (pattern, reason) in expansion.invalid {
            out.append(note(PolicyRules.unknown, origin: origin, state: .error, object: pattern.value, message: "\(pattern.location): \(reason)"))
        }
        for (dir, reason) in expansion.unreadable {
            out.append(note(PolicyRules.list, origin: origin, state: .unknown, object: dir, message: "permaudit cannot list \(dir) to expand \(globs): \(reason)"))
        }
        var evidence = ["policy: \(origin)", "globs: \(set.globs.map { "\($0.value) (\($0.location))" }.joined(separator: ", "))"]
        if !set.excludes.isEmpty { evidence.append("exclude_files: \(set.excludes.map { "\($0.value) (\($0.location))" }.joined(separator: ", "))") }
        if !expansion.excluded.isEmpty { evidence.append("not opened (exclude_files): \(expansion.excluded.map { "\($0.path) by \($0.pattern)" }.joined(separator: ", "))") }
        for dir in expansion.listed {
            out.append(judge(dir, .list, rule: PolicyRules.list, origin: origin, evidence: evidence))
        }
        for path in expansion.files {
            let rule = catalogRule(for: path, access: .read) ?? PolicyRules.read
            judged.insert(rule.id)
            out.append(judge(path, .read, rule: rule, origin: origin, evidence: evidence))
        }
        if expansion.files.isEmpty && expansion.invalid.isEmpty {
            out.append(note(PolicyRules.read, origin: origin, state: .notApplicable, object: globs, message: "no file matches \(globs) on this host yet (the agent opens them when they appear)"))
        }
        return out
    }

    func judge(_ path: String, _ access: Access, rule: Rule, origin: PolicyImplications.Origin, evidence: [String]) -> Finding {
        let d = auditor.evaluator.decide(path, access, for: auditor.principal)
        let who = auditor.principal.userName ?? String(auditor.principal.uid)
        let message = switch d.verdict {
        case .granted: "\(who) can \(access.rawValue) \(path) (\(origin.inputID))"
        case .denied: "\(who) cannot \(access.rawValue) \(path), which \(origin.inputID) opens: \(d.reason)"
        case .unknown: "permaudit could not decide: \(d.reason)"
        }
        var f = auditor.finding(rule, object: path, access: access, state: auditor.state(of: d), message: message, decision: d, evidence: evidence)
        if rule.origin.hasPrefix("permaudit") { f.integrations = origin.dataset.map { [$0] } ?? [] }
        return f
    }

    /// Every mount the filesystem metricset reports: the mount table, less the ignored types (the
    /// `nodev` types of /proc/filesystems unless `filesystem.ignore_types` is set) and what a
    /// `drop_event` processor drops.
    func mounts(ignore: Located<[String]>?, drops: [Located<EventCondition>], metricset: String, origin: PolicyImplications.Origin, judged: inout Set<String>) -> [Finding] {
        var out: [Finding] = []
        let ignored = Set(ignore?.value ?? Self.virtualTypes(auditor.host))
        var seen = Set<String>()
        for m in auditor.host.mountTable.mounts.reversed() where seen.insert(m.mountPoint).inserted {
            // The mount a lookup reaches is the one the metricset stats; a hidden one is not reported.
            guard auditor.host.mount(containing: m.mountPoint)?.mountPoint == m.mountPoint else { continue }
            let visible = auditor.host.mount(containing: m.mountPoint) ?? m
            if ignored.contains(visible.fsType) { continue }
            let fields = ["system.filesystem.mount_point": visible.mountPoint, "system.filesystem.type": visible.fsType, "system.filesystem.device_name": visible.source]
            var dropped = false
            var unsure: Located<EventCondition>?
            for d in drops {
                switch d.value.holds(fields) {
                case true?: dropped = true
                case nil: unsure = unsure ?? d
                case false?: break
                }
                if dropped { break }
            }
            if dropped { continue }
            let rule = rules.first { r in if case .mountStatfs(let globs) = r.check { return globs.contains { MountStatfsCheck.matches($0, visible.mountPoint) } } else { return false } } ?? PolicyRules.statfs
            judged.insert(rule.id)
            var evidence = ["policy: \(origin)", "mount: \(visible.mountPoint) type \(visible.fsType) options \((visible.mountOptions + visible.superOptions).joined(separator: ","))"]
            evidence.append(ignore.map { "filesystem.ignore_types (\($0.location)): \($0.value.joined(separator: ", "))" } ?? "filesystem.ignore_types not set: the virtual (nodev) types are ignored")
            if let unsure {
                out.append(note(PolicyRules.unknown, origin: origin, state: .unknown, object: visible.mountPoint, message: "whether the drop_event processor at \(unsure.location) drops \(visible.mountPoint) cannot be told"))
                continue
            }
            let d = auditor.evaluator.decide(visible.mountPoint, .statfs, for: auditor.principal)
            if visible.fuseOwnerOnly != nil, d.verdict == .denied {
                evidence.append("no permission changes this: ignore the mount in the policy (add \(visible.fsType) to filesystem.ignore_types)")
            }
            let message = d.verdict == .granted ? "statfs reaches \(visible.mountPoint) (\(metricset))" : d.reason
            var f = auditor.finding(rule, object: visible.mountPoint, access: .statfs, state: auditor.state(of: d), message: message, decision: d, evidence: evidence)
            if visible.fuseOwnerOnly != nil { f.remedy = .configuration }
            out.append(f)
        }
        return out.sorted { $0.object < $1.object }
    }

    /// The `nodev` types the host lists in /proc/filesystems (the metricset's default ignore list); the
    /// usual Linux list when the host has none to read (an image).
    public static func virtualTypes(_ host: any Host) -> [String] {
        if case .success(let text) = host.readTextFile("/proc/filesystems"), text.contains("nodev") {
            return text.split(separator: "\n").compactMap { line in
                let parts = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
                return parts.count == 2 && parts[0] == "nodev" ? String(parts[1]) : nil
            }
        }
        return ["sysfs", "tmpfs", "proc", "cgroup", "cgroup2", "cpuset", "devtmpfs", "binfmt_misc", "debugfs", "tracefs", "securityfs",
                "sockfs", "bpf", "pipefs", "ramfs", "hugetlbfs", "devpts", "fuse", "fusectl", "overlay", "mqueue", "pstore", "autofs", "configfs", "nsfs", "efivarfs"]
    }
}

extension PolicyAudit {
    /// The files a log stream opens on a host, the ones its excludes skip, and the directories it lists.
    public static func hostFiles(_ set: PolicyImplications.FileSet, on host: any Host) -> PolicySummary.HostFiles {
        let e = PathGlob(host: RawNameHost(base: host)).expandAgent(set)
        return PolicySummary.HostFiles(opens: e.files, excluded: e.excluded, lists: e.listed)
    }
}
