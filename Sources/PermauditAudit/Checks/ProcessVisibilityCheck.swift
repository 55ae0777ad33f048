import PermauditCore
import PermauditRules

/// `process-visibility`: other users' processes are visible (no `hidepid=` that hides them from the
/// principal) and their ptrace-gated details readable (the needed capabilities).
struct ProcessVisibilityCheck {
    let auditor: Auditor
    let rule: Rule

    func run(needed: [String]) -> [Finding] {
        let p = auditor.principal
        let who = p.userName ?? String(p.uid)
        var problems: [String] = []
        var evidence: [String] = []
        // The proc mount a lookup of /proc reaches (in a container, the one on top) decides hidepid=.
        if let proc = auditor.host.mount(containing: "/proc"), proc.mountPoint == "/proc", proc.fsType == "proc" {
            let hide = proc.option("hidepid")
            evidence.append("/proc mounted with \((proc.mountOptions + proc.superOptions).joined(separator: ","))")
            if let hide, !["0", "off"].contains(hide) {
                let allowed = proc.option("gid").flatMap(UInt32.init)
                if allowed.map({ p.isMember(of: $0) }) != true, !p.capabilities.contains(.sysPtrace) {
                    problems.append("/proc is mounted hidepid=\(hide)" + (allowed.map { " and \(who) is not in its gid=\($0)" } ?? " without gid=") + ": other users' processes are hidden")
                }
            }
        }
        let missing = needed.compactMap(Capability.init(name:)).filter { !p.capabilities.contains($0) }
        evidence.append("\(who) holds \(p.capabilities) (\(p.origin))")
        if !missing.isEmpty, p.uid != 0 {
            problems.append("\(who) lacks \(missing.map(\.name).joined(separator: ", ")): other users' /proc/<pid> details are refused")
        }
        if problems.isEmpty { return [auditor.finding(rule, object: "/proc", state: .pass, message: "\(who) sees other users' processes", evidence: evidence)] }
        return [auditor.finding(rule, object: "/proc", state: .fail, message: problems.joined(separator: "; "), evidence: evidence)]
    }
}
