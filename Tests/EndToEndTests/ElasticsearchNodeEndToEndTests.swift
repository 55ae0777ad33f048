import Foundation
import Testing

/// `--profile elasticsearch-node` on a staged node: a service user and an "agent" user of the test's own,
/// a config folder under a unique temp folder with wrong modes, a stray ACL entry that lets the agent read
/// the keystore, an operator_users.yml with a bad realm_type and a users_roles that gives kibana_system to
/// a person. The audit finds each problem (at file:line where it has one), the generated fix closes what a
/// permission can close, the kernel agrees that the service still reads all it needs and the others read
/// nothing, and two nodes with different operator settings differ in the report's digest.
/// Never touches a real `elasticsearch` user or /etc/elasticsearch: the user and the folder are passed.
@Suite("elasticsearch-node end to end (root)", .serialized, .enabled(if: FixE2E.canRun, "needs root, acl, setpriv and useradd"))
struct ElasticsearchNodeEndToEndTests {
    /// A system user and its own group, named for this test, removed after.
    final class Account {
        let name: String
        init(_ role: String) throws {
            name = "pa-es-\(role)-\(getpid() % 10000)-\(Int.random(in: 1000...9999))"
            let r = try FixE2E.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
            guard r.status == 0 else { throw E2EError("useradd \(name): \(r.err)") }
        }
        func remove() { _ = try? FixE2E.run(["userdel", name]); _ = try? FixE2E.run(["groupdel", name]) }
        var uid: String { (try? FixE2E.run(["id", "-u", name]).out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "" }

        /// The paths the kernel lets this user read (opened by the shell under setpriv, groups from the database;
    /// no /dev/null needed).
        func readable(_ paths: [String]) throws -> Set<String> {
            let r = try FixE2E.run(["setpriv", "--reuid", name, "--regid", name, "--init-groups", "bash", "-c",
                                    "for f; do if { : <\"$f\"; } 2>&-; then printf '%s\\0' \"$f\"; fi; done; exit 0", "_"] + paths)
            if r.status != 0 { throw E2EError("setpriv as \(name): \(r.err)") }
            return Set(r.out.split(separator: "\0").map(String.init))
        }
    }

    /// The paths a uid that is no one's, in no group, can read: what the other bits give.
    static func readableByAnyone(_ paths: [String]) throws -> Set<String> {
        let r = try FixE2E.run(["setpriv", "--reuid", "4294967001", "--regid", "4294967001", "--clear-groups", "bash", "-c",
                                "for f; do if { : <\"$f\"; } 2>&-; then printf '%s\\0' \"$f\"; fi; done; exit 0", "_"] + paths)
        return Set(r.out.split(separator: "\0").map(String.init))
    }

    /// Stages one node's config folder; `operatorPrivileges` is written to elasticsearch.yml line 2.
    static func stageNode(_ conf: String, service: String, agent: String, operatorPrivileges: Bool) throws {
        let setup = """
            set -e
            mkdir -p '\(conf)/certs'
            cd '\(conf)'
            printf 'cluster.name: staged\\nxpack.security.operator_privileges.enabled: \(operatorPrivileges)\\n' > elasticsearch.yml
            printf -- '-Xms1g\\n' > jvm.options
            printf 'operator:\\n  - usernames: ["ops_admin"]\\n    realm_type: "native"\\n    auth_type: "realm"\\n' > operator_users.yml
            printf 'alice:$2a$10$aaaa\\nops_admin:$2a$10$bbbb\\n' > users
            printf 'monitoring_user:ops_admin\\nkibana_system:alice\\n' > users_roles
            printf 'ops_role:\\n  cluster: [monitor]\\n' > roles.yml
            printf '{}\\n' > role_mapping.yml
            printf 'keystore bytes\\n' > elasticsearch.keystore
            printf 'p12 bytes\\n' > certs/http.p12
            chown -R root:'\(service)' .
            chown root:root jvm.options roles.yml users                   # users: the service reads it through other only
            chmod 0755 . ; chmod 0755 certs                               # wrong: the folder lets everyone in
            chmod 0644 elasticsearch.yml users jvm.options certs/http.p12   # wrong: other can read the secrets
            chmod 0640 operator_users.yml role_mapping.yml
            chmod 0660 users_roles elasticsearch.keystore
            chmod 0600 roles.yml                                          # wrong: the service cannot read it
            setfacl -m u:'\(agent)':r elasticsearch.keystore               # wrong: a stray entry for the agent
            """
        let s = try FixE2E.sh(setup)
        try #require(s.status == 0, "\(s.err)")
    }

    static func findings(_ json: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object["findings"] as? [[String: Any]])
    }

    static func digest(_ json: String) throws -> String {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let es = try #require(object["elasticsearch"] as? [String: Any], "the node report records the operator-privileges digest")
        let op = try #require(es["operatorPrivileges"] as? [String: Any])
        return try #require(op["digest"] as? String)
    }

    /// A report meets Reports/schema/report.schema.json (when python3 has jsonschema).
    static func expectValidReport(_ json: String) throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { (try? FixE2E.run([$0, "-c", "import jsonschema"]).status) == 0 }) else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("permaudit-es-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try FixE2E.run([python, repo.appendingPathComponent("Reports/schema/validate_json.py").path,
                                repo.appendingPathComponent("Reports/schema/report.schema.json").path, file.path])
        #expect(r.status == 0, "the report does not meet report.schema.json: \(r.out)\(r.err)")
    }

    @Test("a staged node: every problem found at file:line, the fix closes them, the service still reads, digests compare nodes")
    func stagedNode() throws {
        let service = try Account("svc")
        defer { service.remove() }
        let agent = try Account("agent")
        defer { agent.remove() }
        let top = "/tmp/pa-es-\(getpid())-\(Int.random(in: 100000...999999))"
        try FileManager.default.createDirectory(atPath: top, withIntermediateDirectories: false)
        chmod(top, 0o755)
        var state: String?
        defer {
            _ = try? FixE2E.run(["rm", "-rf", "--", top])
            if let state { _ = try? FixE2E.run(["rm", "-rf", "--", state]) }
        }
        let conf = top + "/node1/conf"
        try Self.stageNode(conf, service: service.name, agent: agent.name, operatorPrivileges: true)
        let node = ["--profile", "elasticsearch-node", "--user", service.name, "--config-dir", conf]

        // The audit: exit 1, and each problem where it is.
        let audit = try FixE2E.permaudit(["audit"] + node + ["--format", "json"])
        #expect(audit.status == 1, "\(audit.err)")
        try Self.expectValidReport(audit.out)
        let found = try Self.findings(audit.out)
        func failing(_ rule: String) -> [[String: Any]] {
            found.filter { $0["ruleId"] as? String == "linux.elasticsearch." + rule && $0["state"] as? String == "fail" }
        }
        let secretsRead = failing("secrets.others-cannot-read")
        let readers = Set(secretsRead.compactMap { $0["object"] as? String })
        #expect(readers == ["\(conf)/elasticsearch.yml", "\(conf)/users", "\(conf)/certs/http.p12", "\(conf)/elasticsearch.keystore"], "\(readers)")
        // The keystore: the agent is judged first, and the finding names the stray entry and its exact fix.
        let keystore = try #require(secretsRead.first { $0["object"] as? String == "\(conf)/elasticsearch.keystore" })
        let evidence = (keystore["evidence"] as? [String] ?? []).joined(separator: "\n")
        #expect(evidence.contains("\(agent.name) can read it through the named user entry user:\(agent.uid):r--"), "\(evidence)")
        #expect(evidence.contains("fix: remove the named entry: setfacl -x u:\(agent.uid) -- \(conf)/elasticsearch.keystore"), "\(evidence)")
        let decision = try #require(keystore["decision"] as? [String: Any])
        #expect((decision["principal"] as? [String: Any])?["user"] as? String == agent.name)
        #expect((decision["evidence"] as? [[String: Any]])?.last?["matchedEntry"] as? String == "user:\(agent.uid):r--")
        let users = try #require(secretsRead.first { $0["object"] as? String == "\(conf)/users" })
        #expect((users["evidence"] as? [String] ?? []).contains { $0.contains("through the other entry other::r--") }, "\(users)")
        #expect(failing("config.service-reads").compactMap { $0["object"] as? String } == ["\(conf)/roles.yml"])
        #expect(failing("operator-privileges.users-file").compactMap { $0["object"] as? String } == ["\(conf)/operator_users.yml:3"])
        #expect((failing("operator-privileges.users-file").first?["message"] as? String)?.contains("realm_type 'native'") == true)
        #expect(failing("file-realm.system-roles").compactMap { $0["object"] as? String } == ["\(conf)/users_roles:2"])
        #expect((failing("file-realm.system-roles").first?["message"] as? String)?.contains("kibana_system is given to alice") == true)
        #expect(failing("secrets.others-cannot-write").isEmpty, "nothing in the staged folder is writable by others")

        // The kernel agrees with the audit before the fix.
        let needed = ["elasticsearch.yml", "jvm.options", "operator_users.yml", "users", "users_roles", "roles.yml", "role_mapping.yml",
                      "elasticsearch.keystore", "certs/http.p12"].map { "\(conf)/\($0)" }
        let secrets = needed.filter { !$0.hasSuffix("jvm.options") }
        let serviceBefore = try service.readable(needed), agentBefore = try agent.readable(secrets)
        let anyoneBefore = try Self.readableByAnyone(secrets)
        #expect(anyoneBefore == ["\(conf)/elasticsearch.yml", "\(conf)/users", "\(conf)/certs/http.p12"], "\(anyoneBefore.sorted())")
        #expect(serviceBefore == Set(needed).subtracting(["\(conf)/roles.yml"]), "\(serviceBefore.sorted())")
        #expect(agentBefore == ["\(conf)/elasticsearch.yml", "\(conf)/users", "\(conf)/certs/http.p12", "\(conf)/elasticsearch.keystore"], "\(agentBefore.sorted())")

        // The fix: a script with a rollback, clean under shellcheck, and the plan as data.
        let script = top + "/fix.sh", rollback = top + "/fix.rollback.sh"
        let gen = try FixE2E.permaudit(["fix"] + node + ["-o", script])
        try #require(gen.status == 0, "\(gen.err)")
        state = FixE2E.stateDir(of: script)
        #expect(gen.err.contains("operator_users.yml:3"), "what no permission fixes is named: \(gen.err)")
        let json = try FixE2E.permaudit(["fix"] + node + ["--emit", "json"])
        try #require(json.status == 0, "\(json.err)")
        try FixE2E.expectValidPlan(json.out)
        if FixE2E.hasShellcheck {
            let sc = try FixE2E.run(["shellcheck", script, rollback])
            #expect(sc.status == 0, "\(sc.out)")
        }
        let aclsBefore = try FixE2E.acls(conf)
        let run = try FixE2E.run(["bash", script])
        #expect(run.status == 0, "\(run.out)\(run.err)")

        // After: the service reads all it needs, the agent and anyone else nothing; the audit agrees.
        let serviceAfter = try service.readable(needed)
        #expect(serviceAfter == Set(needed), "the service keeps every file it needs to start: \(serviceAfter.sorted())")
        #expect(try agent.readable(secrets).isEmpty)
        #expect(try Self.readableByAnyone(secrets).isEmpty)
        let after = try FixE2E.permaudit(["audit"] + node + ["--format", "json"])
        let afterFindings = try Self.findings(after.out)
        let stillFailing = Set(afterFindings.filter { $0["state"] as? String == "fail" }.compactMap { $0["ruleId"] as? String })
        #expect(!stillFailing.contains("linux.elasticsearch.secrets.others-cannot-read") && !stillFailing.contains("linux.elasticsearch.config.service-reads"), "\(stillFailing)")
        #expect(stillFailing.contains("linux.elasticsearch.operator-privileges.users-file"), "configuration problems are not changed by a permission fix")

        // Again: nothing to change. Rollback: every ACL as it was.
        let again = try FixE2E.run(["bash", script])
        #expect(again.status == 0 && again.out.contains("nothing to change"), "\(again.out)")
        let back = try FixE2E.run(["bash", rollback])
        #expect(back.status == 0, "\(back.out)\(back.err)")
        #expect(try FixE2E.acls(conf) == aclsBefore)

        // Two nodes: the same operator settings give the same digest, different ones a different digest.
        let twin = top + "/node2/conf", other = top + "/node3/conf"
        try Self.stageNode(twin, service: service.name, agent: agent.name, operatorPrivileges: true)
        try Self.stageNode(other, service: service.name, agent: agent.name, operatorPrivileges: false)
        func nodeDigest(_ dir: String) throws -> String {
            try Self.digest(try FixE2E.permaudit(["audit", "--profile", "elasticsearch-node", "--user", service.name, "--config-dir", dir, "--format", "json"]).out)
        }
        let d1 = try Self.digest(audit.out), d2 = try nodeDigest(twin), d3 = try nodeDigest(other)
        #expect(d1 == d2, "nodes with the same operator settings and operator_users.yml")
        #expect(d1 != d3, "a node with operator privileges off differs")
        // A relative folder is a usage error (exit 2, naming the flag); a folder with no node is not applicable, not a failure.
        let relative = try FixE2E.permaudit(["audit", "--profile", "elasticsearch-node", "--user", service.name, "--config-dir", "etc/elasticsearch"])
        #expect(relative.status == 2 && relative.err.contains("--config-dir etc/elasticsearch: give an absolute path"), "\(relative.err)")
        let empty = top + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        let none = try FixE2E.permaudit(["audit", "--profile", "elasticsearch-node", "--user", service.name, "--config-dir", empty, "--format", "json"])
        var noneStates: [String: String] = [:]
        for f in try Self.findings(none.out) { if let id = f["ruleId"] as? String, id.hasPrefix("linux.elasticsearch.") { noneStates[id] = f["state"] as? String } }
        // Only the folder itself is there, closed to others: that one passes; nothing fails.
        #expect(noneStates.filter { $0.value != "not-applicable" } == ["linux.elasticsearch.secrets.others-cannot-write": "pass"], "\(noneStates)")
        // ES_PATH_CONF points the profile at a folder too.
        let env = try FixE2E.run(["env", "ES_PATH_CONF=\(other)", FixE2E.binary, "audit", "--profile", "elasticsearch-node", "--user", service.name, "--format", "json"])
        #expect(try Self.digest(env.out) == d3)
    }
}
