import Foundation
import Testing
@testable import PermauditFix
import PermauditCore
import PermauditHost

/// A plan runs whole or not at all: when one object is not as planned, nothing changes (unless
/// `--partial`), in the script and in `--apply`.
@Suite("A plan runs whole or not at all (root)", .serialized, .enabled(if: isRoot, "needs root"))
struct WholePlanTests {
    /// Two root:adm 0640 logs in a folder of the test's own, planned for a principal outside adm; then b.log
    /// is replaced by another file (another inode).
    func stage() throws -> (dir: String, plan: FixPlan) {
        let dir = "/var/tmp/pa-whole-\(getpid())-\(Int.random(in: 1000...9999))"
        let r = try run(["bash", "-c", "set -e; mkdir -m 0755 '\(dir)'; for f in a b; do echo x >'\(dir)'/$f.log; chown root:adm '\(dir)'/$f.log; chmod 0640 '\(dir)'/$f.log; done"])
        try #require(r.status == 0, "\(r.err)")
        let who = Principal(uid: 4_000_444, gid: 4_000_444, origin: "test")
        let plan = FixPlanner(host: LiveHost(), principal: who, logrotate: LogrotateConfig(stanzas: [], files: [:]))
            .plan([.init(path: RawPath(dir + "/a.log"), access: .read), .init(path: RawPath(dir + "/b.log"), access: .read)])
        try #require(plan.steps.count == 2, "\(plan.steps.map(\.change))")
        try #require(try run(["bash", "-c", "set -e; cd '\(dir)'; mv b.log b.old; echo y >b.log; chown root:adm b.log; chmod 0640 b.log"]).status == 0)
        return (dir, plan)
    }

    func acl(_ path: String) throws -> String { try run(["getfacl", "-p", "-n", "-c", path]).out }
    static let untouched = "user::rw-\ngroup::r--\nother::---\n\n"

    @Test("the script changes nothing when one target is not as planned; --partial changes the others", arguments: [false, true])
    func script(partial: Bool) throws {
        let (dir, plan) = try stage()
        defer { _ = try? run(["rm", "-rf", "--", dir, BashScriptEmitter.stateRoot + "/" + plan.id]) }
        let script = dir + "/fix.sh"
        try BashScriptEmitter.script(plan, rollbackName: "fix.rollback.sh").write(toFile: script, atomically: true, encoding: .utf8)
        let r = try run(["bash", script] + (partial ? ["--partial"] : []))
        #expect(r.status == 1, "\(r.out)\(r.err)")
        #expect(r.err.contains("b.log") && r.err.contains("not the object planned"), "\(r.err)")
        if partial {
            #expect(try acl(dir + "/a.log") != Self.untouched, "--partial carries out the steps whose objects are as planned")
        } else {
            #expect(try acl(dir + "/a.log") == Self.untouched, "a.log was changed though the plan was refused: \(r.out)")
            #expect(r.err.contains("nothing was changed"), "\(r.err)")
        }
        #expect(try acl(dir + "/b.log") == Self.untouched)
    }

    @Test("--apply changes nothing when one target is not as planned; partial changes the others", arguments: [false, true])
    func apply(partial: Bool) throws {
        let (dir, plan) = try stage()
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        let outcome = PlanApplier().apply(plan, partial: partial)
        #expect(outcome.skipped == 1, "\(outcome.lines)")
        #expect(outcome.changed == (partial ? 1 : 0), "\(outcome.lines)")
        #expect((try acl(dir + "/a.log") == Self.untouched) == !partial, "\(outcome.lines)")
        #expect(try acl(dir + "/b.log") == Self.untouched)
    }

    @Test("the script refuses a repeated or unknown argument", arguments: [["--dry-run", "--dry-run"], ["--partial", "--partial"], ["--dry-run", "extra"], ["--force"]])
    func badArguments(_ args: [String]) throws {
        let (dir, plan) = try stage()
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        for text in [BashScriptEmitter.script(plan, rollbackName: "r.sh"), BashScriptEmitter.rollback(plan, scriptName: "f.sh")] {
            let script = dir + "/s.sh"
            try text.write(toFile: script, atomically: true, encoding: .utf8)
            let r = try run(["bash", script] + args)
            #expect(r.status == 2 && r.err.contains("usage:"), "\(args): \(r.status) \(r.out)\(r.err)")
        }
        #expect(try acl(dir + "/a.log") == Self.untouched)
    }
}
