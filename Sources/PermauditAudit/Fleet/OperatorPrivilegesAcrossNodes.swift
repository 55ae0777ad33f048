import PermauditCore

/// One node's operator-privileges configuration as its JSON report records it
/// (`elasticsearch.operatorPrivileges`, see `OperatorPrivilegesDigest`).
public struct NodeOperatorPrivileges: Sendable, Hashable {
    public var configDir: String
    /// `xpack.security.operator_privileges.enabled` as written (nil: not set).
    public var setting: String?
    public var enabled: Bool
    /// `present`, `absent` or `unreadable`.
    public var operatorUsersFile: String
    public var operatorUsersSHA256: String?
    /// Equal on two nodes exactly when both the setting and the file agree.
    public var digest: String

    public init(configDir: String, setting: String?, enabled: Bool, operatorUsersFile: String, operatorUsersSHA256: String?, digest: String) {
        self.configDir = configDir
        self.setting = setting
        self.enabled = enabled
        self.operatorUsersFile = operatorUsersFile
        self.operatorUsersSHA256 = operatorUsersSHA256
        self.digest = digest
    }

    /// What the file part says: its sha256 when present, else its state.
    var fileIdentity: String { operatorUsersSHA256 ?? operatorUsersFile }
}

/// The Elasticsearch docs: operator privileges must be enabled (or disabled) on every node of a cluster and
/// the same `operator_users.yml` distributed to every node; a mix gives inconsistent behaviour. The nodes
/// of a fleet (the hosts whose report has an `elasticsearch` object) grouped by digest, the majority group,
/// and every node that differs from it with what differs. Hosts that reported no node are not counted.
public struct OperatorPrivilegesAcrossNodes: Sendable, Hashable {
    /// A split fleet weighs as a failing finding of this severity (for `merge --fail-on`).
    public static let severity = Severity.high

    /// What differs on a node from the majority (or, without one, from some other node).
    public enum Aspect: String, Sendable, Hashable, CaseIterable {
        /// `xpack.security.operator_privileges.enabled`.
        case setting
        /// `operator_users.yml`: present or not, and its bytes.
        case file
    }

    /// The nodes whose digest is the same: they agree on the setting and the file.
    public struct Group: Sendable, Hashable {
        public var digest: String
        public var enabled: Bool
        public var operatorUsersFile: String
        public var operatorUsersSHA256: String?
        /// Node (host) names, sorted.
        public var nodes: [String]
    }

    public struct Differing: Sendable, Hashable {
        public var node: String
        public var digest: String
        public var differs: [Aspect]
    }

    /// Every node, by host name.
    public var nodes: [String: NodeOperatorPrivileges]
    /// Hosts whose report has no `elasticsearch` object (not a node, or not audited with its profile), sorted.
    public var notNodes: [String]
    /// Most nodes first, then by digest.
    public var groups: [Group]
    /// The group with more nodes than any other; nil on a tie (or without nodes).
    public var majority: Group?
    /// Every node not in the majority group (every node when there is none), by name.
    public var differing: [Differing]

    /// Every node says the same (or there is at most one node).
    public var agree: Bool { groups.count <= 1 }

    public init(hosts: [FleetView.HostReport]) {
        var nodes: [String: NodeOperatorPrivileges] = [:]
        var notNodes: [String] = []
        for h in hosts {
            if let e = h.elasticsearch { nodes[h.name] = e } else { notNodes.append(h.name) }
        }
        self.nodes = nodes
        self.notNodes = notNodes.sorted()
        groups = Dictionary(grouping: nodes, by: { $0.value.digest }).compactMap { digest, members in
            guard let first = members.min(by: { $0.key < $1.key })?.value else { return nil }
            return Group(digest: digest, enabled: first.enabled, operatorUsersFile: first.operatorUsersFile,
                         operatorUsersSHA256: first.operatorUsersSHA256, nodes: members.map(\.key).sorted())
        }.sorted { ($0.nodes.count, $1.digest) > ($1.nodes.count, $0.digest) }
        if groups.count >= 1, groups.count == 1 || groups[0].nodes.count > groups[1].nodes.count { majority = groups[0] } else { majority = nil }
        let majority = self.majority
        let groups = self.groups
        differing = nodes.filter { $0.value.digest != majority?.digest }.sorted { $0.key < $1.key }.map { name, node in
            // Against the majority when there is one, else against every other group.
            let others = majority.map { [$0] } ?? groups.filter { $0.digest != node.digest }
            var what: [Aspect] = []
            if others.contains(where: { $0.enabled != node.enabled }) { what.append(.setting) }
            if others.contains(where: { ($0.operatorUsersSHA256 ?? $0.operatorUsersFile) != node.fileIdentity }) { what.append(.file) }
            return Differing(node: name, digest: node.digest, differs: what)
        }
    }

    /// `3 nodes, 1 differs on operator privileges` / `2 nodes agree on operator privileges`.
    public var summaryLine: String {
        let n = nodes.count
        let s = "\(n) Elasticsearch node\(n == 1 ? "" : "s")"
        if agree { return s + (n == 1 ? " (nothing to compare)" : " agree on operator privileges") }
        return s + ", \(differing.count) differ\(differing.count == 1 ? "s" : "") on operator privileges"
    }

    /// `enabled, operator_users.yml present (sha256 …)`.
    public static func describe(enabled: Bool, file: String, sha256: String?) -> String {
        let f = file == "absent" ? "missing" : file
        return (enabled ? "enabled" : "disabled") + ", operator_users.yml " + f + (sha256.map { " (sha256 \($0))" } ?? "")
    }

    /// What one differing node says against the majority: `setting (disabled, majority enabled); file (…)`.
    public func differenceNote(_ d: Differing) -> String {
        guard let node = nodes[d.node] else { return "" }
        return d.differs.map { aspect in
            switch aspect {
            case .setting:
                let written = node.setting.map { "\(ElasticsearchNodeFiles.operatorPrivilegesKey): \($0)" } ?? "\(ElasticsearchNodeFiles.operatorPrivilegesKey) not set"
                return "setting \(node.enabled ? "enabled" : "disabled") (\(written))" + (majority.map { ", majority \($0.enabled ? "enabled" : "disabled")" } ?? "")
            case .file:
                let mine = node.operatorUsersSHA256.map { "sha256 \($0)" } ?? (node.operatorUsersFile == "absent" ? "missing" : node.operatorUsersFile)
                let theirs = majority.map { m in m.operatorUsersSHA256.map { "sha256 \($0)" } ?? (m.operatorUsersFile == "absent" ? "missing" : m.operatorUsersFile) }
                return "operator_users.yml \(mine)" + (theirs.map { ", majority \($0)" } ?? "")
            }
        }.joined(separator: "; ")
    }
}
