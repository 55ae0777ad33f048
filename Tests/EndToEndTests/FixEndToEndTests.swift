import Foundation
import Testing

/// `permaudit fix` on a real staged host: a throwaway agent user, auth.log-style trees under /var/log,
/// a real logrotate config, the kernel as the judge. Needs root; skips cleanly otherwise.
@Suite("permaudit fix end to end (root)", .serialized, .accountsUntouched, .enabled(if: FixE2E.canRun, "needs root, acl, setpriv and logrotate"))
struct FixEndToEndTests {
    /// The whole story: fail → script → shellcheck → run → kernel agrees → rotate → still readable →
    /// run again: no changes → rollback: ACLs back byte for byte and the agent refused again.
    @Test("auth.log-style logs: fix, rotate, idempotent re-run, rollback")
    func rotationStory() throws {
        let agent = try FixE2E.Agent()
        defer { agent.remove() }
        let d = try FixE2E.tempDir("permaudit-test")
        let conf = "/etc/logrotate.d/\(URL(fileURLWithPath: d).lastPathComponent)"
        let work = try FixE2E.tempDir("permaudit-work")
        var state: String?
        defer {
            // A failed run may leave the helper and the config edit: the rollback removes them (idempotent).
            _ = try? FixE2E.run(["bash", "\(work)/fix.rollback.sh"])
            _ = try? FixE2E.run(["rm", "-rf", "--", d, work, conf])
            if let state { _ = try? FixE2E.run(["rm", "-rf", "--", state]) }
        }
        // a: Debian auth.log (root:adm 0640, bare `create`); b: `create 0640 root adm`; c: RHEL secure (root 0600, `create 0600 root root`).
        let setup = """
            set -e
            chown root:adm '\(d)'; chmod 0750 '\(d)'
            mkdir '\(d)/a' '\(d)/b' '\(d)/c'; chmod 0755 '\(d)/a' '\(d)/b'; chmod 0700 '\(d)/c'
            for f in a/auth.log a/auth.log.1 a/other.log b/auth.log b/auth.log.1; do echo "line of $f" >'\(d)'/$f; chown root:adm '\(d)'/$f; chmod 0640 '\(d)'/$f; done
            echo public >'\(d)/a/public.log'; chmod 0644 '\(d)/a/public.log'
            for f in c/secure c/secure.1; do echo "line of $f" >'\(d)'/$f; chmod 0600 '\(d)'/$f; done
            cat >'\(conf)' <<'CONF'
            \(d)/a/auth.log {
                create
                rotate 4
                missingok
            }
            \(d)/b/auth.log {
                create 0640 root adm
                rotate 4
            }
            \(d)/c/secure {
                create 0600 root root
                rotate 4
            }
            CONF
            """
        let s = try FixE2E.sh(setup)
        try #require(s.status == 0, "\(s.err)")
        let targets = ["\(d)/a/auth.log", "\(d)/a/auth.log.1", "\(d)/b/auth.log", "\(d)/b/auth.log.1", "\(d)/c/secure", "\(d)/c/secure.1"]

        // The decisions fail, and the kernel agrees.
        for t in targets {
            #expect(try FixE2E.permaudit(["explain", t, "--user", agent.name, "--access", "read"]).status == 1, "\(t) should be denied before")
        }
        let all = try FixE2E.files(under: d)
        let readableBefore = try agent.readable(all)
        #expect(readableBefore.isEmpty)

        // The plan, as a script and as data.
        let script = "\(work)/fix.sh", rollback = "\(work)/fix.rollback.sh"
        let started = Date()
        let gen = try FixE2E.permaudit(["fix", "--user", agent.name, "--path", "\(d)/a/auth.log", "--path", "\(d)/b/auth.log", "--path", "\(d)/c/secure", "-o", script])
        let planSeconds = Date().timeIntervalSince(started)
        try #require(gen.status == 0, "\(gen.err)")
        state = FixE2E.stateDir(of: script)
        let json = try FixE2E.permaudit(["fix", "--user", agent.name, "--path", "\(d)/a/auth.log", "--path", "\(d)/b/auth.log", "--path", "\(d)/c/secure", "--emit", "json"])
        try #require(json.status == 0)
        try FixE2E.expectValidPlan(json.out)
        print("plan: \(String(format: "%.2f", planSeconds)) s; script \((try? Data(contentsOf: URL(fileURLWithPath: script)).count) ?? 0) bytes")
        if FixE2E.hasShellcheck {
            let sc = try FixE2E.run(["shellcheck", script, rollback])
            #expect(sc.status == 0, "\(sc.out)")
        }

        let aclsBefore = try FixE2E.acls(d)
        let confBefore = try Data(contentsOf: URL(fileURLWithPath: conf))

        // A dry run changes nothing.
        let dry = try FixE2E.run(["bash", script, "--dry-run"])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(try FixE2E.acls(d) == aclsBefore)

        // Run it: the decisions pass and the kernel agrees.
        let first = try FixE2E.run(["bash", script])
        try #require(first.status == 0, "\(first.out)\(first.err)")
        for t in targets {
            #expect(try FixE2E.permaudit(["explain", t, "--user", agent.name, "--access", "read"]).status == 0, "\(t) should be granted after")
        }
        let readableAfter = try agent.readable(all)
        // Nothing else was opened: the new set is the targets, plus what the plan itself says it opens
        // (public.log, mode 0644, hidden only by the directory the agent may now enter).
        let opened = readableAfter.subtracting(readableBefore)
        #expect(opened == Set(targets + ["\(d)/a/public.log"]))
        for o in opened { #expect(json.out.contains("\"object\": \"\(o)\""), "the plan's `gained` must list \(o)") }
        #expect(!json.out.contains("other.log\""), "other.log must not be opened")

        // Rotate with the real logrotate: the files it creates are still readable by the agent.
        let rot = try FixE2E.run(["logrotate", "--force", "--state", "\(work)/logrotate.state", conf])
        #expect(rot.status == 0, "\(rot.err)")
        let rotated = ["\(d)/a/auth.log", "\(d)/a/auth.log.1", "\(d)/a/auth.log.2", "\(d)/b/auth.log", "\(d)/b/auth.log.1", "\(d)/b/auth.log.2",
                       "\(d)/c/secure", "\(d)/c/secure.1", "\(d)/c/secure.2"]
        let dump = try FixE2E.run(["getfacl", "-R", "-p", "-n", d]).out
        #expect(try agent.readable(rotated) == Set(rotated), "after rotation: \(dump)")

        // Again: nothing to change.
        let second = try FixE2E.run(["bash", script])
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out.contains("nothing to change"), "\(second.out)")

        // Roll back: every ACL back byte for byte, the config as it was, the agent refused again.
        let back = try FixE2E.run(["bash", rollback])
        #expect(back.status == 0, "\(back.out)\(back.err)")
        let aclsAfter = try FixE2E.acls(d)
        for (key, block) in aclsBefore { #expect(aclsAfter[key] == block, "\(key) differs after rollback") }
        let gid = agent.gid
        for (key, block) in aclsAfter where aclsBefore[key] == nil { #expect(!block.contains("group:\(gid):"), "\(key) keeps the grant") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: conf)) == confBefore)
        #expect(try agent.readable(try FixE2E.files(under: d)).isEmpty)
        #expect(try FixE2E.sh("ls /usr/local/sbin/permaudit-reapply-* 2>/dev/null | xargs -r grep -l -- '\(d)' || true").out.isEmpty)
    }

    /// Hostile names: the script touches exactly the planned files and runs nothing injected.
    @Test("hostile file names: exact files touched, no injected command run")
    func hostileNames() throws {
        let agent = try FixE2E.Agent()
        defer { agent.remove() }
        let d = try FixE2E.tempDir("permaudit-hostile")
        let work = try FixE2E.tempDir("permaudit-work")
        var state: String?
        defer {
            _ = try? FixE2E.run(["rm", "-rf", "--", d, work])
            if let state { _ = try? FixE2E.run(["rm", "-rf", "--", state]) }
        }
        let setup = #"""
            set -e
            cd "$1"; chmod 0750 .; chown root:adm .
            mkdir h keep; chmod 0750 h keep
            cd h
            for n in 'a b.log' $'new\nline.log' $'quo\'te".log' '$(touch PWNED).log' '`touch PWNED2`.log' '-rf.log' $'bad\xff\xfe.log' $'tab\there.log' 'back\slash.log'; do
              printf 'x\n' >"./$n"; chmod 0640 -- "./$n"
            done
            printf 'x\n' >../keep/keep.log; chmod 0640 ../keep/keep.log
            """#
        let s = try FixE2E.run(["bash", "-c", setup, "_", d])
        try #require(s.status == 0, "\(s.err)")
        let script = "\(work)/fix.sh"
        let gen = try FixE2E.permaudit(["fix", "--user", agent.name, "--path", "\(d)/h/*", "-o", script])
        try #require(gen.status == 0, "\(gen.err)")
        state = FixE2E.stateDir(of: script)
        if FixE2E.hasShellcheck { #expect(try FixE2E.run(["shellcheck", script, "\(work)/fix.rollback.sh"]).status == 0) }
        let before = try FixE2E.acls(d)
        let r = try FixE2E.run(["bash", script], cwd: work)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.components(separatedBy: "changed:").count - 1 == 11, "the tree's root, h/ and 9 files: \(r.out)")
        // No injected command ran, wherever it would have run.
        for dir in [work, d, "\(d)/h", "/"] {
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/PWNED") && !FileManager.default.fileExists(atPath: "\(dir)/PWNED2"))
        }
        // The kernel: every hostile file readable by the agent, the file next door not.
        // Listed by root (the agent may search h/ but not list it), the raw names passed through bash arrays.
        let check = #"""
            files=("$1"/h/*)
            setpriv --reuid "$2" --regid "$2" --init-groups bash -c \
              'n=0; for f in "${@:2}"; do cat -- "$f" >/dev/null || exit 1; n=$((n+1)); done; echo "$n"; cat -- "$1/keep/keep.log" 2>/dev/null && exit 3; exit 0' \
              _ "$1" "${files[@]}"
            """#
        let k = try FixE2E.run(["bash", "-c", check, "_", d, agent.name])
        #expect(k.status == 0 && k.out.hasPrefix("9"), "\(k.out)\(k.err)")
        // Only the planned objects changed.
        let after = try FixE2E.acls(d)
        let changed = Set(after.keys.filter { after[$0] != before[$0] })
        #expect(changed.count == 11, "the tree root, h and 9 files; keep/ untouched: \(changed.sorted())")
        #expect(!changed.contains { $0.hasSuffix("keep") || $0.hasSuffix("keep.log") })
        // And the rollback puts every one back.
        let back = try FixE2E.run(["bash", "\(work)/fix.rollback.sh"], cwd: work)
        #expect(back.status == 0, "\(back.out)\(back.err)")
        #expect(try FixE2E.acls(d) == before)
    }

    /// A symlink swapped in between plan and run (pointing at a root-only stand-in secret of the test's
    /// own, never the host's /etc/shadow) is refused; the secret's owner, mode, ACL and change time are unchanged.
    @Test("a symlink swapped in after planning is refused and the root-only secret it points at is unchanged")
    func symlinkSwap() throws {
        let agent = try FixE2E.Agent()
        defer { agent.remove() }
        let d = try FixE2E.tempDir("permaudit-swap")
        let work = try FixE2E.tempDir("permaudit-work")
        var state: String?
        defer {
            _ = try? FixE2E.run(["rm", "-rf", "--", d, work])
            if let state { _ = try? FixE2E.run(["rm", "-rf", "--", state]) }
        }
        try #require(try FixE2E.sh("set -e; chmod 0755 '\(d)'; echo x >'\(d)/app.log'; chown root:adm '\(d)/app.log'; chmod 0640 '\(d)/app.log'").status == 0)
        let script = "\(work)/fix.sh"
        let gen = try FixE2E.permaudit(["fix", "--user", agent.name, "--path", "\(d)/app.log", "-o", script])
        try #require(gen.status == 0, "\(gen.err)")
        state = FixE2E.stateDir(of: script)
        let secret = "\(work)/shadow"
        try #require(try FixE2E.sh("set -e; echo 'root:$6$x:1:0:99999:7:::' >'\(secret)'; chown root:root '\(secret)'; chmod 0600 '\(secret)'").status == 0)
        let shadowState = "getfacl -p -n '\(secret)'; stat -c '%a %u %g %i %Z' '\(secret)'"
        let shadowBefore = try FixE2E.run(["bash", "-c", shadowState]).out
        try #require(try FixE2E.sh("set -e; mv '\(d)/app.log' '\(d)/app.log.real'; ln -s '\(secret)' '\(d)/app.log'").status == 0)
        let r = try FixE2E.run(["bash", script])
        #expect(r.status == 1, "must exit non-zero: \(r.out)")
        #expect(r.err.contains("SKIPPED") && r.err.contains("symbolic link"), "\(r.err)")
        #expect(try FixE2E.run(["bash", "-c", shadowState]).out == shadowBefore)
        #expect(try agent.readable([secret]).isEmpty, "the agent must not read the secret")
        // A real file swapped in (another inode) is refused too.
        try #require(try FixE2E.sh("set -e; rm '\(d)/app.log'; echo y >'\(d)/app.log'; chown root:adm '\(d)/app.log'; chmod 0640 '\(d)/app.log'").status == 0)
        let r2 = try FixE2E.run(["bash", script])
        #expect(r2.status == 1 && r2.err.contains("not the object planned"), "\(r2.err)")
        #expect(try FixE2E.run(["getfacl", "-p", "-n", "-c", "\(d)/app.log"]).out == "user::rw-\ngroup::r--\nother::---\n\n")
    }

    /// `permaudit fix --apply` does it from the binary, idempotently.
    @Test("--apply grants, a second --apply changes nothing")
    func applyFromBinary() throws {
        let agent = try FixE2E.Agent()
        defer { agent.remove() }
        let d = try FixE2E.tempDir("permaudit-apply")
        defer { _ = try? FixE2E.run(["rm", "-rf", "--", d]) }
        try #require(try FixE2E.sh("set -e; chown root:adm '\(d)'; chmod 0750 '\(d)'; echo x >'\(d)/auth.log'; chown root:adm '\(d)/auth.log'; chmod 0640 '\(d)/auth.log'").status == 0)
        let before = try FixE2E.acls(d)
        let dry = try FixE2E.permaudit(["fix", "--user", agent.name, "--path", "\(d)/auth.log", "--apply", "--dry-run"])
        #expect(dry.status == 0 && dry.out.contains("would set"))
        #expect(try FixE2E.acls(d) == before)
        let a = try FixE2E.permaudit(["fix", "--user", agent.name, "--path", "\(d)/auth.log", "--apply"])
        #expect(a.status == 0, "\(a.out)\(a.err)")
        #expect(try agent.readable(["\(d)/auth.log"]) == ["\(d)/auth.log"])
        let again = try FixE2E.permaudit(["fix", "--user", agent.name, "--path", "\(d)/auth.log", "--apply"])
        #expect(again.status == 0 && again.out.contains("nothing to change"), "\(again.out)")
        // A plan written with -o before an --apply rolls it back.
        _ = try FixE2E.run(["bash", "-c", "setfacl -b -- '\(d)' '\(d)/auth.log'"])
        #expect(try FixE2E.acls(d) == before)
        let script = "\(d)/fix.sh"
        let withScript = try FixE2E.permaudit(["fix", "--user", agent.name, "--path", "\(d)/auth.log", "--apply", "-o", script])
        #expect(withScript.status == 0, "\(withScript.err)")
        let back = try FixE2E.run(["bash", "\(d)/fix.rollback.sh"])
        #expect(back.status == 0, "\(back.out)\(back.err)")
        var now = try FixE2E.acls(d)
        now = now.filter { !$0.key.hasSuffix(".sh") }
        #expect(now == before)
        #expect(try agent.readable(["\(d)/auth.log"]).isEmpty)
    }
}
