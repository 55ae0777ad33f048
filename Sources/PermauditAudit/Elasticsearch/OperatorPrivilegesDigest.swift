/// What a node's report records of its operator-privileges configuration, so that two nodes' reports can be
/// compared (the docs: the feature must be enabled or disabled consistently across the cluster, and the
/// same `operator_users.yml` distributed to every node). The JSON report's `elasticsearch.operatorPrivileges`.
public struct OperatorPrivilegesDigest: Sendable, Hashable, Codable {
    /// The node's config folder.
    public var configDir: String
    /// `xpack.security.operator_privileges.enabled` as written (nil: not set, the feature is off).
    public var setting: String?
    public var enabled: Bool
    /// `present`, `absent` or `unreadable`.
    public var operatorUsersFile: String
    /// SHA-256 of `operator_users.yml`'s bytes, when present.
    public var operatorUsersSHA256: String?
    /// `sha256:` of the setting and the file's digest together: equal on two nodes iff both agree.
    public var digest: String

    /// The digest as a report records it (the fleet view reads it back).
    public init(configDir: String, setting: String?, enabled: Bool, operatorUsersFile: String, operatorUsersSHA256: String?, digest: String) {
        self.configDir = configDir
        self.setting = setting
        self.enabled = enabled
        self.operatorUsersFile = operatorUsersFile
        self.operatorUsersSHA256 = operatorUsersSHA256
        self.digest = digest
    }

    public init(files: ElasticsearchNodeFiles) {
        configDir = files.configDir
        if case .success(let s?) = files.operatorPrivileges { setting = s.value } else { setting = nil }
        enabled = files.operatorPrivilegesEnabled
        switch files.operatorUsersFile {
        case .text(let t):
            operatorUsersFile = "present"
            operatorUsersSHA256 = SHA256.hex(Array(t.utf8))
        case .missing:
            operatorUsersFile = "absent"
            operatorUsersSHA256 = nil
        case .unreadable:
            operatorUsersFile = "unreadable"
            operatorUsersSHA256 = nil
        }
        let canonical = "\(ElasticsearchNodeFiles.operatorPrivilegesKey)=\(enabled)\noperator_users.yml=\(operatorUsersSHA256 ?? operatorUsersFile)\n"
        digest = "sha256:" + SHA256.hex(Array(canonical.utf8))
    }
}
