import Foundation
import Testing
@testable import PermauditFix
import PermauditCore
import PermauditHost

/// `--apply` from the binary: the same checks as the script, and a rollback when a step fails. Needs root.
@Suite("Applying a plan in process (root)", .serialized, .enabled(if: isRoot, "needs root"))
struct PlanApplierTests {
    /// A folder under /var/tmp with one root:adm 0640 file; a principal that is no member of adm.
    func stage() throws -> (dir: String, file: String, planner: FixPlanner) {
        let dir = "/var/tmp/permaudit-apply-\(getpid())-\(Int.random(in: 1000...9999))"
        let r = try run(["bash", "-c", "set -e; mkdir -m 0755 '\(dir)'; echo x >'\(dir)/app.log'; chown root:adm '\(dir)/app.log'; chmod 0640 '\(dir)/app.log'"])
        try #require(r.status == 0, "\(r.err)")
        let who = Principal(uid: 4_000_111, gid: 4_000_111, origin: "test")
        return (dir, dir + "/app.log", FixPlanner(host: LiveHost(), principal: who, logrotate: LogrotateConfig(stanzas: [], files: [:])))
    }

    /// The target is a root-only secret of the test's own, not /etc/shadow itself: other suites create
    /// users in parallel, and `useradd` replaces /etc/shadow (new inode, new change time) while this runs.
    @Test("a symlink to a root-only secret swapped in after planning is skipped; the secret is unchanged")
    func symlinkSwap() throws {
        let (dir, file, planner) = try stage()
        let secret = "\(dir)-secret"
        defer { _ = try? run(["rm", "-rf", "--", dir, secret]) }
        try #require(try run(["bash", "-c", "set -e; echo s >'\(secret)'; chown root:root '\(secret)'; chmod 0600 '\(secret)'"]).status == 0)
        let state = "getfacl -p -n '\(secret)'; stat -c '%a %u %g %i %Z %z' '\(secret)'"
        let plan = planner.plan([.init(path: RawPath(file), access: .read)])
        #expect(plan.steps.count == 1)
        let before = try run(["bash", "-c", state]).out
        try #require(try run(["bash", "-c", "mv '\(file)' '\(file).real' && ln -s '\(secret)' '\(file)'"]).status == 0)
        let outcome = PlanApplier().apply(plan)
        #expect(outcome.skipped == 1)
        #expect(outcome.changed == 0)
        #expect(outcome.lines.joined().contains("symbolic link"))
        #expect(try run(["bash", "-c", state]).out == before)
    }

    @Test("the O_PATH check refuses another inode even when the name, type and owner match")
    func inodeSwap() throws {
        let (dir, file, planner) = try stage()
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        let plan = planner.plan([.init(path: RawPath(file), access: .read)])
        guard case .setACL(let change) = plan.steps.first?.action else { Issue.record("no ACL step"); return }
        try #require(try run(["bash", "-c", "mv '\(file)' '\(file).old'; echo y >'\(file)'; chown root:adm '\(file)'; chmod 0640 '\(file)'"]).status == 0)
        #expect(throws: ACLWriter.Failure.self) { try ACLWriter.setACL(change.after, on: change.path, expecting: change.identity) }
        #expect(try run(["getfacl", "-p", "-n", "-c", file]).out == "user::rw-\ngroup::r--\nother::---\n\n")
    }

    @Test("when a step fails, what was already changed is rolled back")
    func rollbackOnFailure() throws {
        let (dir, file, planner) = try stage()
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        var plan = planner.plan([.init(path: RawPath(file), access: .read)])
        let before = try run(["getfacl", "-p", "-n", file]).out
        // A second step that cannot succeed: a file under /proc.
        plan.steps.append(FixStep(
            number: 2, action: .writeFile(NewFile(path: RawPath("/proc/permaudit-cannot/x"), content: [0x78], mode: 0o644)),
            why: "test", change: "test", blastRadius: BlastRadius(), persistence: nil, followUp: nil))
        let outcome = PlanApplier().apply(plan)
        #expect(outcome.failure != nil)
        #expect(outcome.lines.contains { $0.hasPrefix("rolled back the ACL of") }, "\(outcome.lines)")
        #expect(try run(["getfacl", "-p", "-n", file]).out == before)
    }

    @Test("the planner's model agrees with the kernel after the plan is applied")
    func modelMatchesKernel() throws {
        let (dir, file, planner) = try stage()
        defer { _ = try? run(["rm", "-rf", "--", dir]) }
        let plan = planner.plan([.init(path: RawPath(file), access: .read)])
        #expect(plan.targets.first?.after?.verdict == .granted)
        let outcome = PlanApplier().apply(plan)
        #expect(outcome.failure == nil && outcome.changed == 1)
        let who = planner.principal
        let r = try run(["setpriv", "--reuid", String(who.uid), "--regid", String(who.gid), "--clear-groups", "cat", file])
        #expect(r.status == 0, "the kernel refuses what the plan promised: \(r.err)")
        let again = PlanApplier().apply(plan)
        #expect(again.changed == 0 && again.unchanged == 1)
    }
}
