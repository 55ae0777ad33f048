import Testing
@testable import PermauditPolicy

/// The agent's globs are Go's `filepath.Match` per component, not the shell's.
struct PolicyGlobTests {
    @Test("one component, as Go's filepath.Match decides it", arguments: [
        ("auth.log*", "auth.log", true), ("auth.log*", "auth.log.2.gz", true), ("*.log", ".hidden.log", true),
        ("*.log", "a.log.1", false), ("?.log", "é.log", true), ("[a-c].log", "b.log", true), ("[^a-c].log", "b.log", false),
        ("[!a].log", "!.log", true), ("[!a].log", "b.log", false), ("\\*.log", "*.log", true), ("\\*.log", "a.log", false),
        ("*", "", true), ("a*b", "a/b", true),
    ])
    func component(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(PolicyGlob.matches(Array(pattern.utf8), Array(name.utf8)) == expected)
    }

    @Test("names that are not valid UTF-8 match byte for byte, and ? takes a bad byte as one character")
    func invalidUTF8() {
        let name: [UInt8] = Array("bad".utf8) + [0xFF] + Array(".log".utf8)
        #expect(PolicyGlob.matches(Array("*.log".utf8), name))
        #expect(PolicyGlob.matches(Array("bad?.log".utf8), name))
        #expect(!PolicyGlob.matches(Array("bad.log".utf8), name))
    }

    @Test("** stands for zero to eight directories, only where the input allows it")
    func recursive() throws {
        let g = try PolicyGlob("/srv/**/*.log", recursive: true)
        #expect(g.alternatives.count == 9)
        #expect(g.alternatives.first == [Array("srv".utf8), Array("*.log".utf8)])
        #expect(g.alternatives.last?.count == 10)
        #expect(try PolicyGlob("/srv/**/*.log", recursive: false).alternatives.count == 1)
    }

    @Test("invalid globs are refused with the reason", arguments: ["/var/log/[unclosed", "relative/x.log", "/a/**/b/**/c", "/a/b\\"])
    func invalid(_ pattern: String) {
        #expect(throws: PolicyGlob.Invalid.self) { try PolicyGlob(pattern, recursive: true) }
    }
}

struct ExcludeFilesTests {
    @Test("RE2 patterns, searched anywhere in the path", arguments: [
        ("\\.gz$", "/var/log/auth.log.2.gz", true), ("\\.gz$", "/var/log/auth.log", false), ("\\.gz$", "/var/log/a.gz\n", false),
        ("^/var/log/.*old", "/var/log/x/old.log", true), ("(?P<n>old)\\.log$", "/a/old.log", true), ("(?i)\\.GZ$", "/a/b.gz", true),
        ("[]]x", "/a]x", true),
    ])
    func matches(_ pattern: String, _ path: String, _ expected: Bool) throws {
        #expect(try ExcludeFiles.Pattern(pattern).matches(Array(path.utf8)) == expected)
    }

    @Test("what RE2 refuses is refused", arguments: ["(?=x)", "(?!x)", "(?<=x)", "\\1", "a++", "(?>x)", "\\Z", "[abc", "(?U)a*"])
    func refused(_ pattern: String) {
        #expect(throws: ExcludeFiles.InvalidPattern.self) { try ExcludeFiles.Pattern(pattern) }
    }
}

struct PolicyConditionTests {
    static let linux = PolicyCondition.hostVariables(platform: "linux", architecture: "x86_64")

    @Test("conditions on variables the host knows", arguments: [
        ("${host.platform} == 'linux'", PolicyCondition.Outcome.holds), ("${host.platform} == 'windows'", .fails),
        ("${host.platform} != 'windows' and ${host.architecture} == 'x86_64'", .holds),
        ("${host.platform} == 'darwin' or ${host.platform} == 'linux'", .holds), ("not (${host.platform} == 'linux')", .fails),
        // A false side decides, whatever the unknown side would say.
        ("${host.platform} == 'windows' and ${kubernetes.namespace} == 'x'", .fails),
    ])
    func evaluate(_ text: String, _ expected: PolicyCondition.Outcome) {
        #expect(PolicyCondition.evaluate(text, variables: Self.linux) == expected)
    }

    @Test("an unresolvable variable is unknown, with the variable named")
    func unknownVariable() {
        guard case .unknown(let why) = PolicyCondition.evaluate("${kubernetes.namespace} == 'prod'", variables: Self.linux) else {
            Issue.record("expected unknown")
            return
        }
        #expect(why.contains("${kubernetes.namespace}"))
    }
}
