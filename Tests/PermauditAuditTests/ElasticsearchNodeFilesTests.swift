import Testing

@testable import PermauditAudit

/// The node's security files as the audit reads them: every problem at its line, settings flat or nested.
@Suite struct ElasticsearchNodeFilesTests {
    static func files(_ texts: [String: String]) -> ElasticsearchNodeFiles {
        ElasticsearchNodeFiles(configDir: "/conf", texts: texts.mapValues { .text($0) })
    }

    struct OperatorCase: Sendable, CustomTestStringConvertible {
        var what: String
        var text: String
        /// `line: words of the message`, in order.
        var problems: [String]
        var testDescription: String { what }
    }

    static let operatorCases: [OperatorCase] = [
        .init(what: "the documented example", text: """
            operator:
              - usernames: ["system_agent_1","system_agent_2"]
                realm_type: "file"
                auth_type: "realm"
            """, problems: []),
        .init(what: "defaults only", text: "operator:\n  - usernames: [a]\n", problems: []),
        .init(what: "a bad realm_type", text: "operator:\n  - usernames: [a]\n    realm_type: native\n", problems: ["3: realm_type 'native'"]),
        .init(what: "a bad auth_type", text: "operator:\n  - usernames: [a]\n    auth_type: token\n", problems: ["3: auth_type 'token'"]),
        .init(what: "no usernames", text: "operator:\n  - usernames: [a]\n  - realm_type: file\n", problems: ["3: has no `usernames`"]),
        .init(what: "empty usernames", text: "operator:\n  - usernames: []\n", problems: ["2: `usernames` is empty"]),
        .init(what: "an unknown field", text: "operator:\n  - usernames: [a]\n    realm: file\n", problems: ["3: unknown field 'realm'"]),
        .init(what: "another top key", text: "operators:\n  - usernames: [a]\n", problems: ["1: unknown key 'operators'", "1: no `operator:` key"]),
        .init(what: "not a list", text: "operator:\n  usernames: [a]\n", problems: ["2: must be a list"]),
        .init(what: "not YAML", text: "operator:\n  - usernames: [a\n", problems: ["not valid YAML"]),
    ]

    @Test(arguments: operatorCases)
    func operatorUsersProblemsAreAtTheirLine(_ c: OperatorCase) throws {
        let (_, problems) = try #require(Self.files(["operator_users.yml": c.text]).operatorUsers())
        #expect(problems.count == c.problems.count, "\(problems)")
        for (p, want) in zip(problems, c.problems) {
            #expect(p.file == "/conf/operator_users.yml")
            let text = "\(p.line): \(p.message)"
            if want.first?.isNumber == true {
                let parts = want.split(separator: ":", maxSplits: 1)
                #expect(p.line == Int(parts[0]), "\(text)")
                #expect(p.message.contains(parts[1].dropFirst()), "\(text)")
            } else {
                #expect(p.message.contains(want), "\(text)")
            }
        }
    }

    @Test func theOperatorSettingIsReadFlatOrNested() throws {
        for (text, line, enabled) in [
            ("cluster.name: x\nxpack.security.operator_privileges.enabled: true\n", 2, true),
            ("xpack:\n  security:\n    operator_privileges:\n      enabled: true\n", 4, true),
            ("xpack.security:\n  operator_privileges.enabled: \"false\"\n", 2, false),
        ] {
            let f = Self.files(["elasticsearch.yml": text])
            guard case .success(let s?) = f.operatorPrivileges else { Issue.record("no setting in \(text)"); continue }
            #expect(s.line == line && f.operatorPrivilegesEnabled == enabled, "\(text)")
        }
        #expect(Self.files(["elasticsearch.yml": "cluster.name: x\n"]).operatorPrivilegesEnabled == false)
    }

    @Test func theFileRealmIsReadWithLines() {
        let f = Self.files([
            "users": "# comment\nalice:$2a$10$x\nbob:$2a$10$y\n",
            "users_roles": "kibana_system: alice\n\nsuperuser:bob,alice\n",
            "roles.yml": "ops:\n  cluster: [monitor]\n  run_as: [carol]\nviewer2:\n  cluster: []\n",
        ])
        #expect(f.users == ["alice": 2, "bob": 3])
        #expect(f.usersRoles == [.init(role: "kibana_system", users: ["alice"], line: 1), .init(role: "superuser", users: ["bob", "alice"], line: 3)])
        #expect(f.roles(of: "alice").map(\.role) == ["kibana_system", "superuser"])
        #expect(f.roleDefinitions["ops"] == .init(line: 1, runAs: ["carol"], runAsLine: 3))
        #expect(f.roleDefinitions["viewer2"]?.runAs == [])
    }

    @Test func theDigestChangesWithTheSettingOrTheFileAndNothingElse() {
        let on = "xpack.security.operator_privileges.enabled: true\n"
        let users = "operator:\n  - usernames: [a]\n"
        let a = OperatorPrivilegesDigest(files: Self.files(["elasticsearch.yml": on, "operator_users.yml": users]))
        let sameElsewhere = OperatorPrivilegesDigest(files: Self.files(["elasticsearch.yml": "cluster.name: other\n" + on, "operator_users.yml": users, "users": "x:y\n"]))
        let off = OperatorPrivilegesDigest(files: Self.files(["elasticsearch.yml": "xpack.security.operator_privileges.enabled: false\n", "operator_users.yml": users]))
        let otherUsers = OperatorPrivilegesDigest(files: Self.files(["elasticsearch.yml": on, "operator_users.yml": users + "  - usernames: [b]\n"]))
        let noFile = OperatorPrivilegesDigest(files: Self.files(["elasticsearch.yml": on]))
        #expect(a.digest == sameElsewhere.digest)
        #expect(Set([a.digest, off.digest, otherUsers.digest, noFile.digest]).count == 4)
        #expect(a.enabled && !off.enabled && noFile.operatorUsersFile == "absent" && noFile.operatorUsersSHA256 == nil)
        #expect(a.digest.hasPrefix("sha256:") && a.digest.count == 7 + 64)
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256MatchesTheStandardVectors(_ input: String, _ hex: String) {
        #expect(SHA256.hex(Array(input.utf8)) == hex)
    }

    @Test func sha256OfAMillionAs() {
        #expect(SHA256.hex(Array(repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
