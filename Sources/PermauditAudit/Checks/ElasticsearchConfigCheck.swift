import PermauditCore
import PermauditRules

/// `elasticsearch-config`: the node's operator privileges and file-realm roles, from its config folder.
/// Each problem is one finding whose object is the `file:line` that shows it.
extension ElasticsearchConfig: CheckEvaluator {
    func evaluate(_ rule: Rule, auditor: Auditor) -> [Finding] {
        guard let dir = auditor.configDir else {
            return [auditor.finding(rule, object: rule.id, state: .notApplicable, message: "the profile names no configuration folder (give --config-dir DIR)")]
        }
        let files = ElasticsearchNodeFiles(host: auditor.host, configDir: dir)
        func fail(_ p: ElasticsearchNodeFiles.LineProblem, evidence: [String] = []) -> Finding {
            auditor.finding(rule, object: p.location, state: .fail, message: p.message, evidence: ["at \(p.location)"] + evidence)
        }
        func state(_ text: ElasticsearchNodeFiles.Text, _ name: String) -> Finding? {
            switch text {
            case .text: return nil
            case .missing: return auditor.finding(rule, object: files.path(name), state: .notApplicable, message: "no \(files.path(name)) on this node")
            case .unreadable(let why): return auditor.finding(rule, object: files.path(name), state: .unknown, message: "permaudit cannot read \(files.path(name)): \(why)")
            }
        }
        switch aspect {
        case .operatorUsersFile, .operatorUsersRBAC, .operatorRunAs:
            if let f = state(files.settingsFile, "elasticsearch.yml") { return [f] }
            let setting: ElasticsearchNodeFiles.Setting?
            switch files.operatorPrivileges {
            case .failure(let p): return [fail(p)]
            case .success(let s): setting = s
            }
            let settingsPath = files.path("elasticsearch.yml")
            guard let setting, setting.value.lowercased() == "true" else {
                let said = setting.map { "\(settingsPath):\($0.line) sets it to \($0.value)" } ?? "\(settingsPath) does not set it"
                return [auditor.finding(rule, object: files.path("operator_users.yml"), state: .notApplicable, message: "operator privileges are not enabled (\(said))")]
            }
            let enabledAt = "\(settingsPath):\(setting.line) enables operator privileges"
            if aspect == .operatorUsersFile, files.operatorUsersFile == .missing {
                return [fail(.init(file: settingsPath, line: setting.line, message: "operator privileges are enabled but \(files.path("operator_users.yml")) does not exist: no user is an operator"))]
            }
            if let f = state(files.operatorUsersFile, "operator_users.yml") { return [f] }
            guard let (groups, problems) = files.operatorUsers() else { return [] }
            switch aspect {
            case .operatorUsersFile:
                if !problems.isEmpty { return problems.map { fail($0, evidence: [enabledAt]) } }
                let names = groups.flatMap { $0.usernames.map(\.name) }
                return [auditor.finding(rule, object: files.path("operator_users.yml"), state: .pass, message: "operator_users.yml designates \(names.count) operator user(s): \(names.joined(separator: ", "))", evidence: [enabledAt])]
            case .operatorUsersRBAC:
                return rbac(rule, auditor, files, groups, enabledAt)
            default:
                return runAs(rule, auditor, files, groups, enabledAt)
            }
        case .forbiddenRoles, .systemRoles, .deprecatedRoles, .unknownRoles:
            if let f = state(files.usersRolesFile, "users_roles") { return [f] }
            return roles(rule, auditor, files)
        }
    }

    func rbac(_ rule: Rule, _ auditor: Auditor, _ files: ElasticsearchNodeFiles, _ groups: [ElasticsearchNodeFiles.OperatorGroup], _ enabledAt: String) -> [Finding] {
        let users = files.users
        var out: [Finding] = []
        let opPath = files.path("operator_users.yml")
        for g in groups {
            for (name, line) in g.usernames {
                let at = "\(opPath):\(line)"
                if users[name] == nil {
                    out.append(auditor.finding(rule, object: at, state: .fail, message: "operator user \(name) is not in the file realm's \(files.path("users")): it cannot authenticate as an operator (operators come from the file realm)", evidence: ["at \(at)", enabledAt]))
                } else if files.roles(of: name).isEmpty {
                    out.append(auditor.finding(rule, object: at, state: .fail, message: "operator user \(name) holds no role in \(files.path("users_roles")): an operator is still subject to RBAC, so it can do nothing", evidence: ["at \(at)", "\(files.path("users")):\(users[name] ?? 0) defines \(name)"]))
                }
            }
        }
        if out.isEmpty {
            out.append(auditor.finding(rule, object: opPath, state: .pass, message: "every operator user is in the file realm and holds a role", evidence: [enabledAt]))
        }
        return out
    }

    func runAs(_ rule: Rule, _ auditor: Auditor, _ files: ElasticsearchNodeFiles, _ groups: [ElasticsearchNodeFiles.OperatorGroup], _ enabledAt: String) -> [Finding] {
        let defs = files.roleDefinitions
        let opPath = files.path("operator_users.yml")
        var out: [Finding] = []
        for g in groups {
            for (name, line) in g.usernames {
                for a in files.roles(of: name) {
                    let rolesAt = "\(files.path("users_roles")):\(a.line)"
                    if a.role == "superuser" {
                        out.append(auditor.finding(rule, object: rolesAt, state: .fail, message: "operator user \(name) holds superuser, which can run as any user: a request it runs as another user is not an operator request (neither user is an operator then)", evidence: ["at \(rolesAt)", "\(opPath):\(line) designates \(name)"]))
                    } else if let d = defs[a.role], !d.runAs.isEmpty {
                        let at = "\(files.path("roles.yml")):\(d.runAsLine ?? d.line)"
                        out.append(auditor.finding(rule, object: at, state: .fail, message: "operator user \(name) holds role \(a.role), which may run as \(d.runAs.joined(separator: ", ")): when it runs as another user, neither is an operator", evidence: ["at \(at)", "\(rolesAt) gives \(a.role) to \(name)", "\(opPath):\(line) designates \(name)"]))
                    }
                }
            }
        }
        if out.isEmpty {
            out.append(auditor.finding(rule, object: opPath, state: .pass, message: "no operator user holds a role that runs as another user", evidence: [enabledAt]))
        }
        return out
    }

    func roles(_ rule: Rule, _ auditor: Auditor, _ files: ElasticsearchNodeFiles) -> [Finding] {
        let defined = files.roleDefinitions
        let path = files.path("users_roles")
        var out: [Finding] = []
        for a in files.usersRoles {
            let at = "\(path):\(a.line)"
            let who = a.users.joined(separator: ", ")
            switch aspect {
            case .forbiddenRoles where roles.contains(a.role):
                out.append(auditor.finding(rule, object: at, state: .fail, message: "the file realm gives \(a.role) to \(who): it manages security, reads restricted indices like .security and can impersonate any user", evidence: ["at \(at)"]))
            case .systemRoles:
                guard let allowed = roleMap[a.role].map({ $0.split(separator: ",").map { $0.esTrimmed(" ") } }) else { continue }
                let people = a.users.filter { !allowed.contains($0) }
                if !people.isEmpty {
                    out.append(auditor.finding(rule, object: at, state: .fail, message: "\(a.role) is given to \(people.joined(separator: ", ")): it exists for the built-in \(allowed.joined(separator: " or ")) user only and should not be assigned to users (its privileges may change between releases)", evidence: ["at \(at)"]))
                }
            case .deprecatedRoles:
                guard let replacement = roleMap[a.role] else { continue }
                out.append(auditor.finding(rule, object: at, state: .fail, message: "\(a.role) (given to \(who)) is deprecated: use \(replacement) instead", evidence: ["at \(at)"]))
            case .unknownRoles where !builtinRoles.contains(a.role) && defined[a.role] == nil:
                out.append(auditor.finding(rule, object: at, state: .fail, message: "role \(a.role) (given to \(who)) is neither built in nor defined in \(files.path("roles.yml")): the users get nothing from it", evidence: ["at \(at)"]))
            default:
                continue
            }
        }
        if out.isEmpty {
            out.append(auditor.finding(rule, object: path, state: .pass, message: "\(path): \(summary)"))
        }
        return out
    }
}
