import Foundation
import Glibc
import PermauditCore
import PermauditHost
import Testing

@testable import PermauditAudit
@testable import PermauditRules

/// The elasticsearch-node profile on an image folder (`--root`): accounts from its own passwd and group,
/// the config folder inside it. No account of this machine is created or used.
@Suite struct ElasticsearchNodeRootedTests {
    /// A tiny image: root, the node's user (901), an agent (902) and a person (1000) in the node's group.
    static func image(_ files: [String: (text: String, mode: mode_t)]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pa-es-image-\(UUID().uuidString)")
        let conf = root.appendingPathComponent("etc/elasticsearch")
        try FileManager.default.createDirectory(at: conf, withIntermediateDirectories: true)
        try "root:x:0:0::/root:/bin/sh\nelasticsearch:x:901:901::/nonexistent:/bin/false\nagent:x:902:902::/nonexistent:/bin/false\ncarol:x:1000:1000::/home/carol:/bin/sh\n"
            .write(to: root.appendingPathComponent("etc/passwd"), atomically: true, encoding: .utf8)
        try "root:x:0:\nelasticsearch:x:901:carol\nagent:x:902:\ncarol:x:1000:\n"
            .write(to: root.appendingPathComponent("etc/group"), atomically: true, encoding: .utf8)
        for (name, f) in files {
            let url = conf.appendingPathComponent(name)
            try f.text.write(to: url, atomically: false, encoding: .utf8)
            chmod(url.path, f.mode)
        }
        return root
    }

    static func audit(_ root: URL) throws -> [Finding] {
        let host = try RootedHost(root: root.path)
        let catalog = try RuleCatalog.builtIn()
        let profile = try #require(catalog.profile(named: "elasticsearch-node"))
        let node = try PrincipalResolver.resolve(PrincipalRequest(user: profile.user), on: host)
        #expect(node.uid == 901)
        return Auditor(host: host, principal: node, profile: profile, integrations: nil).run(catalog.rules)
    }

    @Test func everyProblemIsAtItsLineAndOtherAccountsAreJudged() throws {
        let root = try Self.image([
            "elasticsearch.yml": ("cluster.name: x\nxpack.security.operator_privileges.enabled: true\n", 0o644),
            "operator_users.yml": ("operator:\n  - usernames: [ops, ghost]\n    auth_type: token\n", 0o600),
            "users": ("ops:$2a$x\nalice:$2a$y\n", 0o600),
            "users_roles": ("superuser:ops\nkibana_system:kibana_system,alice\nkibana_user:alice\ndata_frame_transforms_user:alice\ntypo_role:alice\n", 0o600),
            "roles.yml": ("custom:\n  cluster: [monitor]\n", 0o600),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let findings = try Self.audit(root)
        let conf = "/etc/elasticsearch"
        func failing(_ rule: String) -> [String: String] {
            var out: [String: String] = [:]
            for f in findings where f.ruleID == "linux.elasticsearch." + rule && f.state == .fail { out[f.object] = f.message }
            return out
        }
        #expect(failing("operator-privileges.users-file").keys.sorted() == ["\(conf)/operator_users.yml:3"])
        let rbac = failing("operator-privileges.rbac")
        #expect(rbac.keys.sorted() == ["\(conf)/operator_users.yml:2"] && rbac.values.first?.contains("ghost is not in the file realm") == true, "\(rbac)")
        #expect(failing("operator-privileges.run-as")["\(conf)/users_roles:1"]?.contains("ops holds superuser") == true)
        #expect(failing("file-realm.superuser").keys.sorted() == ["\(conf)/users_roles:1"])
        let system = failing("file-realm.system-roles")
        #expect(system.keys.sorted() == ["\(conf)/users_roles:2"] && system.values.first?.hasPrefix("kibana_system is given to alice:") == true, "\(system)")
        let deprecated = failing("file-realm.deprecated-roles")
        #expect(deprecated["\(conf)/users_roles:3"]?.contains("use kibana_admin") == true)
        #expect(deprecated["\(conf)/users_roles:4"]?.contains("use transform_user") == true)
        #expect(failing("file-realm.unknown-roles").keys.sorted() == ["\(conf)/users_roles:5"])
        // elasticsearch.yml is 0644: every other account of the image, the agent first, and anyone else.
        let readers = try #require(findings.first { $0.ruleID == "linux.elasticsearch.secrets.others-cannot-read" && $0.state == .fail })
        #expect(readers.object == "\(conf)/elasticsearch.yml")
        #expect(readers.message.hasPrefix("3 of 3 other account(s) can read"), "\(readers.message)")
        #expect(readers.evidence.first?.hasPrefix("agent, carol, anyone else can read it through the other entry other::r--") == true, "\(readers.evidence)")
        // Only the operator setting and the file decide the digest.
        let files = ElasticsearchNodeFiles(host: try RootedHost(root: root.path), configDir: conf)
        #expect(OperatorPrivilegesDigest(files: files).enabled && OperatorPrivilegesDigest(files: files).operatorUsersFile == "present")
    }

    @Test func withOperatorPrivilegesOffTheOperatorRulesDoNotApply() throws {
        let root = try Self.image([
            "elasticsearch.yml": ("xpack.security.operator_privileges.enabled: false\n", 0o640),
            "operator_users.yml": ("operator:\n  - realm_type: native\n", 0o640),
            "users_roles": ("viewer:alice\ncustom:alice\n", 0o640),
            "roles.yml": ("custom:\n  cluster: [monitor]\n", 0o640),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let findings = try Self.audit(root)
        for id in ["users-file", "rbac", "run-as"] {
            let f = findings.filter { $0.ruleID == "linux.elasticsearch.operator-privileges." + id }
            #expect(f.map(\.state) == [.notApplicable] && f.first?.message.contains("elasticsearch.yml:1 sets it to false") == true, "\(f.map(\.message))")
        }
        #expect(findings.filter { $0.ruleID.hasPrefix("linux.elasticsearch.file-realm.") }.allSatisfy { $0.state == .pass })
    }
}
