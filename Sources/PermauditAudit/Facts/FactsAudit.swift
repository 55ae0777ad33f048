import PermauditCore
import PermauditFacts
import PermauditRules

/// What an audit of a facts file found: who was judged, the host, one finding per rule and object.
public struct FactsAuditOutcome: Sendable {
    public var principal: Principal
    public var host: AuditReport.HostInfo
    public var findings: [Finding]

    public init(principal: Principal, host: AuditReport.HostInfo, findings: [Finding]) {
        self.principal = principal
        self.host = host
        self.findings = findings
    }
}

/// One object of a facts file explained (`explain --facts FILE OBJECT --access RIGHTS`).
public struct FactsExplanation: Sendable {
    public var verdict: AccessDecision.Verdict
    public var text: String
    public var json: String

    public init(verdict: AccessDecision.Verdict, text: String, json: String) {
        self.verdict = verdict
        self.text = text
        self.json = json
    }
}

/// The one place that picks a platform's evaluator for a facts file.
public enum FactsAudit {
    /// Every rule of the profile judged from the facts; rules of other platforms are not-applicable.
    /// - Throws: `FactsFileError` when an item a rule reads is malformed (exit 2).
    public static func run(_ facts: FactsFile, rules: [Rule], profile: Profile, integrations: Set<String>?) throws(FactsFileError) -> FactsAuditOutcome {
        switch facts.platform {
        case .windows: try WindowsFactsAuditor(facts: facts, profile: profile, integrations: integrations).run(rules)
        case .macos: try MacFactsAuditor(facts: facts, profile: profile, integrations: integrations).run(rules)
        }
    }

    /// One object of the facts, for one access (`0x2001F`, `query-value,set-value`, `read`).
    /// - Throws: `FactsFileError` for malformed facts, `FactsQueryError` for an object or access it does not know.
    public static func explain(_ facts: FactsFile, object: String, access: String, profile: Profile, color: Bool) throws -> FactsExplanation {
        switch facts.platform {
        case .windows: try WindowsFactsAuditor(facts: facts, profile: profile, integrations: nil).explain(object: object, access: access, color: color)
        case .macos: try MacFactsAuditor(facts: facts, profile: profile, integrations: nil).explain(object: object, access: access, color: color)
        }
    }

    /// Why a rule does not apply to a facts file of `platform`, or nil when it does (shared by the platforms).
    static func notApplicable(_ rule: Rule, platform: FactsFile.Platform, integrations: Set<String>?) -> String? {
        let mine: Platform = platform == .windows ? .windows : .macos
        if !rule.platforms.contains(mine) {
            let theirs = rule.platforms.sorted().map { $0 == .linux ? "Linux" : $0 == .windows ? "Windows" : "macOS" }.joined(separator: ", ")
            return "\(theirs) rule: this is a \(platform.displayName) facts file"
        }
        if let enabled = integrations, !rule.integrations.isEmpty, !rule.integrations.contains(where: { Auditor.integration($0, isIn: enabled) }) {
            return "needed by \(rule.integrations.joined(separator: ", ")), none of which is enabled (--integration \(enabled.sorted().joined(separator: ",")))"
        }
        return nil
    }

    /// A finding of a facts rule, with the rule's texts.
    static func finding(_ rule: Rule, object: String, state: Finding.State, message: String, evidence: [String] = []) -> Finding {
        Finding(
            ruleID: rule.id, ruleTitle: rule.title, severity: rule.severity, object: object, state: state, message: message,
            symptom: rule.symptom, evidence: evidence, documentedFix: rule.documentedFix, leastPrivilegeFix: rule.leastPrivilegeFix,
            warning: rule.warning, integrations: rule.integrations, remedy: rule.remedy)
    }

    /// The report's host block for a facts file.
    static func hostInfo(_ facts: FactsFile) -> AuditReport.HostInfo {
        let base = facts.file.split(separator: "/").last.map(String.init) ?? facts.file
        return AuditReport.HostInfo(
            hostname: facts.host.name, root: "facts:" + base, osID: facts.platform.rawValue, osLike: [],
            kernel: "\(facts.host.os.name) \(facts.host.os.version) (build \(facts.host.os.build))")
    }
}

/// An object or access `explain --facts` does not know (exit 2).
public struct FactsQueryError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
