import Foundation
import Glibc
import PermauditCore
@testable import PermauditHost
import Testing

/// A whole-tree sweep must answer exactly as one `explain` per path would, and the raw-xattr ACL fast
/// path must read exactly what libacl reads.
@Suite("Tree sweep", .serialized)
struct SweepTests {
    static let isRoot = getuid() == 0

    /// Builds a random tree of directories and files with random owners, modes and ACLs (as root).
    static func randomTree(seed: UInt64) throws -> (root: String, paths: [String]) {
        var rng = SeededRandom(seed: seed)
        let root = "/tmp/permaudit-sweep-\(getpid())-\(seed)"
        var paths: [String] = []
        var dirs = [root]
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        chmod(root, 0o755)
        for i in 0..<120 {
            let parent = dirs[Int(rng.next() % UInt64(dirs.count))]
            let path = parent + "/n\(i)"
            let isDir = rng.next() % 3 == 0
            if isDir {
                mkdir(path, 0o755)
                dirs.append(path)
            } else {
                FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
            }
            chown(path, 62000 + UInt32(rng.next() % 3), 62000 + UInt32(rng.next() % 3))
            chmod(path, mode_t(rng.next() % 0o1000))
            if rng.next() % 3 == 0 {
                let who = rng.next() % 2 == 0 ? "u:\(62000 + rng.next() % 4)" : "g:\(62000 + rng.next() % 4)"
                let perms = ["r", "rw", "rx", "rwx", "x", "-"][Int(rng.next() % 6)]
                var spec = "\(who):\(perms)"
                if rng.next() % 4 == 0 { spec += ",m::" + ["-", "r", "rx"][Int(rng.next() % 3)] }
                try runSweepTool("/usr/bin/setfacl", ["-m", spec, path])
            }
            paths.append(path)
        }
        return (root, paths)
    }

    @Test("the raw ACL xattr decodes to what libacl reads", .enabled(if: isRoot, "needs root to chown and setfacl"))
    func rawACLMatchesLibacl() throws {
        let tree = try Self.randomTree(seed: 7)
        defer { try? FileManager.default.removeItem(atPath: tree.root) }
        for path in tree.paths {
            let viaLibacl = try Syscalls.acl(path, isDefault: false).get()
            guard case .found(let facts) = FileSystemView.live.lookup(path) else { Issue.record("\(path): not found"); continue }
            let viaXattr = facts.acl
            #expect(viaLibacl == viaXattr, "\(path)")
        }
    }

    @Test("a sweep reaches exactly what explain grants, path by path", .enabled(if: isRoot, "needs root to build trees with other owners"), arguments: [1, 2, 3] as [UInt64])
    func sweepAgreesWithEvaluator(seed: UInt64) throws {
        let tree = try Self.randomTree(seed: seed)
        defer { try? FileManager.default.removeItem(atPath: tree.root) }
        let host = LiveHost()
        let evaluator = AccessEvaluator(source: host)
        var rng = SeededRandom(seed: seed &* 31)
        for _ in 0..<6 {
            let uid = 62000 + UInt32(rng.next() % 4)
            let gid = 62000 + UInt32(rng.next() % 4)
            let caps: CapabilitySet = rng.next() % 4 == 0 ? CapabilitySet([.dacReadSearch]) : .empty
            let principal = Principal(uid: uid, gid: gid, groups: [gid, 62000 + UInt32(rng.next() % 4)], capabilities: caps)
            for access in [Access.read, .write, .execute] {
                let judge = SweepJudge(source: host, principal: principal, access: access)
                var reached = Set<String>()
                var sweep = TreeSweep(host: host)
                sweep.run(from: tree.root) { event in
                    guard case .object(let o) = event else { return false }
                    if judge.allows(o.reached) { reached.insert(o.displayPath) }
                    return judge.canEnter(o.reached)
                }
                for path in [tree.root] + tree.paths {
                    let decision = evaluator.decide(path, access, for: principal)
                    #expect((decision.verdict == .granted) == reached.contains(path), "\(access) \(path) for \(principal): explain says \(decision.verdict) (\(decision.reason))")
                }
            }
        }
    }

    @Test("a sweep reports a directory permaudit cannot read as unknown, and goes on")
    func unreadableDirectoryIsUnknown() throws {
        // Runs as any user: a directory the sweeping process cannot open (root: a FUSE-less case is
        // impossible to make unreadable, so this test only bites when not root).
        let root = "/tmp/permaudit-sweep-unreadable-\(getpid())"
        try FileManager.default.createDirectory(atPath: root + "/closed/inner", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/open.txt", contents: Data())
        defer {
            chmod(root + "/closed", 0o755)
            try? FileManager.default.removeItem(atPath: root)
        }
        chmod(root + "/closed", 0o000)
        var unreadable: [String] = []
        var seen: [String] = []
        var sweep = TreeSweep(host: LiveHost())
        sweep.run(from: root) { event in
            switch event {
            case .object(let o):
                seen.append(o.displayPath)
                return o.facts.type == .directory
            case .unreadable(let path, _):
                unreadable.append(String(decoding: path, as: UTF8.self))
                return false
            }
        }
        #expect(seen.contains(root + "/open.txt"))
        if getuid() != 0 {
            #expect(unreadable == [root + "/closed"])
        } else {
            #expect(seen.contains(root + "/closed/inner"), "root reads every directory")
        }
    }
}

func runSweepTool(_ tool: String, _ arguments: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = arguments
    try p.run()
    p.waitUntilExit()
    if p.terminationStatus != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments) exited \(p.terminationStatus)"]) }
}

