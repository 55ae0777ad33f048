import PermauditRules

/// `requires-root`: integrations that need a privileged agent are not enabled on an unprivileged one.
struct RequiresRootCheck {
    let auditor: Auditor
    let rule: Rule

    func run(integrations: [String], blocking: Bool) -> [Finding] {
        let enabled = auditor.integrations ?? Set(auditor.profile.defaultIntegrations)
        let on = integrations.filter { Auditor.integration($0, isIn: enabled) }
        let object = "integrations " + integrations.joined(separator: ",")
        guard !on.isEmpty else {
            return [auditor.finding(rule, object: object, state: .notApplicable, message: "none of \(integrations.joined(separator: ", ")) is enabled" + (auditor.integrations == nil ? " in the profile's default integrations (say --integration to audit a policy)" : ""))]
        }
        if auditor.principal.uid == 0 {
            return [auditor.finding(rule, object: object, state: .pass, message: "the agent runs as root: \(on.joined(separator: ", ")) can run")]
        }
        let verb = blocking ? "refuse to run" : "are incomplete (Fleet warns)"
        return [auditor.finding(rule, object: object, state: .fail, message: "\(on.joined(separator: ", ")) \(verb) without root")]
    }
}
