import PermauditCore
import PermauditRules

/// `mount-statfs`: the principal can `statfs` the mounts the globs match. A FUSE mount of another user
/// without `allow_other` refuses it whatever the permission bits and groups say.
struct MountStatfsCheck {
    let auditor: Auditor
    let rule: Rule

    func run(paths: [String]) -> [Finding] {
        var findings: [Finding] = []
        var seen = Set<RawPath>()
        for pattern in paths {
            let fromMounts = auditor.host.mountTable.mounts.map(\.mountPoint).filter { Self.matches(pattern, $0) }.map { RawPath($0) }
            let expansion = PathGlob(host: auditor.host).expand(pattern)
            // A folder permaudit could not look in, where the mount table shows no match either: unknown, not
            // "not mounted".
            for (dir, reason) in expansion.unreadable where !fromMounts.contains(where: { $0.display.hasPrefix(dir + "/") }) {
                findings.append(auditor.finding(rule, object: pattern, access: .statfs, state: .unknown, message: "permaudit cannot look in \(dir) to expand \(pattern): \(reason)"))
            }
            for path in (fromMounts + expansion.matches).sorted() where seen.insert(path).inserted {
                let d = auditor.evaluator.decide(path, .statfs, for: auditor.principal)
                var evidence: [String] = []
                if let m = auditor.host.mount(containing: path), m.mountPoint == path.display {
                    evidence.append("mount: \(m.mountPoint) type \(m.fsType) options \((m.mountOptions + m.superOptions).joined(separator: ","))")
                    if m.fuseOwnerOnly != nil, d.verdict == .denied {
                        evidence.append("no group membership (adm included) and no capability changes this: only the mount's own user gets in")
                    }
                }
                let message = d.verdict == .granted ? "statfs reaches \(path)" : d.reason
                findings.append(auditor.finding(rule, object: path.display, access: .statfs, state: auditor.state(of: d), message: message, decision: d, evidence: evidence))
            }
        }
        if findings.isEmpty {
            findings.append(auditor.finding(rule, object: paths.joined(separator: " "), access: .statfs, state: .notApplicable, message: "no \(paths.joined(separator: " or ")) mounted on this host"))
        }
        return findings
    }

    /// Matches a glob against a whole path, component by component.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let p = pattern.split(separator: "/"), s = path.split(separator: "/")
        return p.count == s.count && zip(p, s).allSatisfy { Glob.matches(String($0), String($1)) }
    }
}
