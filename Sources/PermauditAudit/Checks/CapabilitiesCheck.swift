import PermauditCore
import PermauditRules

/// `capabilities`: the principal holds what a data stream needs, or holds none that amount to root.
struct CapabilitiesCheck {
    let auditor: Auditor
    let rule: Rule

    func run(needed: [String], tooBroad: [String]) -> [Finding] {
        let p = auditor.principal
        let who = p.userName ?? String(p.uid)
        let held = "\(who) holds \(p.capabilities) (\(p.origin))"
        if !needed.isEmpty {
            let missing = needed.compactMap(Capability.init(name:)).filter { !p.capabilities.contains($0) }
            let object = "capabilities " + needed.joined(separator: ",")
            if missing.isEmpty { return [auditor.finding(rule, object: object, state: .pass, message: "\(who) holds \(needed.joined(separator: ", "))", evidence: [held])] }
            return [auditor.finding(rule, object: object, state: .fail, message: "\(who) lacks \(missing.map(\.name).joined(separator: ", "))", evidence: [held])]
        }
        let excess = tooBroad.compactMap(Capability.init(name:)).filter { p.capabilities.contains($0) }
        if excess.isEmpty {
            return [auditor.finding(rule, object: "capabilities", state: .pass, message: "\(who) holds none of \(tooBroad.joined(separator: ", "))", evidence: [held])]
        }
        return excess.map { cap in
            auditor.finding(rule, object: "capability " + cap.name, state: .fail, message: "\(who) holds \(cap.name), which is root in all but name", evidence: [held])
        }
    }
}
