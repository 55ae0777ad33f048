import Foundation
import Glibc
import Testing

/// What a hostile or unlucky host did to permaudit (issue 12), through the built binary.
@Suite("hardening, end to end")
struct HardeningEndToEndTests {
    static func scratch() throws -> String {
        let d = "/tmp/pa-harden-\(getpid())-\(Int.random(in: 100_000...999_999))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: false)
        return d
    }

    // MARK: history and diff only read

    @Test("history and diff on a missing database: exit 2 naming the path, and nothing is created", arguments: [["history"], ["diff"]])
    func readingCreatesNothing(_ command: [String]) throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let db = d + "/nonexistent/x.db"
        let r = try PermauditRun.run(command + ["--record", db])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains(db) && r.stderr.contains("no history database"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: d + "/nonexistent"), "a reading command created \(d)/nonexistent")
        let file = d + "/missing.db"
        let r2 = try PermauditRun.run(command + ["--record", file])
        #expect(r2.status == 2 && r2.stderr.contains(file), "\(r2.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file), "a reading command created \(file)")
    }

    // MARK: a database from a newer permaudit

    @Test("a database a newer permaudit wrote is refused by audit --record, history and diff (exit 2, both versions named) and left as it was",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3 to make the newer database"))
    func newerDatabase() throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let db = d + "/h.db", empty = d + "/root"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        let first = try PermauditRun.run(["audit", "--root", empty, "--record", db, "--format", "json"])
        try #require(first.status != 2, "\(first.stderr)")
        // What a later permaudit would leave: a migration this one does not know, and its version.
        let sql = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO grdb_migrations (identifier) VALUES ('v9-future'); INSERT OR REPLACE INTO meta (key, value) VALUES ('writtenBy', '9.9.9');"
        try #require(try PermauditRun.runProcess("/usr/bin/sqlite3", [db, sql]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for args in [["audit", "--root", empty, "--record", db, "--format", "json"], ["history", "--record", db], ["diff", "--record", db]] {
            let r = try PermauditRun.run(args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("newer permaudit") && r.stderr.contains("9.9.9") && r.stderr.contains("0.1.0") && r.stderr.contains(db), "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args): \(r.stdout.prefix(200))")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "the newer database was written to")
    }

    // MARK: temporary report files

    @Test("a temporary file left with the next run's own pid never makes it fail; stale ones of the report are removed, others kept")
    func temporaryReportFiles() throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let empty = d + "/root", report = d + "/r.json"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        // The shell makes the leftovers a killed run of the same pid would have left, then becomes permaudit (same pid).
        let r = try PermauditRun.runProcess("/bin/sh", ["-c", "echo x >\"$1/.r.json.$$.tmp\"; echo x >\"$1/.r.json.permaudit.$$.0.tmp\"; exec \"$2\" audit --root \"$3\" -o \"$1/r.json\" --format json", "_", d, PermauditRun.binary(), empty])
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: report), "no report: \(r.stderr)")
        // Leftovers of runs that are gone (the one above; a pid no kernel gives), and a file that is not one.
        try "x".write(toFile: d + "/.r.json.permaudit.99999999.abc.tmp", atomically: false, encoding: .utf8)
        try "x".write(toFile: d + "/.r.json.notes.tmp", atomically: false, encoding: .utf8)
        try "x".write(toFile: d + "/.other.json.99999999.tmp", atomically: false, encoding: .utf8)
        let again = try PermauditRun.run(["audit", "--root", empty, "-o", report, "--format", "json"])
        #expect(again.status == 0 || again.status == 1, "\(again.stderr)")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: d))
        #expect(left == ["root", "r.json", ".r.json.notes.tmp", ".other.json.99999999.tmp"], "\(left.sorted())")
    }

    @Test("-o onto a device writes into it and leaves the device in place (a null device node of the test's own, never /dev/null)",
          .enabled(if: geteuid() == 0, "needs root for mknod"))
    func outputOntoDevice() throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let empty = d + "/root", device = d + "/null"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        // major 1, minor 3 (glibc's makedev encoding): the null device.
        try #require(mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0, "mknod: \(String(cString: strerror(errno)))")
        let r = try PermauditRun.run(["audit", "--root", empty, "-o", device, "--format", "json"])
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        var st = stat()
        #expect(lstat(device, &st) == 0 && st.st_mode & S_IFMT == S_IFCHR, "the device was replaced by a regular file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: d).sorted() == ["null", "root"])
    }
}

/// (uid_t)-1 and (gid_t)-1 are reserved by the kernel: no process runs as them.
@Suite("reserved ids, end to end")
struct ReservedIDTests {
    @Test("--user, --group and --groups 4294967295 are refused with exit 2", arguments: [
        ["explain", "/etc/passwd", "--user", "4294967295"],
        ["explain", "/etc/passwd", "--user", "0", "--group", "4294967295"],
        ["explain", "/etc/passwd", "--user", "0", "--groups", "4294967295"],
        ["explain", "/etc/passwd", "--user", "0", "--groups", "0,4294967295"],
    ])
    func refused(_ args: [String]) throws {
        let r = try PermauditRun.run(args)
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("4294967295") && r.stderr.contains("_t)-1"), "\(r.stderr)")
    }

    @Test("4294967294 is still an id like any other")
    func largestValid() throws {
        let r = try PermauditRun.run(["explain", "/etc/passwd", "--user", "4294967294", "--groups", "4294967294"])
        #expect(r.status != 2, "\(r.stderr)")
    }
}
