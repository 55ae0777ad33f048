import PermauditCore
import PermauditRules

/// `path-access`: the principal needs the access on every object the globs match, rotated copies included.
struct PathAccessCheck {
    let auditor: Auditor
    let rule: Rule

    func run(paths: [String], access: Access) -> [Finding] {
        var findings: [Finding] = []
        let glob = PathGlob(host: auditor.host)
        for pattern in paths {
            let expansion = glob.expand(pattern)
            for (dir, reason) in expansion.unreadable {
                findings.append(auditor.finding(rule, object: pattern, access: access, state: .unknown, message: "permaudit cannot look in \(dir) to expand \(pattern): \(reason)"))
            }
            for path in expansion.matches {
                let d = auditor.evaluator.decide(path, access, for: auditor.principal)
                if d.verdict == .denied, d.cause == .missing, d.blocked == path {
                    continue  // vanished between listing and judging: a live host changes
                }
                let who = auditor.principal.userName ?? String(auditor.principal.uid)
                let message = switch d.verdict {
                case .granted: "\(who) can \(access.rawValue) \(path)"
                case .denied: "\(who) cannot \(access.rawValue) \(path): \(d.reason)"
                case .unknown: "permaudit could not decide: \(d.reason)"
                }
                findings.append(auditor.finding(rule, object: path.display, access: access, state: auditor.state(of: d), message: message, decision: d))
            }
        }
        if findings.isEmpty {
            findings.append(auditor.finding(rule, object: paths.joined(separator: " "), access: access, state: .notApplicable, message: "no \(paths.joined(separator: " or ")) on this host"))
        }
        return findings
    }
}
