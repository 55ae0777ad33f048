import PermauditCore

/// `elasticsearch-config`: what an Elasticsearch node's own security files say (under `${config-dir}`,
/// the node's `$ES_PATH_CONF`): operator privileges and the file realm's roles. Each problem is reported
/// at its `file:line`.
public struct ElasticsearchConfig: CheckDefinition {
    public enum Aspect: String, Sendable, Hashable, CaseIterable {
        /// With `xpack.security.operator_privileges.enabled: true`, `operator_users.yml` exists and parses,
        /// every group names `usernames`, `realm_type` is only `file` and `auth_type` only `realm`.
        case operatorUsersFile = "operator-users-file"
        /// Every operator user exists in the file realm's `users` and holds a role in `users_roles`.
        case operatorUsersRBAC = "operator-users-rbac"
        /// An operator user whose roles let it run as another user is no operator when it does.
        case operatorRunAs = "operator-run-as"
        /// Roles that must not be given in the file realm at all (`superuser`).
        case forbiddenRoles = "forbidden-roles"
        /// Roles that exist for one built-in system user (`kibana_system`): `roles` maps each to its user(s).
        case systemRoles = "system-roles"
        /// Deprecated roles: `roles` maps each to its replacement.
        case deprecatedRoles = "deprecated-roles"
        /// Roles in `users_roles` that are neither built in (`builtin-roles`) nor defined in `roles.yml`.
        case unknownRoles = "unknown-roles"
    }

    public var aspect: Aspect
    /// `forbidden-roles`: the role names.
    public var roles: [String]
    /// `system-roles` (role → its users, comma-separated) and `deprecated-roles` (role → replacement).
    public var roleMap: [String: String]
    /// `unknown-roles`: the built-in role names.
    public var builtinRoles: [String]

    public static let kind = "elasticsearch-config"
    public static let keys: Set<String> = ["aspect", "roles", "builtin-roles"]

    public static func parse(_ f: inout CheckFields) -> ElasticsearchConfig? {
        guard let a = f.string("aspect") else { return nil }
        guard let aspect = Aspect(rawValue: a) else {
            f.fail("aspect", "unknown aspect '\(a)': use \(Aspect.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        var check = ElasticsearchConfig(aspect: aspect, roles: [], roleMap: [:], builtinRoles: [])
        switch aspect {
        case .forbiddenRoles: check.roles = f.strings("roles")
        case .systemRoles, .deprecatedRoles:
            let before = f.problemCount
            check.roleMap = f.stringMap("roles", required: true)
            if check.roleMap.isEmpty, f.problemCount == before { f.fail("roles", "`roles:` is empty") }
        case .unknownRoles: check.builtinRoles = f.strings("builtin-roles")
        case .operatorUsersFile, .operatorUsersRBAC, .operatorRunAs:
            if f.has("roles") || f.has("builtin-roles") { f.fail(nil, "a \(a) check takes only `aspect:`") }
        }
        return check
    }

    public var summary: String {
        switch aspect {
        case .operatorUsersFile: "operator_users.yml exists and is valid when operator privileges are enabled"
        case .operatorUsersRBAC: "every operator user exists in the file realm and holds a role"
        case .operatorRunAs: "no operator user can run as another user"
        case .forbiddenRoles: "the file realm gives none of \(roles.joined(separator: ", "))"
        case .systemRoles: "\(roleMap.keys.sorted().joined(separator: ", ")) only for their built-in system users"
        case .deprecatedRoles: "no deprecated role (" + roleMap.keys.sorted().map { "\($0) → \(roleMap[$0] ?? "")" }.joined(separator: "; ") + ")"
        case .unknownRoles: "every role in users_roles is built in or defined in roles.yml"
        }
    }

    public var objectName: String {
        switch aspect {
        case .operatorUsersFile, .operatorUsersRBAC, .operatorRunAs: "\(ConfigDir.variable)/operator_users.yml"
        case .unknownRoles, .forbiddenRoles, .systemRoles, .deprecatedRoles: "\(ConfigDir.variable)/users_roles"
        }
    }
}
