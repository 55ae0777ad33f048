import Foundation
import Glibc
import Testing

/// `permaudit reach` through the built binary: what a whole-tree sweep prints, and what it says when
/// permaudit itself cannot look.
@Suite("reach, end to end", .serialized)
struct ReachEndToEndTests {
    static let isRoot = getuid() == 0

    @Test("a sweep lists exactly what the principal can read, and nothing under a directory it cannot search", .enabled(if: isRoot, "needs root to give files other owners"))
    func listsWhatIsReachable() throws {
        let tree = try temporaryTree()
        defer { try? FileManager.default.removeItem(atPath: tree) }
        try write(tree + "/open.log", mode: 0o644)
        try write(tree + "/secret.log", mode: 0o600)
        try FileManager.default.createDirectory(atPath: tree + "/closed", withIntermediateDirectories: false)
        try write(tree + "/closed/inside.log", mode: 0o644)
        chmod(tree + "/closed", 0o700)
        try write(tree + "/acl.log", mode: 0o600)
        try shell("setfacl -m u:65534:r \(tree)/acl.log")
        let result = try runPermaudit(["reach", "--user", "nobody", "--access", "read", tree])
        #expect(result.status == 0, "\(result.stderr)")
        let listed = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(listed == [tree, tree + "/open.log", tree + "/acl.log"], "stdout: \(result.stdout)")
        // closed/inside.log is never examined: the sweep does not enter what nobody cannot search.
        #expect(result.stderr.contains("3 of 5 objects examined allow read"), "\(result.stderr)")
    }

    @Test("a directory permaudit cannot read is reported as unknown, with exit 3", .enabled(if: isRoot, "needs root to run permaudit as another user"))
    func unreadableIsUnknown() throws {
        let tree = try temporaryTree()
        defer { try? FileManager.default.removeItem(atPath: tree) }
        try FileManager.default.createDirectory(atPath: tree + "/private", withIntermediateDirectories: false)
        chown(tree + "/private", 65534, 65534)
        chmod(tree + "/private", 0o711)  // nobody may search it, but permaudit (run as daemon, uid 1) may not list it
        let binary = try PermauditRun.copiedBinary(into: tree)
        // Judge nobody while running permaudit as uid 1: permaudit cannot list /private, nobody could.
        let result = try PermauditRun.runProcess("/usr/bin/setpriv", ["--reuid", "1", "--regid", "1", "--clear-groups", binary, "reach", "--user", "nobody", tree])
        #expect(result.status == 3, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stderr.contains("unknown: \(tree)/private"), "\(result.stderr)")
    }

    @Test("with --root, a symlink to /etc in the image sweeps the image's /etc, never the host's")
    func rootedSweepStaysInside() throws {
        let root = try temporaryTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/var/log", withIntermediateDirectories: true)
        try "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n".write(toFile: root + "/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\nnogroup:x:65534:\n".write(toFile: root + "/etc/group", atomically: true, encoding: .utf8)
        for f in ["/etc/passwd", "/etc/group"] { chmod(root + f, 0o644) }
        symlink("/etc", root + "/var/log/host-etc")
        let r = try runPermaudit(["reach", "--sort", "--root", root, "--user", "nobody", "/var/log/host-etc"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").map(String.init) == ["/etc", "/etc/group", "/etc/passwd"], "only the image's /etc: \(r.stdout)")
        // The whole image from its top: paths as the image names them (the kernel agreement test found
        // `/` printed the folder's last letter before each path).
        let all = try runPermaudit(["reach", "--sort", "--root", root, "--user", "nobody", "/"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.split(separator: "\n").map(String.init) == ["/", "/etc", "/etc/group", "/etc/passwd", "/var", "/var/log"], "a link is not an object of its own: \(all.stdout)")
    }

    @Test("the parallel sweep lists what one thread lists, in every output style; --sort prints bytewise path order, the same every run", .enabled(if: isRoot, "runs as root to stage owners and modes"))
    func parallelSweepListsWhatOneThreadLists() throws {
        let tree = try temporaryTree()
        defer { try? FileManager.default.removeItem(atPath: tree) }
        // Enough directories that every worker takes some, with owners and modes that prune and refuse.
        var rng = SystemRandomNumberGenerator()
        for a in 0..<6 {
            for b in 0..<6 {
                let dir = "\(tree)/d\(a)/e\(b)"
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                // Names with bytes below `/` (`.`, `-`).
                for c in 0..<20 {
                    let f = "\(dir)/f\(c)" + (c % 3 == 0 ? ".log" : c % 3 == 1 ? "-old" : "")
                    try write(f, mode: [0o600, 0o640, 0o644, 0o604][Int.random(in: 0..<4, using: &rng)])
                    chown(f, [0, 65534][Int.random(in: 0..<2, using: &rng)], 0)
                }
                chmod(dir, [0o755, 0o700, 0o750, 0o705][Int.random(in: 0..<4, using: &rng)])
                // A file named like the folder, `.log` after: in path order it comes before what the folder holds.
                try write(dir + ".log", mode: 0o644)
            }
        }
        for style in [["--null"], ["--long"], ["--format", "ndjson"]] {
            let one = try runPermaudit(["reach", "--user", "nobody", "--jobs", "1"] + style + [tree])
            let four = try runPermaudit(["reach", "--user", "nobody", "--jobs", "4"] + style + [tree])
            let sorted = try runPermaudit(["reach", "--user", "nobody", "--jobs", "4", "--sort"] + style + [tree])
            #expect(one.status == 0 && four.status == 0 && sorted.status == 0, "\(one.stderr) \(four.stderr) \(sorted.stderr)")
            let separator: UInt8 = style == ["--null"] ? 0 : 10
            let records = { (r: PermauditRun.Outcome) in r.rawStdout.split(separator: separator).map(Array.init) }
            #expect(records(one).count > 100, "the tree gives nobody something to read: \(one.stderr)")
            #expect(records(four).sorted { $0.lexicographicallyPrecedes($1) } == records(one).sorted { $0.lexicographicallyPrecedes($1) }, "\(style): the same records")
            let again = try runPermaudit(["reach", "--user", "nobody", "--jobs", "4", "--sort"] + style + [tree])
            #expect(again.rawStdout == sorted.rawStdout, "\(style): --sort prints the same bytes every run")
            if style == ["--null"] {
                let inPathOrder = records(one).sorted { $0.lexicographicallyPrecedes($1) }
                #expect(records(sorted) == inPathOrder, "--sort prints the paths in bytewise order")
                #expect(records(one) != inPathOrder, "the staged names make depth-first order differ from path order")
            }
            #expect(four.stderr.split(separator: ";").first == one.stderr.split(separator: ";").first, "the same counts: \(four.stderr) vs \(one.stderr)")
        }
    }

    @Test("a file name with a newline, quotes and invalid UTF-8 comes out byte for byte with --null", .enabled(if: isRoot, "runs as root to read every file"))
    func exactBytesWithNull() throws {
        let tree = try temporaryTree()
        defer { try? FileManager.default.removeItem(atPath: tree) }
        var name = Array("/we\"ird\nname $(x) ".utf8) + [0xFF, 0xFE]
        name = Array(tree.utf8) + name
        let fd = name.map { CChar(bitPattern: $0) }.withUnsafeBufferPointer { buffer -> Int32 in
            let path = Array(buffer) + [0]
            return open(path, O_CREAT | O_WRONLY, 0o644)
        }
        #expect(fd >= 0)
        close(fd)
        let result = try runPermaudit(["reach", "--user", "nobody", "--null", tree])
        let records = result.rawStdout.split(separator: 0, omittingEmptySubsequences: true).map(Array.init)
        #expect(records.contains(name), "got \(records.map { String(decoding: $0, as: UTF8.self) })")
    }
}

private func temporaryTree() throws -> String {
    let path = "/tmp/permaudit-reach-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    chmod(path, 0o755)
    return path
}

private func write(_ path: String, mode: mode_t) throws {
    FileManager.default.createFile(atPath: path, contents: Data("line\n".utf8))
    chmod(path, mode)
}

private func shell(_ command: String) throws {
    let r = try PermauditRun.runProcess("/bin/sh", ["-c", command])
    if r.status != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(command): \(r.stderr)"]) }
}

private func runPermaudit(_ arguments: [String]) throws -> PermauditRun.Outcome {
    try PermauditRun.run(arguments)
}
