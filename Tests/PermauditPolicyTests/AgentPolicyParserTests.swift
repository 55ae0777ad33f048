import Foundation
import Testing
@testable import PermauditPolicy

/// The sample policies under Tests/Policies, read as the agent's format, every part with its line.
struct AgentPolicyParserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func policy(_ name: String) throws -> AgentPolicy {
        let text = try String(contentsOf: root.appendingPathComponent("Tests/Policies/\(name)"), encoding: .utf8)
        return try AgentPolicyParser.parse(file: "Tests/Policies/\(name)", text: text)
    }

    @Test("the System integration's default policy: auth and syslog with their excludes, filesystem, process, winlog off on Linux")
    func systemDefault() throws {
        let p = try Self.policy("system-default.yml")
        let auth = try #require(p.inputs.first?.streams.first)
        #expect(auth.dataset == "system.auth")
        #expect(auth.paths.map(\.value) == ["@ROOT@/var/log/auth.log*", "@ROOT@/var/log/secure*"])
        #expect(auth.paths.first?.location.line == 34)
        #expect(auth.excludeFiles.map(\.value) == ["\\.gz$"])
        let imp = PolicyImplications(p, variables: PolicyCondition.hostVariables(platform: "linux"))
        let needs = imp.items.filter { $0.state == .active }.map(\.need)
        #expect(needs.contains { if case .mounts(nil, let drops, "filesystem") = $0 { return drops.count == 1 } else { return false } })
        #expect(needs.contains(.processes(metricset: "process")))
        let winlog = try #require(imp.items.first { $0.need == .eventChannel("Security") })
        guard case .off = winlog.state else { Issue.record("winlog should be off on Linux"); return }
        #expect(p.notInterpreted.map(\.location.line) == [32, 65] && p.notInterpreted.allSatisfy { $0.message.hasPrefix("ignore_older: 72h: not modelled") })
        #expect(PolicyImplications(p, variables: PolicyCondition.hostVariables(platform: "windows")).items.first { $0.need == .eventChannel("Security") }?.state == .active)
    }

    @Test("a drop_event processor that drops gvfs mounts, written nested and dotted")
    func gvfsDropped() throws {
        let s = try #require(Self.policy("gvfs-dropped.yml").inputs.first?.streams.first)
        let drops = s.processors.compactMap { if case .dropEvent(let c, _) = $0 { return c } else { return nil } }
        #expect(drops.count == 2)
        #expect(drops.contains { $0.holds(["system.filesystem.mount_point": "/run/user/1000/gvfs"]) == true })
        #expect(!drops.contains { $0.holds(["system.filesystem.mount_point": "/home"]) == true })
    }

    @Test("Elastic Defend needs a privileged agent; journald the journal")
    func defend() throws {
        let imp = PolicyImplications(try Self.policy("elastic-defend.yml"), variables: PolicyCondition.hostVariables(platform: "linux"))
        #expect(imp.items.map(\.need) == [.requiresRoot(integration: "endpoint"), .journal])
        #expect(imp.integrations.contains("endpoint"))
    }

    @Test("not a policy: a message with file:line", arguments: [
        ("bad/not-yaml.yml", "not valid YAML", 4), ("bad/no-inputs.yml", "no `inputs:`", 2), ("bad/fleet-bootstrap.yml", "fleet.enc", 2),
    ])
    func notAPolicy(_ name: String, _ says: String, _ line: Int) {
        do {
            _ = try Self.policy(name)
            Issue.record("\(name) was read as a policy")
        } catch let e as PolicyFileError {
            #expect(e.message.contains(says), "\(e)")
            #expect(e.location.line == line, "\(e)")
            #expect(e.description.hasPrefix("Tests/Policies/\(name):\(line): "))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("what cannot be interpreted is named with its line, and the rest is still read")
    func partly() throws {
        let p = try Self.policy("bad/partly.yml")
        let imp = PolicyImplications(p, variables: PolicyCondition.hostVariables(platform: "linux"))
        let notes = imp.notInterpreted.map(\.description)
        for (line, says) in [(13, "'kafka': not interpreted"), (11, "[unclosed"), (11, "not an absolute path"), (12, "look-ahead"), (19, "'wireless'"), (21, "'range'")] {
            #expect(notes.contains { $0.hasPrefix("Tests/Policies/bad/partly.yml:\(line): ") && $0.contains(says) }, "\(line) \(says) in \(notes)")
        }
        #expect(imp.items.contains { if case .files(let s) = $0.need { return s.globs.first?.value == "/var/log/permaudit-policy-test-absent/*.log" } else { return false } })
    }

    @Test("dotted and nested keys are the same key")
    func dotted() throws {
        let text = "inputs:\n  - type: filestream\n    id: a\n    data_stream.dataset: x.y\n    prospector:\n      scanner:\n        exclude_files: ['\\.gz$']\n        recursive_glob: false\n    paths: [/a/**/b.log]\n"
        let s = try #require(AgentPolicyParser.parse(file: "t.yml", text: text).inputs.first?.streams.first)
        #expect(s.dataset == "x.y")
        #expect(s.excludeFiles.map(\.value) == ["\\.gz$"])
        #expect(s.recursiveGlob == false)
        #expect(s.paths.first?.location.line == 9)
    }

    @Test("a ${var} in a path makes its need unknown, with the variable named; diskio is PartMgr only on Windows")
    func variablesAndPlatforms() throws {
        let text = """
            inputs:
              - type: logfile
                id: k8s
                streams:
                  - paths: ["/var/log/containers/${kubernetes.pod.name}*.log"]
              - type: system/metrics
                id: disk
                streams:
                  - metricsets: [diskio, socket_summary]
            """
        let p = try AgentPolicyParser.parse(file: "v.yml", text: text)
        let linux = PolicyImplications(p, variables: PolicyCondition.hostVariables(platform: "linux"))
        guard case .unknown(let why) = linux.items.first?.state else { Issue.record("expected unknown"); return }
        #expect(why.contains("${kubernetes.pod.name}"))
        #expect(linux.items.dropFirst().map(\.need) == [.nothingSpecial(metricset: "diskio"), .nothingSpecial(metricset: "socket_summary")])
        let windows = PolicyImplications(p, variables: PolicyCondition.hostVariables(platform: "windows"))
        #expect(windows.items.dropFirst().first?.need == .partMgr)
    }
}
