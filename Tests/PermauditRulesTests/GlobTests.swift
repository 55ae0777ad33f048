import Testing

@testable import PermauditRules

/// The shell patterns rules use for paths (one component at a time) and profiles use for rule ids.
@Suite struct GlobTests {
    @Test(arguments: [
        // Rotated copies: the live file and every numbered or dated copy, not the neighbours.
        ("auth.log*", "auth.log", true),
        ("auth.log*", "auth.log.1", true),
        ("auth.log*", "auth.log.2.gz", true),
        ("auth.log*", "auth.logger", true),
        ("auth.log*", "kern.log", false),
        ("auth.log.[0-9]*", "auth.log.1", true),
        ("auth.log.[0-9]*", "auth.log.12.gz", true),
        ("auth.log.[0-9]*", "auth.log", false),
        ("auth.log.[0-9]*", "auth.log.old", false),
        ("secure-[0-9]*", "secure-20240101", true),
        ("*.log*", "access.log.3.gz", true),
        ("*.log*", "access", false),
        ("*-json.log", "0123abcd-json.log", true),
        ("*-json.log", "0123abcd-json.log.1", false),
        // `*` matches the empty run, and runs of stars are one star.
        ("*", "", true),
        ("**", "1000", true),
        ("a*b*c", "abc", true),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "acb", false),
        // `?` is exactly one character.
        ("?.log", "x.log", true),
        ("?.log", ".log", false),
        ("?.log", "xy.log", false),
        // Brackets: sets, ranges, negation with ! or ^, a leading ] is literal.
        ("[abc]", "b", true),
        ("[abc]", "d", false),
        ("[a-c]x", "bx", true),
        ("[a-c]x", "dx", false),
        ("[!a]", "a", false),
        ("[!a]", "b", true),
        ("[^a]", "b", true),
        ("[]]", "]", true),
        ("[a-]", "-", true),
        // Literal names match only themselves, whole.
        ("gvfs", "gvfs", true),
        ("gvfs", "gvfs2", false),
        ("gvfs", "gvf", false),
        // Rule ids in profiles: `*` runs over dots.
        ("linux.*", "linux.auth-log.read", true),
        ("linux.*", "windows.volume.open", false),
        ("*.read", "linux.auth-log.read", true),
        // An unclosed bracket matches nothing.
        ("auth.log.[0-9", "auth.log.1", false),
    ])
    func matches(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(Glob.matches(pattern, name) == expected)
    }

    @Test(arguments: [
        ("/var/log/auth.log", false),
        ("/var/log/auth.log*", true),
        ("/run/user/?/gvfs", true),
        ("/var/log/secure-[0-9]", true),
    ])
    func magicIsAStarAQuestionMarkOrABracket(_ pattern: String, _ expected: Bool) {
        #expect(Glob.hasMagic(pattern) == expected)
    }

    @Test(arguments: [
        ("/var/log/auth.log*", true),
        ("/var/log/[abc].log", true),
        ("/var/log/[!a-z]x[0-9]*", true),
        ("/var/log/[]].log", true),
        ("/var/log/[ab.log", false),
        ("/var/log/x[", false),
        ("/var/log/[!]", false),
        ("/var/log/[a]/[b", false),
    ])
    func wellFormedMeansEveryBracketIsClosed(_ pattern: String, _ expected: Bool) {
        #expect(Glob.isValid(pattern) == expected)
    }

    @Test func aProfileIncludesTheRulesItsPatternsMatch() {
        let profile = Profile(
            name: "p", title: "P", user: "u", group: "g", unit: nil, defaultIntegrations: [],
            rules: ["linux.*", "all.integrations.root-only"], origin: "test")
        #expect(profile.includes(ruleID: "linux.auth-log.read"))
        #expect(profile.includes(ruleID: "all.integrations.root-only"))
        #expect(!profile.includes(ruleID: "all.integrations.root-recommended"))
        #expect(!profile.includes(ruleID: "windows.security-log.read"))
    }
}
