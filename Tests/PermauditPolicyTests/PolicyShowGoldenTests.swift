import Foundation
import Testing
@testable import PermauditPolicy

/// `permaudit policy show` for each sample policy, against its golden file (`PERMAUDIT_UPDATE_GOLDEN=1` rewrites them).
struct PolicyShowGoldenTests {
    static let names = ["system-default", "custom-filestream", "gvfs-dropped", "gvfs-kept", "elastic-defend", "bad/partly"]

    @Test("policy show matches its golden file", arguments: names)
    func golden(_ name: String) throws {
        let p = try AgentPolicyParserTests.policy(name + ".yml")
        let text = PolicySummary.text(p, PolicyImplications(p, variables: PolicyCondition.hostVariables(platform: "linux")))
        let golden = AgentPolicyParserTests.root.appendingPathComponent("Tests/PermauditPolicyTests/Golden/\(name.replacingOccurrences(of: "/", with: "-")).txt")
        if ProcessInfo.processInfo.environment["PERMAUDIT_UPDATE_GOLDEN"] == "1" {
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOf: golden, encoding: .utf8)), "regenerate with PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter PolicyShowGoldenTests after checking the change")
    }

    @Test("the policy patch for a gvfs mount adds its type to ignore_types and still parses")
    func patch() throws {
        let p = try AgentPolicyParserTests.policy("gvfs-kept.yml")
        let patch = try #require(PolicyPatch.ignoring(mountPoints: ["/run/user/1000/gvfs"], policy: p, mounts: [("/run/user/1000/gvfs", "fuse.gvfsd-fuse")], defaultIgnored: ["tmpfs", "proc"]))
        let again = try AgentPolicyParser.parse(file: p.file, text: patch.patched)
        #expect(again.inputs.first?.streams.first?.ignoreTypes?.value == ["tmpfs", "proc", "fuse.gvfsd-fuse"])
        #expect(patch.unifiedDiff().contains("+      - filesystem.ignore_types: [tmpfs, proc, fuse.gvfsd-fuse]"))
        // Once ignored, nothing more to patch.
        #expect(PolicyPatch.ignoring(mountPoints: ["/run/user/1000/gvfs"], policy: again, mounts: [("/run/user/1000/gvfs", "fuse.gvfsd-fuse")], defaultIgnored: []) == nil)
    }
}

struct PolicyPatchTests {
    static let policy = """
        inputs:
          - type: filestream
            id: app
            paths:
              - /srv/app/a.log*
          - type: log
            id: old-style
            streams:
              - paths: [/srv/app/a.log*]
                exclude_files: ['\\.tmp$']

        """

    @Test("compressed copies: exclude_files gains \\.gz$ where a list exists, the right key is added where none does; the diff is diff -u's")
    func compressed() throws {
        let p = try AgentPolicyParser.parse(file: "p.yml", text: Self.policy)
        let patch = try #require(PolicyPatch.excludingCompressed(streams: p.inputs.flatMap(\.streams).map(\.location), policy: p))
        let again = try AgentPolicyParser.parse(file: "p.yml", text: patch.patched)
        #expect(again.inputs.map { $0.streams.first?.excludeFiles.map(\.value) ?? [] } == [["\\.gz$"], ["\\.tmp$", "\\.gz$"]])
        #expect(patch.unifiedDiff() == """
            --- p.yml
            +++ p.yml (patched by permaudit)
            @@ -1,5 +1,6 @@
             inputs:
            -  - type: filestream
            +  - prospector.scanner.exclude_files: ['\\.gz$']
            +    type: filestream
                 id: app
                 paths:
                   - /srv/app/a.log*
            @@ -7,4 +8,4 @@
                 id: old-style
                 streams:
                   - paths: [/srv/app/a.log*]
            -        exclude_files: ['\\.tmp$']
            +        exclude_files: ['\\.tmp$', '\\.gz$']

            """)
    }
}
