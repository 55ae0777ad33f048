import Foundation
import Testing
@testable import PermauditFix
import PermauditCore
import PermauditHost

/// The generated script for a fixed plan, compared byte for byte with a reviewed golden file.
/// Regenerate with `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter GoldenScript` and review the diff.
@Suite("Golden remediation script")
struct GoldenScriptTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func fixedPlan() -> FixPlan {
        let who = Principal(uid: 5101, gid: 6101, userName: "elastic-agent-user", groupNames: [6101: "elastic-agent"], origin: "--user")
        func decision(_ path: String, _ v: AccessDecision.Verdict) -> AccessDecision {
            AccessDecision(path: path, resolvedPath: path, access: .read, principal: who, verdict: v, errno: v == .granted ? nil : .permissionDenied,
                           reason: v == .granted ? "named group" : "other ---", blockedAt: nil, evidence: [], caveats: [])
        }
        let dir = RawPath("/var/log")
        let log = RawPath("/var/log/auth.log")
        let hostile = RawPath(bytes: Array("/var/log/$(touch X) 'a'\n-".utf8) + [0xFF])
        let base640 = AccessControlList(mode: FileMode(0o640))
        let granted640 = base640.setting(ACLEntry(.group, 6101, .read)).setting(ACLEntry(.mask, nil, .read))
        let dirBefore = AccessControlList(mode: FileMode(0o750))
        let dirAfter = dirBefore.setting(ACLEntry(.group, 6101, .execute)).setting(ACLEntry(.mask, nil, [.read, .execute]))
        let conf = "/var/log/auth.log {\n\tcreate 0640 root adm\n}\n"
        let edited = "/var/log/auth.log {\n\tcreate 0640 root adm\n\tpostrotate\n\t\t/usr/local/sbin/permaudit-reapply-0123456789\n\tendscript\n}\n"
        let steps = [
            FixStep(number: 1, action: .setACL(ACLChange(path: dir, identity: ObjectIdentity(type: .directory, uid: 0, gid: 4, device: 8 << 32 | 1, inode: 100), before: dirBefore, after: dirAfter, entry: ACLEntry(.group, 6101, .execute), widened: [])),
                    why: "search on /var/log blocks the walk to /var/log/auth.log", change: "setfacl -m g:6101:--x,m::r-x -- /var/log",
                    blastRadius: BlastRadius(changes: [AccessChange(principal: "5101(elastic-agent-user)", object: "/var/log", access: .search, before: .denied, after: .granted)], notes: ["the mask goes from no mask to r-x"]),
                    persistence: nil, followUp: nil),
            FixStep(number: 2, action: .setACL(ACLChange(path: log, identity: ObjectIdentity(type: .regular, uid: 0, gid: 4, device: 8 << 32 | 1, inode: 101), before: base640, after: granted640, entry: ACLEntry(.group, 6101, .read), widened: [])),
                    why: "read on /var/log/auth.log", change: "setfacl -m g:6101:r--,m::r-- -- /var/log/auth.log", blastRadius: BlastRadius(),
                    persistence: "logrotate stanza /etc/logrotate.d/rsyslog:1 uses `create 0640 root adm`: the plan adds a postrotate re-apply", followUp: nil),
            FixStep(number: 3, action: .setACL(ACLChange(path: hostile, identity: ObjectIdentity(type: .regular, uid: 0, gid: 4, device: 8 << 32 | 1, inode: 102), before: base640, after: granted640, entry: ACLEntry(.group, 6101, .read), widened: [])),
                    why: "read on a hostile name", change: "setfacl", blastRadius: BlastRadius(), persistence: nil, followUp: nil),
            FixStep(number: 4, action: .writeFile(NewFile(path: RawPath("/usr/local/sbin/permaudit-reapply-0123456789"), content: Array("#!/bin/bash\nsetfacl -P -m g:6101:r-- -- '/var/log/auth.log'\n".utf8), mode: 0o755)),
                    why: "rotation does not keep the ACL", change: "write the helper", blastRadius: BlastRadius(), persistence: nil, followUp: nil),
            FixStep(number: 5, action: .editFile(FileEdit(path: RawPath("/etc/logrotate.d/rsyslog"), before: Array(conf.utf8), after: Array(edited.utf8))),
                    why: "run the re-apply after rotation", change: "add the helper to postrotate", blastRadius: BlastRadius(), persistence: nil, followUp: nil),
        ]
        let targets = [FixTarget(path: log, access: .read, before: decision("/var/log/auth.log", .denied), after: decision("/var/log/auth.log", .granted))]
        return FixPlan(principal: who, strategy: .acl, targets: targets, steps: steps, unresolved: [], gained: [], id: "0123456789ab")
    }

    func check(_ text: String, against name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["PERMAUDIT_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(text == golden, "\(name) is stale: regenerate with PERMAUDIT_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test("the fix script matches the golden file")
    func script() throws {
        try check(BashScriptEmitter.script(Self.fixedPlan(), rollbackName: "fix.rollback.sh"), against: "fixed-plan.sh")
    }

    @Test("the rollback script matches the golden file")
    func rollback() throws {
        try check(BashScriptEmitter.rollback(Self.fixedPlan(), scriptName: "fix.sh"), against: "fixed-plan.rollback.sh")
    }

    /// The same plan for an image root (`fix --root`): ACL steps only, the root the first argument.
    static let image = ImageRootScript(plannedRoot: "/srv/images/web-1", rootDevice: 2049)

    @Test("the image-root fix script matches the golden file")
    func rootScript() throws {
        try check(BashScriptEmitter.script(Self.fixedPlan().insideImage(), rollbackName: "fix.rollback.sh", image: Self.image), against: "fixed-plan.root.sh")
    }

    @Test("the image-root rollback script matches the golden file")
    func rootRollback() throws {
        try check(BashScriptEmitter.rollback(Self.fixedPlan().insideImage(), scriptName: "fix.sh", image: Self.image), against: "fixed-plan.root.rollback.sh")
    }

    @Test("in an image the plan keeps its ACL steps; the file it would write or edit is named as not fixed")
    func insideImage() {
        let plan = Self.fixedPlan().insideImage()
        #expect(plan.steps.map(\.number) == [1, 2, 3])
        #expect(plan.unresolved.compactMap(\.path?.display) == ["/usr/local/sbin/permaudit-reapply-0123456789", "/etc/logrotate.d/rsyslog"])
        let script = BashScriptEmitter.script(plan, rollbackName: "r.sh", image: Self.image)
        #expect(!script.contains("step_write") && !script.contains("step_edit"))
    }

    @Test("a plan with no step is a script bash runs, live and in an image", .enabled(if: isRoot))
    func emptyPlan() throws {
        var plan = Self.fixedPlan()
        plan.steps = []
        let dir = "/tmp/pa-rootfix-empty-\(getpid())-\(Int.random(in: 1000...9999))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text, args) in [("live.sh", BashScriptEmitter.script(plan, rollbackName: "r.sh"), [String]()),
                                   ("root.sh", BashScriptEmitter.script(plan, rollbackName: "r.sh", image: ImageRootScript(plannedRoot: dir, rootDevice: nil)), [dir])] {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
            let r = try run(["bash", dir + "/" + name] + args + ["--dry-run"])
            #expect(r.status == 0 && r.out.contains("dry run"), "\(name): \(r.out)\(r.err)")
        }
    }

    @Test("the golden scripts are clean under shellcheck", .enabled(if: hasShellcheck))
    func shellcheck() throws {
        let r = try run(["shellcheck"] + ["fixed-plan.sh", "fixed-plan.rollback.sh", "fixed-plan.root.sh", "fixed-plan.root.rollback.sh"].map { Self.folder.appendingPathComponent($0).path })
        #expect(r.status == 0, "\(r.out)")
    }

    @Test("the JSON plan carries the raw bytes of a name that is not UTF-8")
    func json() {
        let text = PlanJSON.render(Self.fixedPlan())
        #expect(text.contains("\"pathHex\": \"2f7661722f6c6f672f2428746f756368205829202761270a2dff\""))
        #expect(text.contains("\"schemaVersion\": \"1.0\""))
    }
}
