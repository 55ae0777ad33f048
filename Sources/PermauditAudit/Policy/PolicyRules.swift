import PermauditCore
import PermauditRules

/// The rules a policy's needs are judged by when no catalog rule knows the object: a custom log path, a
/// directory a glob lists, a mount, an event channel, a part of the policy whose fate cannot be told.
enum PolicyRules {
    static func rule(_ id: String, _ title: String, severity: Severity, check: RuleCheck, symptom: String, fix: String, remedy: Remedy) -> Rule {
        Rule(
            id: id, title: title, summary: title, platforms: [.linux], distributions: [], integrations: [], severity: severity, check: check,
            symptom: symptom, documentedFix: fix, leastPrivilegeFix: fix, warning: nil, remedy: remedy, sources: ["the agent's policy"],
            origin: "permaudit (agent policy)")
    }

    static let read = rule(
        "policy.input.read", "The agent reads a file its policy names", severity: .high, check: .pathAccess(paths: [], access: .read),
        symptom: "Harvester could not be started on new file: <path>, Err: error setting up harvester: Harvester setup failed. Unexpected file opening error: Failed opening <path>: open <path>: permission denied",
        fix: "A named-group ACL entry for the agent's group on the file (setfacl -m g:elastic-agent:r), and search on the directories above it.", remedy: .logACL)

    static let list = rule(
        "policy.input.list", "The agent lists a directory to expand its policy's glob", severity: .high, check: .pathAccess(paths: [], access: .list),
        symptom: "Glob could not be expanded: open <dir>: permission denied (no file below it is harvested)",
        fix: "A named-group ACL entry for the agent's group on the directory (setfacl -m g:elastic-agent:rx).", remedy: .acl)

    static let statfs = rule(
        "policy.filesystem.statfs", "The filesystem metricset stats a mount", severity: .medium, check: .mountStatfs(paths: []),
        symptom: "error getting filesystem usage for <mount>: error in Statfs syscall: permission denied",
        fix: "Search on the directories above the mount point, or ignore the mount in the policy (filesystem.ignore_types or a drop_event processor).", remedy: .acl)

    static let unknown = rule(
        "policy.input.unknown", "A part of the policy whose effect permaudit cannot tell", severity: .medium, check: .pathAccess(paths: [], access: .read),
        symptom: "(depends on the input)", fix: "Resolve the variable or condition (elastic-agent inspect prints the policy with variables substituted).", remedy: .none)

    static let off = rule(
        "policy.input.off", "A part of the policy the agent does not run here", severity: .info, check: .pathAccess(paths: [], access: .read),
        symptom: "(none: the input or stream is off)", fix: "Nothing to do on this host.", remedy: .none)

    static let channel = rule(
        "policy.winlog.channel", "The agent reads a Windows event channel its policy names", severity: .high, check: .pathAccess(paths: [], access: .read),
        symptom: "failed to open event log: Access is denied.", fix: "Add the agent's user to Event Log Users, or grant read in the channel's ChannelAccess SDDL.", remedy: .none)
}
