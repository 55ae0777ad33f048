import Glibc
import PermauditCore
import PermauditHost
import PermauditRules

/// Runs the catalog's rules against a host for one principal and returns one finding per rule and object.
/// It only reads: nothing on the host is changed.
public struct Auditor: Sendable {
    public let host: any Host
    public let principal: Principal
    public let profile: Profile
    /// The integrations enabled: `--integration`, or nil for "not narrowed" (every rule applies).
    public let integrations: Set<String>?
    /// The profile's configuration folder (`${config-dir}` in rule paths): `--config-dir`, its env variable, or its default.
    public let configDir: String?
    /// Every rule of the run (a `must-not-reach … holds:` check weighs the others' needs).
    var catalogRules: [Rule] = []
    let evaluator: AccessEvaluator

    public init(host: any Host, principal: Principal, profile: Profile, integrations: Set<String>?, configDir: String? = nil) {
        self.host = host
        self.principal = principal
        self.profile = profile
        self.integrations = integrations
        self.configDir = configDir ?? profile.configDir
        evaluator = AccessEvaluator(source: host)
    }

    public func run(_ rules: [Rule]) -> [Finding] {
        var me = self
        me.catalogRules = rules.filter { profile.includes(ruleID: $0.id) }
        return me.runSelected(rules)
    }

    func runSelected(_ rules: [Rule]) -> [Finding] {
        let os = host.osRelease
        let ids = [os["ID"]].compactMap { $0 } + (os["ID_LIKE"]?.split(separator: " ").map(String.init) ?? [])
        var findings: [Finding] = []
        for rule in rules where profile.includes(ruleID: rule.id) {
            if let why = notApplicable(rule, distributionIDs: ids, osName: os["PRETTY_NAME"] ?? os["ID"] ?? "this host") {
                findings.append(finding(rule, object: objectName(rule), state: .notApplicable, message: why))
                continue
            }
            findings += evaluate(rule)
        }
        return findings
    }

    /// Why a rule does not apply here, or nil when it does.
    func notApplicable(_ rule: Rule, distributionIDs: [String], osName: String) -> String? {
        if !rule.platforms.contains(.linux) {
            let platform = rule.platforms.contains(.windows) ? "Windows" : "macOS"
            return "\(platform) rule: evaluated from a facts file gathered on \(platform), not on this Linux host"
                + (Self.macOSFileNote(rule).map { "; " + $0 } ?? "")
        }
        if !rule.distributions.isEmpty, !rule.distributions.contains(where: distributionIDs.contains) {
            return "for \(rule.distributions.joined(separator: ", ")); this host is \(osName)"
        }
        if let enabled = integrations, !rule.integrations.isEmpty, !rule.integrations.contains(where: { Self.integration($0, isIn: enabled) }) {
            return "needed by \(rule.integrations.joined(separator: ", ")), none of which is enabled (--integration \(enabled.sorted().joined(separator: ",")))"
        }
        return nil
    }

    /// For a macOS file the documentation also names in its Linux rows (/var/log/system.log): what it means on Linux.
    static func macOSFileNote(_ rule: Rule) -> String? {
        guard case .macos(.path, let f) = rule.check, let path = f["path"] else { return nil }
        return "\(path) is a macOS file, absent on Linux: where the documentation's Linux rows name it, the Linux data is /var/log/syslog or /var/log/messages (linux.syslog.read, linux.messages.read)"
    }

    /// `system` enables `system.auth`; `system.auth` enables only itself.
    static func integration(_ name: String, isIn enabled: Set<String>) -> Bool {
        enabled.contains(name) || enabled.contains { name.hasPrefix($0 + ".") }
    }

    func evaluate(_ rule: Rule) -> [Finding] {
        switch rule.check {
        case .pathAccess(let paths, let access): PathAccessCheck(auditor: self, rule: rule).run(paths: paths.map(path), access: access)
        case .mountStatfs(let paths): MountStatfsCheck(auditor: self, rule: rule).run(paths: paths)
        case .groupMembership(let needed, let broad, let requires): GroupMembershipCheck(auditor: self, rule: rule).run(needed: needed, tooBroad: broad, requires: requires)
        case .capabilities(let needed, let broad): CapabilitiesCheck(auditor: self, rule: rule).run(needed: needed, tooBroad: broad)
        case .processVisibility(let needed): ProcessVisibilityCheck(auditor: self, rule: rule).run(needed: needed)
        case .controlSocket(let paths): ControlSocketCheck(auditor: self, rule: rule).run(paths: paths)
        case .requiresRoot(let list, let blocking): RequiresRootCheck(auditor: self, rule: rule).run(integrations: list, blocking: blocking)
        case .windows, .macos: [finding(rule, object: objectName(rule), state: .notApplicable, message: "not evaluated on Linux")]
        case .defined(let c):
            (c.base as? any CheckEvaluator)?.evaluate(rule, auditor: self)
                ?? [finding(rule, object: objectName(rule), state: .error, message: "this permaudit has no evaluator for check kind \(c.kind)")]
        }
    }

    /// What a rule's finding is about when it is not one object of a glob.
    func objectName(_ rule: Rule) -> String {
        switch rule.check {
        case .pathAccess(let paths, _), .mountStatfs(let paths), .controlSocket(let paths): paths.map(path).joined(separator: " ")
        case .groupMembership(let needed, let broad, _): "groups: " + (needed.isEmpty ? broad : needed).joined(separator: ",")
        case .capabilities(let needed, let broad): "capabilities: " + (needed.isEmpty ? broad : needed).joined(separator: ",")
        case .processVisibility: "/proc"
        case .requiresRoot(let list, _): "integrations: " + list.joined(separator: ",")
        case .windows(_, let f): f["channel"] ?? f["key"] ?? f["volume"] ?? f["privilege"] ?? f["pipe"] ?? f["group-sid"] ?? rule.id
        case .macos(_, let f): f["path"] ?? f["group"] ?? rule.id
        case .defined(let c): path(c.base.objectName)
        }
    }

    func finding(_ rule: Rule, object: String, access: Access? = nil, state: Finding.State, message: String, decision: AccessDecision? = nil, evidence: [String] = []) -> Finding {
        Finding(
            ruleID: rule.id, ruleTitle: rule.title, severity: rule.severity, object: object, access: access, state: state,
            message: message, symptom: rule.symptom, decision: decision, evidence: evidence, documentedFix: rule.documentedFix,
            leastPrivilegeFix: rule.leastPrivilegeFix, warning: rule.warning, integrations: rule.integrations,
            remedy: rule.remedy, grants: Self.grants(of: rule.check),
            definedAt: DefiningFile.locate(object, rule: rule, principal: principal, host: host))
    }

    /// The groups or capabilities a check says the principal needs: what a group or capability remedy grants.
    static func grants(of check: RuleCheck) -> [String] {
        switch check {
        case .groupMembership(let needed, _, _), .capabilities(let needed, _), .processVisibility(let needed): needed
        default: []
        }
    }

    /// The state a decision gives a finding.
    func state(of d: AccessDecision) -> Finding.State {
        switch d.verdict {
        case .granted: .pass
        case .denied: .fail
        case .unknown: .unknown
        }
    }

    /// A rule path with `${config-dir}` replaced by this audit's configuration folder.
    func path(_ p: String) -> String { ConfigDir.expand(p, configDir: configDir) }

    /// The gid of a group name on this host.
    func gid(_ name: String) -> UInt32? { host.accounts.group(named: name)?.gid }
}
