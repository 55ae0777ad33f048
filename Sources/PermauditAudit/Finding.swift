import PermauditCore
import PermauditRules

/// One rule on one object: the unit every report lists.
public struct Finding: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable, Hashable {
        case pass, fail, unknown
        case notApplicable = "not-applicable"
        case error
    }

    public var ruleID: String
    public var ruleTitle: String
    public var severity: Severity
    /// What the rule looked at: a path, a group, a capability, a channel, a registry key.
    public var object: String
    /// The access the rule needs on the object, for path rules.
    public var access: Access?
    public var state: State
    /// One sentence: what was found (for unknown and not-applicable, why).
    public var message: String
    /// What the user sees in the agent's logs when this fails (the exact error text).
    public var symptom: String?
    /// The access engine's decision with every step, for path rules.
    public var decision: AccessDecision?
    /// Further evidence lines for checks that are not a path walk (group membership, capabilities, mounts).
    public var evidence: [String]
    /// The fix the product documentation gives.
    public var documentedFix: String?
    /// The narrowest fix that works.
    public var leastPrivilegeFix: String?
    /// What the documented fix also opens or why it does not work, when it is too broad or wrong.
    public var warning: String?
    /// Integrations (data streams) that need this.
    public var integrations: [String]
    /// What a fix plan can do about a failure (the rule's `remedy`).
    public var remedy: Remedy?
    /// What that remedy grants, for group and capability remedies: the groups or capabilities the check needs.
    public var grants: [String]
    /// The file that defines an object that is not a path (a group is defined in `/etc/group`, a
    /// unit's capabilities in its unit file, a Windows object by its rule): where SARIF points.
    public var definedAt: SourceLocation?

    public init(
        ruleID: String, ruleTitle: String, severity: Severity, object: String, access: Access? = nil, state: State,
        message: String, symptom: String? = nil, decision: AccessDecision? = nil, evidence: [String] = [],
        documentedFix: String? = nil, leastPrivilegeFix: String? = nil, warning: String? = nil, integrations: [String] = [],
        remedy: Remedy? = nil, grants: [String] = [], definedAt: SourceLocation? = nil
    ) {
        self.ruleID = ruleID
        self.ruleTitle = ruleTitle
        self.severity = severity
        self.object = object
        self.access = access
        self.state = state
        self.message = message
        self.symptom = symptom
        self.decision = decision
        self.evidence = evidence
        self.documentedFix = documentedFix
        self.leastPrivilegeFix = leastPrivilegeFix
        self.warning = warning
        self.integrations = integrations
        self.remedy = remedy
        self.grants = grants
        self.definedAt = definedAt
    }

    /// Stable across runs and hosts for the same rule and object: the SARIF fingerprint and the drift key.
    public var fingerprint: String { Fingerprint.fnv1a64("\(ruleID)\u{0}\(object)") }
}

public enum Fingerprint {
    /// FNV-1a 64-bit, as 16 hex digits: stable, dependency-free, enough for keys (not for security).
    public static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
