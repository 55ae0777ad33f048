import Foundation
import Glibc
import Testing

/// The one door to the file system, through the built binary: `--root` stays inside its folder under
/// strace whatever the image's symlinks and `..` chains say and while a folder is swapped for a symlink
/// to `/`; names that are not UTF-8 are judged as their own bytes; a tree deeper than PATH_MAX is swept.
@Suite("one door to the file system, end to end", .serialized)
struct OneDoorEndToEndTests {
    static let isRoot = getuid() == 0
    static let hasStrace = access("/usr/bin/strace", X_OK) == 0
    /// How many strace'd runs of each command (`PERMAUDIT_CONFINEMENT_RUNS`); four commands per round.
    static let rounds = Int(ProcessInfo.processInfo.environment["PERMAUDIT_CONFINEMENT_RUNS"] ?? "") ?? 60

    static func folder(_ tag: String) throws -> String {
        let path = "/tmp/door-\(tag)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, 0o755)
        return path
    }

    static func sh(_ script: String) throws -> PermauditRun.Outcome {
        try PermauditRun.runProcess("/bin/bash", ["-c", script])
    }

    /// An image whose links point outside it: absolute links to host files, `..` chains, loops, a bind
    /// mount inside it, and `swap`, which a loop turns into a symlink to `/` and back.
    static func hostileImage() throws -> String {
        let img = try folder("image")
        let r = try sh("""
            set -e
            cd '\(img)'
            mkdir -p etc a/etc var/log swap/etc bound
            printf 'root:x:0:0:root:/root:/bin/sh\\nimguser:x:4242:4242::/home/imguser:/bin/sh\\n' > etc/passwd
            printf 'root:x:0:\\nimguser:x:4242:\\n' > etc/group
            printf 'ID=debian\\nVERSION_ID=12\\n' > etc/os-release
            echo image-secret > a/etc/secret; chmod 600 a/etc/secret
            echo log > var/log/syslog; chmod 640 var/log/syslog
            ln -s / alink
            ln -s /etc/shadow hostshadow
            ln -s ../../../../../../../etc a/etc/up
            ln -s ../../../../../.. a/climb
            ln -s loop2 loop1; ln -s loop1 loop2
            ln -s /proc/self/root procroot
            mount --bind '\(img)/a' '\(img)/bound'
            """)
        guard r.status == 0 else { throw OneDoorError("image setup: \(r.stderr)") }
        return img
    }

    static func removeImage(_ img: String) {
        _ = try? sh("umount -l '\(img)/bound' 2>/dev/null; rm -rf --one-file-system -- '\(img)'")
    }

    /// Every absolute path a traced process named from its first look at the image on, from `strace -f`
    /// output (before that the loader and the Swift runtime start; the command line itself is skipped).
    static func absolutePaths(in log: String, image: String) -> [String] {
        var out: [String] = []
        var started = false
        for line in log.split(separator: "\n") {
            if line.contains("execve(") { continue }
            if !started {
                guard line.contains(image) else { continue }
                started = true
            }
            var rest = Substring(line)
            // A readlink's answer is the link's text, not a path opened. With several threads strace splits a
            // call in two lines (`<unfinished ...>`, then `<... readlinkat resumed>` with the answer alone).
            if line.contains("readlink") && line.contains("resumed>") { continue }
            let onlyFirst = line.contains("readlink")
            while let q = rest.firstIndex(of: "\"") {
                let after = rest[rest.index(after: q)...]
                guard let end = after.firstIndex(of: "\"") else { break }
                let text = String(after[..<end])
                if text.hasPrefix("/") { out.append(text) }
                if onlyFirst { break }
                rest = after[after.index(after: end)...]
            }
        }
        return out
    }

    /// What permaudit may name outside the image once it runs: the running kernel's files.
    static func allowed(_ path: String, image: String) -> Bool {
        if path == image || path.hasPrefix(image + "/") { return true }
        // The running kernel's own files (mount table, sysctls, the descriptors' names) are not the host's disk.
        if ["/proc/", "/sys/", "/dev/null"].contains(where: { path.hasPrefix($0) }) { return true }
        // The machine's clock zone, for the report's timestamps (the C library reads it on its own).
        return path == "/etc/localtime"
    }

    @Test(
        "--root stays inside the image under strace: explain, reach and audit, with a folder swapped for a symlink to / meanwhile",
        .enabled(if: isRoot && hasStrace, "needs root (a bind mount, the image's owners) and strace"))
    func rootStaysInside() throws {
        let img = try Self.hostileImage()
        defer { Self.removeImage(img) }
        let work = try Self.folder("trace")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let binary = try PermauditRun.copiedBinary(into: work)
        // The swap: `swap` is a folder, then a symlink to the host's /, then a folder again, as fast as bash goes.
        let swapper = Process()
        swapper.executableURL = URL(fileURLWithPath: "/bin/bash")
        swapper.arguments = ["-c", "cd '\(img)'; while :; do ln -sfn / swap.l; rm -rf swap; mv -T swap.l swap 2>/dev/null; rm -f swap; mkdir -p swap/etc; done"]
        swapper.standardOutput = FileHandle.nullDevice
        swapper.standardError = FileHandle.nullDevice
        try swapper.run()
        // SIGKILL: a child of the test runner may inherit SIGTERM ignored.
        defer { kill(swapper.processIdentifier, SIGKILL); swapper.waitUntilExit() }
        let commands: [[String]] = [
            ["reach", "--root", img, "--user", "0", "/"],
            ["explain", "--root", img, "--user", "imguser", "--access", "read", "/swap/etc/shadow"],
            ["explain", "--root", img, "--user", "0", "--access", "read", "/alink/etc/shadow"],
            ["explain", "--root", img, "--user", "0", "--access", "read", "/hostshadow"],
            ["explain", "--root", img, "--user", "0", "--access", "read", "/a/etc/up/shadow"],
            ["explain", "--root", img, "--user", "0", "--access", "read", "/a/climb/etc/gshadow"],
            ["explain", "--root", img, "--user", "0", "--access", "read", "/loop1"],
            ["explain", "--root", img, "--user", "0", "--access", "read", "/procroot/etc/shadow"],
            ["reach", "--root", img, "--user", "imguser", "/swap"],
            ["audit", "--root", img, "--user", "0", "--format", "json"],
            // fix --root (rootfix): the plan, and --apply --dry-run through the door.
            ["fix", "--root", img, "--user", "imguser", "--path", "/var/log/syslog", "--path", "/hostshadow", "--emit", "json"],
            ["fix", "--root", img, "--user", "imguser", "--path", "/var/log/syslog", "--path", "/a/etc/up/shadow", "--apply", "--dry-run"],
        ]
        var runs = 0
        var escapes: [String] = []
        for round in 0..<Self.rounds {
            for command in commands where round % 3 == 0 || command[0] != "audit" {
                let log = work + "/strace.log"
                let r = try PermauditRun.runProcess("/usr/bin/strace", [
                    "-f", "-qq", "-s", "4096", "-o", log,
                    // Every call but the writes of the output (whose text names image paths); this strace may not know
                    // getxattrat by name, so nothing is selected by name.
                    "-e", "trace=!write,writev,read,pread64,futex,mmap,munmap,mprotect,brk,rt_sigaction,rt_sigprocmask",
                    binary] + command)
                runs += 1
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                #expect(!text.isEmpty, "strace wrote nothing for \(command)")
                for p in Self.absolutePaths(in: text, image: img) where !Self.allowed(p, image: img) {
                    escapes.append("\(command.joined(separator: " ")): \(p)")
                }
                // What reach prints are image paths; the host's own secrets never show up as found.
                if command[0] == "reach" {
                    #expect(!r.stdout.contains("shadow"), "reach listed a shadow file: \(r.stdout)")
                }
                if command[0] == "explain" {
                    #expect(!r.stdout.contains("GRANTED"), "\(command): \(r.stdout)")
                }
            }
        }
        print("one door: \(runs) strace'd runs of explain, reach and audit --root; \(escapes.count) accesses outside the image")
        #expect(escapes.isEmpty, "\(escapes.count) accesses outside the image; the first: \(escapes.prefix(10).joined(separator: "\n"))")
        #expect(runs >= 100 || Self.rounds < 12)
    }

    @Test("a name that is not UTF-8 is judged as its own bytes, not as its U+FFFD look-alike", .enabled(if: isRoot, "needs root to run the kernel as nobody"))
    func invalidUTF8Names() throws {
        let dir = try Self.folder("bytes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // f\xff is 0600 (nobody may not read it); f\u{FFFD} beside it is 0644.
        let r = try Self.sh("cd '\(dir)' && printf x > $'f\\xff' && chmod 600 $'f\\xff' && printf x > $'f\\xef\\xbf\\xbd' && chmod 644 $'f\\xef\\xbf\\xbd'")
        #expect(r.status == 0, "\(r.stderr)")
        let binary = try PermauditRun.copiedBinary(into: dir)
        for (name, kernelReads) in [("f\\xff", false), ("f\\xef\\xbf\\xbd", true)] {
            let kernel = try Self.sh("setpriv --reuid 65534 --regid 65534 --clear-groups cat $'\(dir)/\(name)' >/dev/null 2>&1")
            #expect((kernel.status == 0) == kernelReads, "the kernel on \(name)")
            let explain = try Self.sh("'\(binary)' explain --user nobody --access read $'\(dir)/\(name)'")
            #expect((explain.status == 0) == kernelReads, "explain \(name): \(explain.stdout)")
        }
        // reach lists the look-alike's exact bytes and never the 0600 file.
        let reach = try PermauditRun.runProcess(binary, ["reach", "--null", "--user", "nobody", dir])
        let listed = reach.rawStdout.split(separator: 0).map(Array.init)
        let decoy = Array(dir.utf8) + [UInt8(ascii: "/"), UInt8(ascii: "f"), 0xEF, 0xBF, 0xBD]
        let real = Array(dir.utf8) + [UInt8(ascii: "/"), UInt8(ascii: "f"), 0xFF]
        #expect(listed.contains(decoy), "\(reach.stderr)")
        #expect(!listed.contains(real))
        // As root both are readable, and reach names each by its own bytes.
        let asRoot = try PermauditRun.runProcess(binary, ["reach", "--null", "--user", "0", dir])
        let rootListed = asRoot.rawStdout.split(separator: 0).map(Array.init)
        #expect(rootListed.contains(decoy) && rootListed.contains(real), "\(asRoot.stderr)")
    }

    @Test("a tree 4,000 levels deep is swept whole (no ENAMETOOLONG)", .enabled(if: isRoot, "needs root for the sweep as uid 0"))
    func deepTree() throws {
        let top = try Self.folder("deep")
        defer { _ = try? Self.sh("rm -rf -- '\(top)'") }
        // Built relative to the last directory, as no path to the bottom fits PATH_MAX.
        var fd = open(top, O_RDONLY | O_DIRECTORY)
        #expect(fd >= 0)
        for _ in 0..<4000 {
            #expect(mkdirat(fd, "d", 0o755) == 0)
            let next = openat(fd, "d", O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = next
        }
        let leaf = openat(fd, "leaf", O_CREAT | O_WRONLY, 0o644)
        close(leaf)
        close(fd)
        let r = try PermauditRun.run(["reach", "--user", "0", "--count", top])
        #expect(r.status == 0, "\(r.stderr.prefix(500))")
        // The top, 4,000 folders and the leaf.
        #expect(r.stderr.contains("4002 of 4002 objects examined"), "\(r.stderr.prefix(500))")
    }
}

struct OneDoorError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
