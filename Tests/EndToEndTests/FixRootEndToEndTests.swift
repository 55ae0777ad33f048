import Foundation
import Testing

/// `fix --root DIR` through the built binary: a plan for an image folder (its accounts from its own
/// etc/passwd and etc/group), a script that takes the root as its argument and never leaves it, `--apply`
/// into the image through the one door, and the rollback. The image holds symlinks (absolute, and a `..`
/// chain) to a root-only stand-in secret of the test's own on the host: its ACL never changes. Needs root.
@Suite("fix --root: a plan and a script for an image root (root)", .serialized, .enabled(if: FixE2E.isRoot && FixE2E.tools.prefix(3).allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }, "needs root, getfacl, setfacl, setpriv"))
struct FixRootEndToEndTests {
    struct Staged {
        let image: String, secret: String, hostDir: String, work: String
        let uid: Int
        var log: String { image + "/var/log/app/app.log" }
        /// The host stand-ins' ACLs, modes, owners, inodes and change times.
        var hostState: String {
            (try? FixE2E.sh("getfacl -p -n -- '\(secret)' '\(hostDir)/app.log'; stat -c '%a %u %g %i %Z' -- '\(secret)' '\(hostDir)' '\(hostDir)/app.log'").out) ?? "unreadable"
        }
        func remove() { _ = try? FixE2E.run(["rm", "-rf", "--", image, secret, hostDir, work]) }
    }

    /// An image with its own agent account, a log that account cannot read, and links out to the host.
    static func stage() throws -> Staged {
        let tag = "\(getpid() % 10000)-\(Int.random(in: 1000...9999))"
        let uid = 4_310_000 + Int.random(in: 0...9999)
        let s = Staged(image: "/tmp/pa-rootfix-img-\(tag)", secret: "/tmp/pa-rootfix-secret-\(tag)", hostDir: "/tmp/pa-rootfix-secret-\(tag)-dir", work: "/tmp/pa-rootfix-work-\(tag)", uid: uid)
        let r = try FixE2E.sh("""
            set -e
            umask 022
            mkdir -m 0755 '\(s.image)' '\(s.work)' '\(s.hostDir)'
            cd '\(s.image)'
            mkdir -p etc var/log/app
            printf 'root:x:0:0:root:/root:/bin/sh\\nrfagent:x:\(uid):\(uid)::/nonexistent:/usr/sbin/nologin\\n' > etc/passwd
            printf 'root:x:0:\\nadm:x:4:\\nrfagent:x:\(uid):\\n' > etc/group
            echo image-log > var/log/app/app.log
            chmod 0750 var/log/app; chmod 0640 var/log/app/app.log
            echo host-secret > '\(s.secret)'; chmod 0600 '\(s.secret)'
            echo host-log > '\(s.hostDir)/app.log'; chmod 0600 '\(s.hostDir)/app.log'
            ln -s '\(s.secret)' var/log/evil.log
            ln -s '../../../../../../..\(s.hostDir)' var/log/up
            """)
        guard r.status == 0 else { s.remove(); throw E2EError("staging the image: \(r.err)") }
        return s
    }

    /// Whether the image's agent (its uid and gid, no other group) can read the image's log, as the kernel says.
    static func agentReads(_ s: Staged) throws -> Bool {
        try FixE2E.run(["setpriv", "--reuid", String(s.uid), "--regid", String(s.uid), "--clear-groups", "cat", "--", s.log]).status == 0
    }

    @Test("the script takes the root, grants inside it, never follows a link out; the rollback restores")
    func script() throws {
        let s = try Self.stage()
        defer { s.remove() }
        let hostBefore = s.hostState
        let aclBefore = try FixE2E.run(["getfacl", "-p", "-n", "--", s.log, s.image + "/var/log/app"]).out
        #expect(try !Self.agentReads(s))

        let plan = try FixE2E.permaudit(["fix", "--root", s.image, "--path", "/var/log/app/app.log", "--user", "rfagent", "-o", s.work + "/s.sh"])
        try #require(plan.status == 0, "\(plan.err)")
        let script = s.work + "/s.sh", rollback = s.work + "/s.rollback.sh"
        let text = try String(contentsOfFile: script, encoding: .utf8)
        #expect(text.contains("step_acl 2 '/var/log/app/app.log'"), "the paths are the image's own")
        #expect(text.contains("g:\(s.uid):r--"), "the grant is to the image's account")
        if FixE2E.hasShellcheck {
            let sc = try FixE2E.run(["shellcheck", script, rollback])
            #expect(sc.status == 0, "\(sc.out)")
        }
        // The root is required, and must be a folder.
        #expect(try FixE2E.run(["bash", script]).status == 2)
        #expect(try FixE2E.run(["bash", script, s.secret]).status == 2)
        // A copy of the image on another device is not the root planned: refused before any step.
        let copy = "/dev/shm/pa-rootfix-copy-\(getpid())-\(Int.random(in: 1000...9999))"
        defer { _ = try? FixE2E.run(["rm", "-rf", "--", copy]) }
        if try FixE2E.sh("cp -a -- '\(s.image)' '\(copy)' && [ \"$(stat -c %d /dev/shm)\" != \"$(stat -c %d '\(s.image)')\" ]").status == 0 {
            let other = try FixE2E.run(["bash", script, copy])
            #expect(other.status == 2 && other.err.contains("not the root this plan was made for"), "\(other.out)\(other.err)")
            #expect(try !FixE2E.run(["getfacl", "-p", "-n", "--", copy + "/var/log/app/app.log"]).out.contains("group:\(s.uid)"))
        }
        #expect(s.hostState == hostBefore)

        // A folder on the way swapped for a link out of the image (absolute, then a `..` chain): refused, nothing changed.
        for link in [s.hostDir, "../../../../../../..\(s.hostDir)"] {
            try #require(try FixE2E.sh("cd '\(s.image)/var/log' && mv app app.real && ln -s '\(link)' app").status == 0)
            let r = try FixE2E.run(["bash", script, s.image, "--partial"])
            #expect(r.status == 1)
            #expect(r.err.contains("on the way is a symbolic link"), "\(r.err)")
            #expect(s.hostState == hostBefore, "a link out of the image led the script to a host file")
            try #require(try FixE2E.sh("cd '\(s.image)/var/log' && rm app && mv app.real app").status == 0)
        }
        // The log itself swapped for a link to the host secret: refused.
        try #require(try FixE2E.sh("cd '\(s.image)/var/log/app' && mv app.log app.real && ln -s '\(s.secret)' app.log").status == 0)
        let swapped = try FixE2E.run(["bash", script, s.image])
        #expect(swapped.status == 1 && swapped.err.contains("is a symbolic link now"), "\(swapped.err)")
        #expect(s.hostState == hostBefore)
        try #require(try FixE2E.sh("cd '\(s.image)/var/log/app' && rm app.log && mv app.real app.log").status == 0)

        let dry = try FixE2E.run(["bash", script, s.image, "--dry-run"])
        #expect(dry.status == 0 && dry.out.contains("would set the ACL"), "\(dry.out)\(dry.err)")
        let ran = try FixE2E.run(["bash", script, s.image])
        #expect(ran.status == 0, "\(ran.out)\(ran.err)")
        #expect(try Self.agentReads(s), "the kernel refuses what the plan promised")
        #expect(try FixE2E.run(["getfacl", "-p", "-n", "--", s.log]).out.contains("group:\(s.uid):r--"))
        #expect(s.hostState == hostBefore)
        let again = try FixE2E.run(["bash", script, s.image])
        #expect(again.status == 0 && again.out.contains("nothing to change"))

        let undo = try FixE2E.run(["bash", rollback, s.image])
        #expect(undo.status == 0, "\(undo.out)\(undo.err)")
        #expect(try FixE2E.run(["getfacl", "-p", "-n", "--", s.log, s.image + "/var/log/app"]).out == aclBefore)
        #expect(try !Self.agentReads(s))
        #expect(s.hostState == hostBefore)
        _ = try? FixE2E.run(["rm", "-rf", "--", "/var/lib/permaudit/fix/" + Self.planID(text)])
    }

    @Test("--apply grants inside the image through the one door; links out of it are never written")
    func apply() throws {
        let s = try Self.stage()
        defer { s.remove() }
        let hostBefore = s.hostState
        let aclBefore = try FixE2E.run(["getfacl", "-p", "-n", "--", s.log, s.image + "/var/log/app"]).out

        // The image's links to the host, asked for by name: resolved inside the image, the host untouched.
        for p in ["/var/log/evil.log", "/var/log/up/app.log"] {
            _ = try FixE2E.permaudit(["fix", "--root", s.image, "--path", p, "--user", "rfagent", "--apply"])
            #expect(s.hostState == hostBefore, "fix --root --apply \(p) changed a host file")
        }

        let r = try FixE2E.permaudit(["fix", "--root", s.image, "--path", "/var/log/app/app.log", "--user", "rfagent", "--apply", "-o", s.work + "/a.sh"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(try Self.agentReads(s), "the kernel refuses what --apply promised")
        #expect(s.hostState == hostBefore)
        let again = try FixE2E.permaudit(["fix", "--root", s.image, "--path", "/var/log/app/app.log", "--user", "rfagent", "--apply"])
        #expect(again.status == 0 && again.out.contains("nothing to change"), "\(again.out)\(again.err)")

        // The rollback written beside it undoes the --apply.
        let undo = try FixE2E.run(["bash", s.work + "/a.rollback.sh", s.image])
        #expect(undo.status == 0, "\(undo.out)\(undo.err)")
        #expect(try FixE2E.run(["getfacl", "-p", "-n", "--", s.log, s.image + "/var/log/app"]).out == aclBefore)
        #expect(s.hostState == hostBefore)
    }

    @Test("--apply into an image whose folder was swapped for a link out after planning changes nothing outside")
    func applySwapped() throws {
        let s = try Self.stage()
        defer { s.remove() }
        let hostBefore = s.hostState
        // Planned (and its identity taken) first as JSON, then the folder swapped: --apply plans again and
        // resolves inside the image, so the link out leads nowhere on the host.
        try #require(try FixE2E.sh("cd '\(s.image)/var/log' && mv app app.real && ln -s '\(s.hostDir)' app").status == 0)
        _ = try FixE2E.permaudit(["fix", "--root", s.image, "--path", "/var/log/app/app.log", "--user", "rfagent", "--apply"])
        #expect(s.hostState == hostBefore, "--apply followed a link out of the image")
    }

    static func planID(_ script: String) -> String {
        script.split(separator: "\n").first { $0.hasPrefix("# permaudit fix plan ") }.map { String($0.split(separator: " ")[4]) } ?? "none"
    }
}
