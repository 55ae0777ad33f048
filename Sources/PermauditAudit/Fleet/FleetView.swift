import PermauditCore

/// The fleet view of many hosts' JSON reports (`permaudit merge`): per rule, which hosts fail, pass, are
/// unknown or not applicable; the hosts that differ from the majority on a rule; and every host whose
/// report is missing, unreadable or of another version, named (never silently dropped).
public struct FleetView: Sendable, Hashable {
    /// The fleet JSON's schema version (`Reports/schema/fleet.schema.json`).
    public static let schemaVersion = "1.1"

    /// What one host's report says, as far as the fleet view needs it.
    public struct HostReport: Sendable, Hashable {
        /// The host as the fleet knows it: the report's file name without `.json` (Ansible's inventory name).
        public var name: String
        /// The host name the report itself gives (a chroot reports its parent's).
        public var hostname: String
        public var root: String
        public var osID: String
        public var principal: String
        public var profile: String
        public var generatedAt: String
        public var schemaVersion: String
        public var findings: [HostFinding]
        /// The report's `elasticsearch.operatorPrivileges`, when the host is an Elasticsearch node.
        public var elasticsearch: NodeOperatorPrivileges?

        public init(name: String, hostname: String, root: String, osID: String, principal: String, profile: String, generatedAt: String, schemaVersion: String, findings: [HostFinding], elasticsearch: NodeOperatorPrivileges? = nil) {
            self.name = name
            self.hostname = hostname
            self.root = root
            self.osID = osID
            self.principal = principal
            self.profile = profile
            self.generatedAt = generatedAt
            self.schemaVersion = schemaVersion
            self.findings = findings
            self.elasticsearch = elasticsearch
        }
    }

    public struct HostFinding: Sendable, Hashable {
        public var ruleID: String
        public var title: String
        public var severity: Severity
        public var object: String
        public var state: Finding.State
        public init(ruleID: String, title: String, severity: Severity, object: String, state: Finding.State) {
            self.ruleID = ruleID
            self.title = title
            self.severity = severity
            self.object = object
            self.state = state
        }
    }

    /// A host the view could not count, and why.
    public struct Unusable: Sendable, Hashable {
        public enum Reason: String, Sendable, Hashable, CaseIterable {
            case missing, unreadable
            case otherVersion = "other-version"
        }
        public var name: String
        public var reason: Reason
        /// What exactly: the file, the parse error, the version found.
        public var detail: String
        public init(name: String, reason: Reason, detail: String) {
            self.name = name
            self.reason = reason
            self.detail = detail
        }
    }

    /// One rule across the fleet.
    public struct RuleRow: Sendable, Hashable {
        public var ruleID: String
        public var title: String
        public var severity: Severity
        /// Each host's state on the rule (its worst object: fail, error, unknown, pass, not-applicable), by host name.
        public var states: [String: Finding.State]
        /// The objects that failed (or were unknown or in error), by host.
        public var objects: [String: [String]]
        /// The state most hosts are in, when one state has more hosts than any other.
        public var majority: Finding.State?

        /// Hosts in each state, in report order, names sorted.
        public func hosts(in state: Finding.State) -> [String] { states.filter { $0.value == state }.map(\.key).sorted() }

        /// Hosts whose state differs from the majority (every host when there is none).
        public var deviants: [String] { states.filter { $0.value != majority }.map(\.key).sorted() }
    }

    public var hosts: [HostReport]
    public var unusable: [Unusable]
    public var rules: [RuleRow]
    public var generatedAt: String
    /// The nodes' operator-privileges settings and `operator_users.yml` compared across the fleet.
    public var operatorPrivileges: OperatorPrivilegesAcrossNodes

    public init(hosts: [HostReport], unusable: [Unusable], generatedAt: String) {
        self.hosts = hosts.sorted { $0.name < $1.name }
        self.unusable = unusable.sorted { ($0.name, $0.reason.rawValue) < ($1.name, $1.reason.rawValue) }
        self.generatedAt = generatedAt
        operatorPrivileges = OperatorPrivilegesAcrossNodes(hosts: self.hosts)
        var rows: [String: RuleRow] = [:]
        for h in self.hosts {
            for f in h.findings {
                var row = rows[f.ruleID] ?? RuleRow(ruleID: f.ruleID, title: f.title, severity: f.severity, states: [:], objects: [:], majority: nil)
                row.severity = max(row.severity, f.severity)
                if let old = row.states[h.name] {
                    row.states[h.name] = Self.worse(old, f.state)
                } else {
                    row.states[h.name] = f.state
                }
                if f.state == .fail || f.state == .error || f.state == .unknown { row.objects[h.name, default: []].append(f.object) }
                rows[f.ruleID] = row
            }
        }
        rules = rows.values.map { row in
            var r = row
            let counts = Dictionary(grouping: r.states.values, by: { $0 }).mapValues(\.count)
            let top = counts.values.max() ?? 0
            let leaders = counts.filter { $0.value == top }.map(\.key)
            r.majority = leaders.count == 1 ? leaders[0] : nil
            return r
        }.sorted { a, b in
            // What needs action first: rules failing somewhere, by severity, then the others, by id.
            let fa = a.states.values.contains(.fail) || a.states.values.contains(.error), fb = b.states.values.contains(.fail) || b.states.values.contains(.error)
            if fa != fb { return fa }
            if a.severity != b.severity { return a.severity > b.severity }
            return a.ruleID < b.ruleID
        }
    }

    /// The state that needs more attention: fail, error, unknown, pass, not-applicable.
    static func worse(_ a: Finding.State, _ b: Finding.State) -> Finding.State {
        let order = ReportLayout.stateOrder
        return (order.firstIndex(of: a) ?? 0) <= (order.firstIndex(of: b) ?? 0) ? a : b
    }

    /// Rules on which the hosts do not all agree.
    public var disagreements: [RuleRow] { rules.filter { Set($0.states.values).count > 1 } }

    /// `audit --fail-on` over the fleet: 1 when some host fails (or errs) a rule at or above `failOn`;
    /// with `failOnUnknown`, an unknown finding or a host without a usable report fails too. Elasticsearch
    /// nodes that disagree on operator privileges count as a failing high finding.
    public func exitStatus(failOn: Severity, failOnUnknown: Bool) -> Int32 {
        let failing = hosts.contains { h in
            h.findings.contains { f in f.severity >= failOn && (f.state == .fail || f.state == .error || (failOnUnknown && f.state == .unknown)) }
        }
        let split = !operatorPrivileges.agree && failOn <= OperatorPrivilegesAcrossNodes.severity
        return failing || split || (failOnUnknown && !unusable.isEmpty) ? 1 : 0
    }

    /// `3 hosts (1 missing): 12 rules, 4 failing somewhere, 2 disagreements`.
    public var summaryLine: String {
        let n = hosts.count
        var s = "\(n) host\(n == 1 ? "" : "s")"
        if !unusable.isEmpty {
            s += " (" + Unusable.Reason.allCases.compactMap { reason in
                let c = unusable.filter { $0.reason == reason }.count
                return c == 0 ? nil : "\(c) \(reason.rawValue)"
            }.joined(separator: ", ") + ")"
        }
        let failing = rules.filter { !$0.hosts(in: .fail).isEmpty || !$0.hosts(in: .error).isEmpty }.count
        let line = s + ": \(rules.count) rule\(rules.count == 1 ? "" : "s"), \(failing) failing somewhere, \(disagreements.count) where hosts disagree"
        return operatorPrivileges.nodes.isEmpty ? line : line + "; " + operatorPrivileges.summaryLine
    }
}
