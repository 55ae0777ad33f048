import PermauditCore
import PermauditHost
import PermauditRules

/// `control-socket`: an operator in the agent's group can connect to the agent's control socket
/// (connecting to a Unix socket needs write on it and search on the way).
struct ControlSocketCheck {
    let auditor: Auditor
    let rule: Rule

    func run(paths: [String]) -> [Finding] {
        let existing = paths.filter { if case .found = auditor.host.lookup($0) { return true } else { return false } }
        guard let socket = existing.first else {
            // Not found is not the same as not there: a socket below a folder permaudit cannot look in is unknown.
            let unseen = paths.compactMap { p -> String? in
                if case .unreadable(let errno, let reason) = auditor.host.lookup(p) { return "\(p): \(reason) (\(errno))" } else { return nil }
            }
            if !unseen.isEmpty {
                return [auditor.finding(rule, object: paths.joined(separator: " "), state: .unknown, message: "permaudit cannot look for the control socket: \(unseen.joined(separator: "; "))")]
            }
            return [auditor.finding(rule, object: paths.joined(separator: " "), state: .notApplicable, message: "no control socket (\(paths.joined(separator: ", "))): the agent is not installed or not running")]
        }
        let group = auditor.profile.group
        guard let gid = auditor.gid(group) else {
            return [auditor.finding(rule, object: socket, state: .fail, message: "there is no group \(group) for operators to join")]
        }
        let operatorPrincipal = Principal(uid: PrincipalResolver.plannedUID, gid: gid, groups: [gid], userName: "an operator in \(group)", groupNames: [gid: group], origin: "an operator in the agent's group")
        let d = auditor.evaluator.decide(socket, .write, for: operatorPrincipal)
        let message = d.verdict == .granted ? "operators in \(group) can connect to \(socket)" : "operators in \(group) cannot connect to \(socket): \(d.reason)"
        return [auditor.finding(rule, object: socket, access: .write, state: auditor.state(of: d), message: message, decision: d)]
    }
}
