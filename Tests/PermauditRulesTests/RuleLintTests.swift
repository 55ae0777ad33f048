import Foundation
import PermauditCore
import Testing

@testable import PermauditRules

/// A malformed rule file is reported as `file:line: what is wrong`, every problem at once, and nothing of
/// it loads. Each case below breaks one thing in a good file and says exactly what lint must print.
@Suite struct RuleLintTests {
    /// Line numbers matter: the cases below name them.
    static let good = """
        schema: permaudit/rules/v1
        rules:
          - id: test.thing.read
            title: A thing
            platforms: [linux]
            severity: high
            check:
              kind: path-access
              paths: [/var/log/thing.log]
              access: read
            symptom: "open /var/log/thing.log: permission denied"
            documented-fix: Add the agent to adm.
            least-privilege-fix: A named-group ACL entry for the agent's group.
            remedy: acl
            sources: [here]

        """

    static let kinds = """
        path-access, mount-statfs, group-membership, capabilities, process-visibility, control-socket, requires-root, \
        windows-event-channel, windows-registry-key, windows-volume, windows-process, windows-named-pipe, windows-perf-counters, \
        macos-path, macos-processes, must-not-reach, elasticsearch-config
        """

    struct Case: Sendable, CustomTestStringConvertible {
        var what: String
        var replace: String
        var with: String
        /// Every diagnostic, in order, as `t.yaml:LINE: message`.
        var says: [String]
        var testDescription: String { what }
    }

    static let cases: [Case] = [
        Case(what: "bad YAML", replace: "title: A thing", with: "title: a: b",
             says: ["t.yaml:4: not valid YAML: mapping values are not allowed in this context"]),
        Case(what: "a tab where YAML wants spaces", replace: "    severity: high", with: "\tseverity: high",
             says: ["t.yaml:6: not valid YAML: found character that cannot start any token"]),
        Case(what: "unknown key in a rule", replace: "    severity: high\n", with: "    severity: high\n    sumary: typo\n",
             says: ["t.yaml:7: unknown key 'sumary' in a rule (did you mean 'summary'?)"]),
        Case(what: "unknown key in a check", replace: "      access: read", with: "      access: read\n      recursive: true",
             says: ["t.yaml:11: unknown key 'recursive' in a path-access check (it takes access, paths)"]),
        Case(what: "misspelt key in a check", replace: "      access: read", with: "      acess: read",
             says: ["t.yaml:10: unknown key 'acess' in a path-access check (it takes access, paths; did you mean 'access'?)",
                    "t.yaml:8: missing `access:`"]),
        Case(what: "duplicate key", replace: "    sources: [here]", with: "    sources: [here]\n    sources: [there]",
             says: ["t.yaml:16: key 'sources' appears twice"]),
        Case(what: "missing id", replace: "  - id: test.thing.read\n    title", with: "  - title",
             says: ["t.yaml:3: missing `id:`"]),
        Case(what: "id not dotted", replace: "id: test.thing.read", with: "id: Thing",
             says: ["t.yaml:3: rule id 'Thing' must be dotted lowercase words (like linux.auth-log.read)"]),
        Case(what: "missing symptom", replace: "    symptom: \"open /var/log/thing.log: permission denied\"\n", with: "",
             says: ["t.yaml:3: missing `symptom:`"]),
        Case(what: "empty least-privilege fix", replace: "least-privilege-fix: A named-group ACL entry for the agent's group.", with: "least-privilege-fix: \"\"",
             says: ["t.yaml:13: `least-privilege-fix:` is empty"]),
        Case(what: "no sources", replace: "sources: [here]", with: "sources: []",
             says: ["t.yaml:15: `sources:` is empty"]),
        Case(what: "text where a list belongs", replace: "platforms: [linux]", with: "platforms: linux",
             says: ["t.yaml:5: `platforms:` must be a list, like [a, b]"]),
        Case(what: "a list where text belongs", replace: "title: A thing", with: "title: [a, b]",
             says: ["t.yaml:4: `title:` must be text, not a list"]),
        Case(what: "a check that is not a mapping", replace: "    check:\n      kind: path-access\n      paths: [/var/log/thing.log]\n      access: read", with: "    check: path-access",
             says: ["t.yaml:7: a check must be a mapping of keys to values"]),
        Case(what: "unknown platform", replace: "platforms: [linux]", with: "platforms: [beos]",
             says: ["t.yaml:5: unknown platform 'beos': use linux, macos, windows"]),
        Case(what: "unknown severity", replace: "severity: high", with: "severity: scary",
             says: ["t.yaml:6: unknown severity 'scary': use info, low, medium, high, critical"]),
        Case(what: "unknown remedy", replace: "remedy: acl", with: "remedy: magic",
             says: ["t.yaml:14: unknown remedy 'magic': use acl, log-acl, supplementary-group, ambient-capabilities, leave-group, revoke, configuration, none"]),
        Case(what: "bad access", replace: "access: read", with: "access: slurp",
             says: ["t.yaml:10: unknown access 'slurp': use read, write, execute, search, list, statfs, create or delete"]),
        Case(what: "unknown check kind", replace: "kind: path-access", with: "kind: telepathy",
             says: ["t.yaml:8: unknown check kind 'telepathy': use one of \(kinds)"]),
        Case(what: "relative path", replace: "paths: [/var/log/thing.log]", with: "paths: [var/log/thing.log]",
             says: ["t.yaml:9: path 'var/log/thing.log' must be absolute (or start with ${config-dir}/)"]),
        Case(what: "bad glob", replace: "paths: [/var/log/thing.log]", with: "paths: [\"/var/log/[ab.log\"]",
             says: ["t.yaml:9: bad glob '/var/log/[ab.log': a '[' is not closed"]),
        Case(what: "bad glob on its own line", replace: "paths: [/var/log/thing.log]", with: "paths:\n        - /var/log/thing.log\n        - \"/var/log/thing.[0-9\"",
             says: ["t.yaml:11: bad glob '/var/log/thing.[0-9': a '[' is not closed"]),
        Case(what: "unknown capability", replace: "kind: path-access\n      paths: [/var/log/thing.log]\n      access: read",
             with: "kind: capabilities\n      needed:\n        - CAP_SYS_PTRACE\n        - CAP_FLY",
             says: ["t.yaml:11: unknown capability 'CAP_FLY' (see capabilities(7))"]),
        Case(what: "group check with neither needed nor too-broad", replace: "kind: path-access\n      paths: [/var/log/thing.log]\n      access: read",
             with: "kind: group-membership\n      requires: [/var/log/journal]",
             says: ["t.yaml:8: a group-membership check takes `needed:` or `too-broad:` (one of them)"]),
        Case(what: "blocking that is not a boolean", replace: "kind: path-access\n      paths: [/var/log/thing.log]\n      access: read",
             with: "kind: requires-root\n      integrations: [endpoint]\n      blocking: maybe",
             says: ["t.yaml:10: `blocking:` must be true or false"]),
        Case(what: "must-not-reach with an unknown who", replace: "kind: path-access", with: "kind: must-not-reach\n      who: everyone",
             says: ["t.yaml:9: unknown `who: everyone`: use principal or other-accounts"]),
        Case(what: "must-not-reach with paths and holds", replace: "kind: path-access", with: "kind: must-not-reach\n      holds: [groups]",
             says: ["t.yaml:8: a must-not-reach check takes `paths:` and `access:`, or `holds:` (not both)"]),
        Case(what: "must-not-reach holding something unknown", replace: "kind: path-access\n      paths: [/var/log/thing.log]\n      access: read",
             with: "kind: must-not-reach\n      holds: [groups, money]",
             says: ["t.yaml:9: unknown `holds: money`: use capabilities, groups"]),
        Case(what: "a misspelt must-not-reach key", replace: "kind: path-access", with: "kind: must-not-reach\n      wh: principal",
             says: ["t.yaml:9: unknown key 'wh' in a must-not-reach check (it takes access, holds, paths, who; did you mean 'who'?)"]),
        Case(what: "an unknown elasticsearch-config aspect", replace: "kind: path-access\n      paths: [/var/log/thing.log]\n      access: read",
             with: "kind: elasticsearch-config\n      aspect: vibes",
             says: ["t.yaml:9: unknown aspect 'vibes': use operator-users-file, operator-users-rbac, operator-run-as, forbidden-roles, system-roles, deprecated-roles, unknown-roles"]),
        Case(what: "system roles given as a list", replace: "kind: path-access\n      paths: [/var/log/thing.log]\n      access: read",
             with: "kind: elasticsearch-config\n      aspect: system-roles\n      roles: [kibana_system]",
             says: ["t.yaml:10: `roles:` must be a mapping, like {a: b}"]),
        Case(what: "a config-dir path that is not under it", replace: "paths: [/var/log/thing.log]", with: "paths: [\"${config-dir}x\"]",
             says: ["t.yaml:9: path '${config-dir}x' must be absolute (or start with ${config-dir}/)"]),
        Case(what: "a Windows check on a Linux rule", replace: "kind: path-access\n      paths: [/var/log/thing.log]\n      access: read",
             with: "kind: windows-named-pipe\n      pipe: elastic-agent-system",
             says: ["t.yaml:8: a windows-named-pipe check belongs to `platforms: [windows]`"]),
        Case(what: "a Windows check without its fields", replace: "platforms: [linux]\n    severity: high\n    check:\n      kind: path-access\n      paths: [/var/log/thing.log]\n      access: read",
             with: "platforms: [windows]\n    severity: high\n    check:\n      kind: windows-event-channel\n      channel: Security",
             says: ["t.yaml:8: missing `reader-group-sid:`"]),
        Case(what: "the same id twice in a file", replace: "    sources: [here]\n", with: "    sources: [here]\n" + good.split(separator: "\n").dropFirst(2).joined(separator: "\n") + "\n",
             says: ["t.yaml:16: duplicate rule id 'test.thing.read' (first at line 3)"]),
        Case(what: "unknown schema", replace: "schema: permaudit/rules/v1", with: "schema: permaudit/rules/v9",
             says: ["t.yaml:1: unknown schema 'permaudit/rules/v9': this permaudit reads permaudit/rules/v1 and permaudit/profile/v1"]),
        Case(what: "no schema", replace: "schema: permaudit/rules/v1\n", with: "",
             says: ["t.yaml:1: missing `schema:`"]),
        Case(what: "rules that are not a list", replace: "rules:\n  - id", with: "rules:\n    id",
             says: ["t.yaml:3: `rules:` must be a list of rules"]),
    ]

    static func diagnostics(_ text: String, file: String = "t.yaml") -> [String] {
        do {
            _ = try RuleFileParser.parse(file: file, text: text)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func theGoodFileLoadsWithItsOrigin() throws {
        let parsed = try RuleFileParser.parse(file: "t.yaml", text: Self.good)
        let rule = try #require(parsed.rules.first)
        #expect(parsed.rules.count == 1)
        #expect(rule.id == "test.thing.read" && rule.platforms == [.linux] && rule.severity == .high && rule.remedy == .acl)
        #expect(rule.check == .pathAccess(paths: ["/var/log/thing.log"], access: .read))
        #expect(rule.origin == "t.yaml:3")
    }

    @Test(arguments: cases)
    func aMalformedFileSaysFileLineWhat(_ c: Case) throws {
        try #require(Self.good.contains(c.replace), "the case does not apply to the good file")
        let text = Self.good.replacingOccurrences(of: c.replace, with: c.with)
        #expect(Self.diagnostics(text) == c.says)
    }

    @Test func anEmptyFileSaysWhatItNeeds() {
        #expect(Self.diagnostics("", file: "e.yaml") == ["e.yaml:1: the file is empty: it needs `schema: permaudit/rules/v1` and `rules:`"])
    }

    @Test func everyProblemOfAFileIsReportedAtOnce() {
        let text = Self.good
            .replacingOccurrences(of: "severity: high", with: "severity: scary")
            .replacingOccurrences(of: "access: read", with: "access: slurp")
        #expect(Self.diagnostics(text) == [
            "t.yaml:6: unknown severity 'scary': use info, low, medium, high, critical",
            "t.yaml:10: unknown access 'slurp': use read, write, execute, search, list, statfs, create or delete",
        ])
    }

    @Test func aProfileNeedsItsUserAndRules() {
        let profile = """
            schema: permaudit/profile/v1
            profile:
              name: some-agent
              group: some-agent
              rules: []
              default-integration: [system]
            """
        #expect(Self.diagnostics(profile, file: "p.yaml") == [
            "p.yaml:6: unknown key 'default-integration' in a profile (did you mean 'default-integrations'?)",
            "p.yaml:3: missing `user:`",
            "p.yaml:5: `rules:` is empty",
        ])
    }

    // MARK: - A folder of files

    @Test func theSameIDInTwoFilesRefusesTheWholeSet() {
        let other = Self.good.replacingOccurrences(of: "title: A thing", with: "title: Another thing")
        #expect(throws: RuleLoadErrors.self) { try RuleCatalog.load(files: [("a.yaml", Self.good), ("b.yaml", other)]) }
        do {
            _ = try RuleCatalog.load(files: [("a.yaml", Self.good), ("b.yaml", other)])
        } catch {
            #expect(error.errors.map(\.description) == ["b.yaml:3: duplicate rule id 'test.thing.read' (also at a.yaml:3)"])
        }
    }

    @Test func oneBadFileLoadsNothing() {
        let bad = Self.good.replacingOccurrences(of: "test.thing.read", with: "test.other.read").replacingOccurrences(of: "access: read", with: "access: slurp")
        do {
            let catalog = try RuleCatalog.load(files: [("a.yaml", Self.good), ("b.yaml", bad)])
            Issue.record("loaded \(catalog.rules.map(\.id)) despite b.yaml")
        } catch {
            #expect(error.errors.map(\.description) == ["b.yaml:10: unknown access 'slurp': use read, write, execute, search, list, statfs, create or delete"])
        }
    }

    @Test func aFolderRuleReplacesTheBuiltInOneWithTheSameID() throws {
        let builtIn = try RuleCatalog.builtIn()
        let replacement = Self.good.replacingOccurrences(of: "test.thing.read", with: "linux.auth-log.read")
        let merged = builtIn.adding(try RuleCatalog.load(files: [("o.yaml", replacement), ("n.yaml", Self.good)]))
        #expect(merged.rules.count == builtIn.rules.count + 1)
        #expect(merged.rule(id: "linux.auth-log.read")?.title == "A thing")
        #expect(merged.rule(id: "linux.auth-log.read")?.origin == "o.yaml:3")
        #expect(merged.rule(id: "test.thing.read") != nil)
    }

    // MARK: - `permaudit rules lint DIR`

    static var binaryIsBuilt: Bool { FileManager.default.isExecutableFile(atPath: RepositoryFiles.binary) }

    @Test(.enabled(if: binaryIsBuilt, "needs the built permaudit (swift build)"), arguments: cases)
    func lintExitsTwoWithTheMessage(_ c: Case) throws {
        let dir = try RepositoryFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/linux", withIntermediateDirectories: true)
        try Self.good.replacingOccurrences(of: c.replace, with: c.with).write(toFile: dir + "/linux/t.yaml", atomically: true, encoding: .utf8)
        let result = try RepositoryFiles.permaudit(["rules", "lint", dir])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == c.says.map { dir + "/linux/" + $0 + "\n" }.joined())
    }

    @Test(.enabled(if: binaryIsBuilt, "needs the built permaudit (swift build)"))
    func lintNamesBothFilesOfADuplicateID() throws {
        let dir = try RepositoryFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.good.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try Self.good.write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let result = try RepositoryFiles.permaudit(["rules", "lint", dir])
        #expect(result.status == 2)
        #expect(result.stderr == "\(dir)/b.yaml:3: duplicate rule id 'test.thing.read' (also at \(dir)/a.yaml:3)\n")
    }

    @Test(.enabled(if: binaryIsBuilt, "needs the built permaudit (swift build)"))
    func lintPassesTheRulesFolder() throws {
        let catalog = try RepositoryFiles.rulesFolderCatalog()
        let result = try RepositoryFiles.permaudit(["rules", "lint", RepositoryFiles.root + "/Rules"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        #expect(result.stdout == "\(RepositoryFiles.root)/Rules: \(catalog.rules.count) rules and \(catalog.profiles.count) profiles, no problems\n")
    }
}
