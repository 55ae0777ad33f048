import PermauditCore

/// Everything one audit found, with what is needed to render it in any format.
public struct AuditReport: Sendable, Hashable, Codable {
    /// The JSON report's schema version (`Reports/schema/report.schema.json`).
    public static let schemaVersion = "1.1"
    public static let toolVersion = "0.1.0"

    public struct HostInfo: Sendable, Hashable, Codable {
        public var hostname: String
        /// `/`, or the folder given with `--root`.
        public var root: String
        /// `/etc/os-release` ID and ID_LIKE.
        public var osID: String
        public var osLike: [String]
        public var kernel: String?
        public init(hostname: String, root: String, osID: String, osLike: [String], kernel: String? = nil) {
            self.hostname = hostname
            self.root = root
            self.osID = osID
            self.osLike = osLike
            self.kernel = kernel
        }
    }

    public var host: HostInfo
    public var principal: Principal
    public var profile: String
    /// ISO 8601 UTC; fixed in golden examples.
    public var generatedAt: String
    public var findings: [Finding]
    /// An Elasticsearch node's operator-privileges digest (profile `elasticsearch-node`), for the fleet view.
    public var elasticsearch: OperatorPrivilegesDigest?
    /// The agent policy the audit followed (nil: not said, as in reports made before policies were read).
    public var agentPolicy: AgentPolicyUse?

    public init(
        host: HostInfo, principal: Principal, profile: String, generatedAt: String, findings: [Finding],
        elasticsearch: OperatorPrivilegesDigest? = nil, agentPolicy: AgentPolicyUse? = nil
    ) {
        self.elasticsearch = elasticsearch
        self.agentPolicy = agentPolicy
        self.host = host
        self.principal = principal
        self.profile = profile
        self.generatedAt = generatedAt
        self.findings = findings
    }

    /// How many findings are in each state.
    public var counts: [Finding.State: Int] {
        var c: [Finding.State: Int] = [:]
        for f in findings { c[f.state, default: 0] += 1 }
        return c
    }

    /// The exit status of `audit`: 1 when a finding at or above `failOn` failed (or was unknown, with `failOnUnknown`).
    public func exitStatus(failOn: Severity, failOnUnknown: Bool) -> Int32 {
        let failing = findings.contains { f in
            f.severity >= failOn && (f.state == .fail || f.state == .error || (failOnUnknown && f.state == .unknown))
        }
        return failing ? 1 : 0
    }
}

/// The output formats of `audit` (and `fix --emit json` uses the JSON writer too).
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, sarif, junit, ecs, markdown, html
}
