import Foundation
import Glibc
import Testing

/// `permaudit explain` through the built binary: the exit status contract and the JSON contract.
@Suite("explain, end to end", .serialized)
struct ExplainEndToEndTests {
    static let isRoot = getuid() == 0

    @Test("exit 0 granted, 1 denied, 2 bad input; JSON carries granted, path, access, principal, evidence")
    func exitStatusAndJSON() throws {
        let granted = try PermauditRun.run(["explain", "/etc/passwd", "--user", "nobody", "--format", "json"])
        #expect(granted.status == 0, "\(granted.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(granted.stdout.utf8)) as? [String: Any])
        #expect(object["granted"] as? Bool == true)
        #expect(object["path"] as? String == "/etc/passwd")
        #expect(object["access"] as? String == "read")
        #expect((object["principal"] as? [String: Any])?["user"] as? String == "nobody")
        #expect(((object["evidence"] as? [[String: Any]])?.count ?? 0) == 3)

        let denied = try PermauditRun.run(["explain", "/etc/shadow", "--user", "nobody", "--format", "json"])
        #expect(denied.status == 1)
        #expect(denied.stdout.contains("\"granted\": false"))

        for bad in [["explain", "/etc/passwd"], ["explain", "/etc/passwd", "--user", "no-such-user-x"], ["explain", "/etc/passwd", "--user", "nobody", "--access", "fly"], ["explain", "/etc/passwd", "--user", "nobody", "--caps", "cap_fly"]] {
            let r = try PermauditRun.run(bad)
            #expect(r.status == 2, "\(bad): \(r.stderr)")
            #expect(!r.stderr.isEmpty)
        }
    }

    @Test("exit 3 and granted null when permaudit itself cannot look", .enabled(if: isRoot, "needs root to run permaudit as another user"))
    func unknownWhenPermauditCannotLook() throws {
        let dir = "/tmp/permaudit-explain-unknown-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/sealed", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/sealed/file", contents: Data())
        chmod(dir, 0o755)
        chmod(dir + "/sealed", 0o700)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let binary = try PermauditRun.copiedBinary(into: dir)
        // permaudit runs as uid 1 and cannot search /sealed; it judges root-with-capabilities, who could.
        let r = try PermauditRun.runProcess("/usr/bin/setpriv", ["--reuid", "1", "--regid", "1", "--clear-groups", binary, "explain", dir + "/sealed/file", "--user", "0", "--format", "json"])
        #expect(r.status == 3, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("\"granted\": null"))
        #expect(r.stdout.contains("\"blockedAt\": \"\(dir)/sealed/file\"") || r.stdout.contains("\"blockedAt\": \"\(dir)/sealed\""))
    }

    @Test("the text output reads like namei -l with a verdict on each line")
    func textOutput() throws {
        let r = try PermauditRun.run(["explain", "/etc/shadow", "--user", "nobody"])
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "read /etc/shadow: DENIED (EACCES)")
        // One line per step, the paths padded into a column so the checks line up.
        let etc = try #require(lines.first { $0.hasPrefix("  ok drwxr-xr-x") && $0.contains(" /etc ") })
        let shadow = try #require(lines.first { $0.hasPrefix("  NO -rw-r-----") && $0.contains(" /etc/shadow ") })
        #expect(etc.range(of: "search: other has r-x")?.lowerBound.utf16Offset(in: etc) == shadow.range(of: "read: other has ---")?.lowerBound.utf16Offset(in: shadow))
        #expect(shadow.hasSuffix("<- decided here"))
        #expect(lines.last == "  => read /etc/shadow: other has ---")
    }
}
