import Foundation
import Glibc
import Testing
@testable import PermauditFix
import PermauditCore
import PermauditHost

/// The target's parent folder belongs to another unprivileged user, who swaps it with a symlink to a folder
/// holding a root-only secret (`renameat2(RENAME_EXCHANGE)` in a loop) while root applies the plan. The
/// check and the change must act on the same object: the secret's ACL and change time never move.
@Suite("A swapped parent folder never steers a fix (root)", .serialized,
       .enabled(if: isRoot && ParentSwapRace.tools, "needs root, python3 and setpriv"))
struct ParentSwapRaceTests {
    static let runs = Int(ProcessInfo.processInfo.environment["PERMAUDIT_RACE_RUNS"] ?? "") ?? 300

    @Test("the generated script, run hundreds of times against the swap, changes the planned file or refuses; never the secret")
    func script() throws {
        let race = try ParentSwapRace()
        defer { race.tearDown() }
        let plan = race.plan()
        try #require(plan.steps.count == 1, "\(plan.steps.map(\.change))")
        let script = race.base + "/fix.sh"
        try BashScriptEmitter.script(plan, rollbackName: "fix.rollback.sh").write(toFile: script, atomically: true, encoding: .utf8)
        defer { _ = try? run(["rm", "-rf", "--", BashScriptEmitter.stateRoot + "/" + plan.id]) }
        try race.startSwapping()
        var changed = 0
        for i in 0..<Self.runs {
            try race.resetTarget()
            let r = try run(["bash", script])
            if r.out.contains("changed:") { changed += 1 }
            try #require(race.secretUntouched(), "run \(i): the secret changed: \(r.out)\(r.err)")
        }
        #expect(changed > 0, "the script never changed the planned file in \(Self.runs) runs: the test proves nothing")
    }

    @Test("fix --apply, run hundreds of times against the swap, changes the planned file or refuses; never the secret")
    func apply() throws {
        let race = try ParentSwapRace()
        defer { race.tearDown() }
        let plan = race.plan()
        try #require(plan.steps.count == 1)
        try race.startSwapping()
        var changed = 0
        for i in 0..<Self.runs {
            try race.resetTarget()
            let outcome = PlanApplier().apply(plan)
            changed += outcome.changed
            try #require(race.secretUntouched(), "run \(i): the secret changed: \(outcome.lines)")
        }
        #expect(changed > 0, "--apply never changed the planned file in \(Self.runs) runs: the test proves nothing")
    }
}

/// base (root 0755) / att (the attacker's, 0755) / logs (the attacker's) / app.log (root:adm 0640, planned)
/// base / vault (root 0755) / app.log (root 0600: the stand-in secret, the test's own)
/// base / att / link -> ../vault (the attacker's), exchanged with att/logs in a loop.
final class ParentSwapRace {
    static var tools: Bool { ["/usr/bin/python3", "/usr/bin/setpriv"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }

    let base = "/var/tmp/pa-race-\(getpid())-\(Int.random(in: 1000...9999))"
    let attacker = 4_000_000 + UInt32.random(in: 500...999)
    var target: String { base + "/att/logs/app.log" }
    var secret: String { base + "/vault/app.log" }
    var swapper: pid_t?
    var targetFD: Int32 = -1
    var secretCtime = timespec()
    var secretACL: AccessControlList?

    init() throws {
        let r = try run(["bash", "-c", """
            set -e; mkdir -m 0755 '\(base)' '\(base)/vault'
            mkdir -m 0755 '\(base)/att' '\(base)/att/logs'
            echo log >'\(base)/att/logs/app.log'; chown root:adm '\(base)/att/logs/app.log'; chmod 0640 '\(base)/att/logs/app.log'
            echo secret >'\(secret)'; chmod 0600 '\(secret)'
            ln -s ../vault '\(base)/att/link'
            chown -h \(attacker):\(attacker) '\(base)/att' '\(base)/att/logs' '\(base)/att/link'
            """])
        guard r.status == 0 else { throw PlanApplier.StepError(description: r.err) }
        targetFD = open(target, O_RDONLY | O_CLOEXEC)
        secretCtime = Self.ctime(secret)
        secretACL = try? ACLWriter.currentACL(RawPath(secret), expecting: nil)
    }

    /// The plan as root makes it before the attacker starts: read on the log for a principal outside adm.
    func plan() -> FixPlan {
        let who = Principal(uid: 4_000_333, gid: 4_000_333, origin: "test")
        return FixPlanner(host: LiveHost(), principal: who, logrotate: LogrotateConfig(stanzas: [], files: [:]))
            .plan([.init(path: RawPath(target), access: .read)])
    }

    /// The attacker's loop, spawned directly (not through Foundation's Process, whose wait a long-lived
    /// child can hold up) and killed by its pid.
    func startSwapping() throws {
        let argv = ["/usr/bin/setpriv", "--reuid", String(attacker), "--regid", String(attacker), "--clear-groups", "/usr/bin/python3", "-c", """
            import ctypes, sys
            libc = ctypes.CDLL(None, use_errno=True)
            a, b = sys.argv[1].encode(), sys.argv[2].encode()
            while True:
                libc.renameat2(-100, a, -100, b, 2)
            """, base + "/att/logs", base + "/att/link"]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
        guard rc == 0 else { throw PlanApplier.StepError(description: "posix_spawn setpriv: \(String(cString: strerror(rc)))") }
        swapper = pid
        usleep(100_000)
    }

    /// The planned file back to its planned ACL, through a descriptor held on it (its name is being swapped).
    func resetTarget() throws {
        let r = try run(["setfacl", "-b", "/proc/\(getpid())/fd/\(targetFD)"])
        guard r.status == 0 else { throw PlanApplier.StepError(description: r.err) }
    }

    /// The secret's ACL as it was (the mode alone) and its change time as it was (any ACL or mode change moves it).
    func secretUntouched() -> Bool {
        let acl = try? ACLWriter.currentACL(RawPath(secret), expecting: nil)
        let now = Self.ctime(secret)
        return acl != nil && acl == secretACL && acl?.entries.count == 3 && now.tv_sec == secretCtime.tv_sec && now.tv_nsec == secretCtime.tv_nsec
    }

    static func ctime(_ path: String) -> timespec {
        var st = stat()
        _ = lstat(path, &st)
        return st.st_ctim
    }

    func tearDown() {
        if let swapper { kill(swapper, SIGKILL); var status: Int32 = 0; waitpid(swapper, &status, 0) }
        if targetFD >= 0 { close(targetFD) }
        _ = try? run(["rm", "-rf", "--", base])
    }
}
