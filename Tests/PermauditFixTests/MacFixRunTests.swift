import Foundation
import Glibc
import PermauditAudit
import PermauditCore
import PermauditFacts
import PermauditFix
import Testing

/// The macOS fix script and its rollback, run here on Linux against a staged folder with the stand-ins of
/// `Tests/Fixtures/macos/bin/` (chmod +a/-a and ls -le keep the ACL in a state folder; killall records):
/// --dry-run changes nothing, the fix changes what it planned and nothing else, a second run changes
/// nothing, the rollback puts every byte back, and a target swapped for another file is skipped.
@Suite("macOS fix script, run", .serialized, .enabled(if: getuid() == 0, "the script refuses to run unless root"))
struct MacFixRunTests {
    static let fixtures = MacFixTests.root.appendingPathComponent("Tests/Fixtures/macos")

    struct Stage {
        let dir: URL
        var root: URL { dir.appendingPathComponent("root") }
        var state: URL { dir.appendingPathComponent("standin-state") }
        var asl: URL { root.appendingPathComponent("etc/asl.conf") }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("permaudit-macfix-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("root"), to: root)
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            let (plan, _) = try MacFixTests.plan()
            try Data(plan.script(rollbackName: "fix.rollback.sh").utf8).write(to: dir.appendingPathComponent("fix.sh"))
            try Data(plan.rollback(scriptName: "fix.sh").utf8).write(to: dir.appendingPathComponent("fix.rollback.sh"))
        }

        func run(_ script: String, _ args: [String] = []) throws -> (status: Int32, out: String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [
                "PATH=\(fixtures.appendingPathComponent("bin").path):/usr/bin:/bin", "PERMAUDIT_STAGED_ROOT=\(root.path)",
                "PERMAUDIT_STANDIN_STATE=\(state.path)", "sh", dir.appendingPathComponent(script).path,
            ] + args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }

        func calls() -> String { (try? String(contentsOf: state.appendingPathComponent("calls"), encoding: .utf8)) ?? "" }
        func acl(_ path: String) -> String {
            let name = (root.path + path).replacingOccurrences(of: "/", with: "_") + ".acl"
            return (try? String(contentsOf: state.appendingPathComponent(name), encoding: .utf8)) ?? ""
        }
    }

    @Test("dry run, fix, fix again, rollback")
    func lifecycle() throws {
        let s = try Stage()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let original = try Data(contentsOf: s.asl)

        let dry = try s.run("fix.sh", ["--dry-run"])
        #expect(dry.status == 0, "\(dry.out)")
        #expect(dry.out.contains("step 1: would run: chmod +a 'group:elastic-agent allow read'"))
        #expect(dry.out.contains("step 4: would change"))
        #expect(dry.out.contains("done: 0 changed, 0 unchanged, 0 skipped (dry run: nothing was changed)"))
        #expect(s.calls().isEmpty)
        #expect(try Data(contentsOf: s.asl) == original)

        let fix = try s.run("fix.sh")
        #expect(fix.status == 0, "\(fix.out)")
        #expect(fix.out.contains("done: 4 changed, 0 unchanged, 0 skipped"), "\(fix.out)")
        for p in ["/var/log/system.log", "/var/log/system.log.0.gz", "/var/log/system.log.1.gz"] {
            #expect(s.acl(p) == "group:elastic-agent allow read\n", "\(p)")
        }
        #expect(s.calls().contains("killall -HUP syslogd"))
        // Only line 27 changed; every other byte (the Latin-1 line too) is as it was.
        let edited = try Data(contentsOf: s.asl)
        let expected = String(decoding: original, as: UTF8.self).contains("all_max=50M\n?")
            ? try #require(MacFixTests.replacing(Array("file_max=5M all_max=50M\n? [= Sender".utf8), with: Array("file_max=5M all_max=50M gid=80 gid=403\n? [= Sender".utf8), in: [UInt8](original)))
            : []
        #expect([UInt8](edited) == expected)
        let saved = s.root.appendingPathComponent("var/db/permaudit/fix")
        let planDir = try #require(try FileManager.default.contentsOfDirectory(atPath: saved.path).first)
        let kept = try FileManager.default.contentsOfDirectory(atPath: saved.appendingPathComponent(planDir).path).sorted()
        #expect(kept == ["1.acl", "1.added", "2.acl", "2.added", "3.acl", "3.added", "4.orig"])

        let again = try s.run("fix.sh")
        #expect(again.status == 0)
        #expect(again.out.contains("done: 0 changed, 4 unchanged, 0 skipped"), "\(again.out)")

        let back = try s.run("fix.rollback.sh")
        #expect(back.status == 0, "\(back.out)")
        #expect(back.out.contains("done: 4 changed, 0 unchanged, 0 skipped"), "\(back.out)")
        #expect(s.acl("/var/log/system.log").isEmpty)
        #expect(try Data(contentsOf: s.asl) == original)
        let backAgain = try s.run("fix.rollback.sh")
        #expect(backAgain.out.contains("done: 0 changed, 4 unchanged, 0 skipped"), "\(backAgain.out)")
    }

    @Test("a target swapped for another file (another inode) is skipped, loudly, exit 1")
    func swappedTarget() throws {
        let s = try Stage()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let name = (s.root.path + "/var/log/system.log").replacingOccurrences(of: "/", with: "_") + ".inode"
        try Data("9999\n".utf8).write(to: s.state.appendingPathComponent(name))
        let fix = try s.run("fix.sh")
        #expect(fix.status == 1, "\(fix.out)")
        #expect(fix.out.contains("step 1: SKIPPED: \(s.root.path)/var/log/system.log is another file now (planned device|inode 16777231|4242, found 16777231|9999)"), "\(fix.out)")
        #expect(s.acl("/var/log/system.log").isEmpty)
        #expect(s.acl("/var/log/system.log.0.gz") == "group:elastic-agent allow read\n")
    }

    @Test("a config line changed since the facts were gathered is not touched")
    func changedLine() throws {
        let s = try Stage()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        var bytes = [UInt8](try Data(contentsOf: s.asl))
        bytes = try #require(MacFixTests.replacing(Array("file_max=5M all_max=50M\n? [= Sender".utf8), with: Array("file_max=9M all_max=50M\n? [= Sender".utf8), in: bytes))
        try Data(bytes).write(to: s.asl)
        let fix = try s.run("fix.sh")
        #expect(fix.status == 1)
        #expect(fix.out.contains("step 4: SKIPPED:") && fix.out.contains("line 27 changed since the facts were gathered"), "\(fix.out)")
        #expect([UInt8](try Data(contentsOf: s.asl)) == bytes)
    }
}

extension MacFixTests {
    static func replacing(_ needle: [UInt8], with new: [UInt8], in hay: [UInt8]) -> [UInt8]? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) {
            return Array(hay[..<i]) + new + Array(hay[(i + needle.count)...])
        }
        return nil
    }
}
