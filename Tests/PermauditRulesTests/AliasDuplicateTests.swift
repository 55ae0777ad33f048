import Testing
import PermauditRules

/// A duplicate rule id reached through a YAML alias is reported at the alias's line, not the anchor's.
@Suite("Duplicate rule ids through YAML aliases")
struct AliasDuplicateTests {
    static let anchored = """
        schema: permaudit/rules/v1
        rules:
          - &thing
            id: test.thing.read
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
          - *thing
          - *thing   # twice
        """

    @Test("each alias item that repeats the id is reported at its own line")
    func aliasLine() {
        let errors: [String]
        do { _ = try RuleFileParser.parse(file: "t.yaml", text: Self.anchored); errors = [] } catch { errors = error.errors.map(\.description) }
        #expect(errors == [
            "t.yaml:17: duplicate rule id 'test.thing.read' (first at line 3)",
            "t.yaml:18: duplicate rule id 'test.thing.read' (first at line 3)",
        ])
    }
}
