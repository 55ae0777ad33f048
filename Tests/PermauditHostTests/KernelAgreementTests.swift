import Foundation
import Glibc
import PermauditCore
import PermauditHost
import Testing

/// The kernel is the specification. Random trees on the real file system (random owners, modes,
/// sticky/setgid bits, ACLs with named users and groups and masks — empty ones included — symlinks,
/// chains, loops, immutable and append-only files), random principals given by number with full group
/// lists and some capabilities; for each, permaudit's verdict must equal what the kernel does when that
/// principal really opens, lists, writes, searches or executes (a C oracle run under `setpriv`).
///
/// Replay a failure with `PERMAUDIT_SEED=<seed printed> swift test --filter KernelAgreement`.
@Suite("Kernel agreement", .serialized)
struct KernelAgreementTests {
    static let isRoot = getuid() == 0
    static let trees = Int(ProcessInfo.processInfo.environment["PERMAUDIT_TREES"] ?? "") ?? 3

    @Test("permaudit decides as the kernel does, on random trees and principals", .enabled(if: isRoot, "needs root: builds trees with other owners and runs the oracle as other uids (setpriv)"))
    func agreesWithTheKernel() throws {
        let oracle = try KernelOracle.build()
        defer { try? FileManager.default.removeItem(atPath: oracle.directory) }
        let base = UInt64(ProcessInfo.processInfo.environment["PERMAUDIT_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var decisions = 0
        var disagreements: [String] = []
        var kernelSaid: [String: Int] = [:]
        var withCapabilities = 0, throughACL = 0
        for t in 0..<Self.trees {
            let seed = base &+ UInt64(t)
            print("kernel agreement: tree seed \(seed) (replay: PERMAUDIT_SEED=\(seed) PERMAUDIT_TREES=1)")
            let tree = try RandomTree(seed: seed)
            defer { tree.remove() }
            let host = LiveHost()
            let evaluator = AccessEvaluator(source: host)
            var rng = SeededRandom(seed: seed ^ 0x5eed)
            for _ in 0..<8 {
                let principal = RandomTree.randomPrincipal(&rng)
                let queries = tree.queries(&rng)
                let answers = try oracle.ask(queries.map { "\($0.op) \($0.path)" }, as: principal)
                for (query, kernel) in zip(queries, answers) {
                    decisions += 1
                    kernelSaid[kernel, default: 0] += 1
                    if !principal.capabilities.isEmpty { withCapabilities += 1 }
                    let access: Access = query.op == "r" ? .read : query.op == "w" ? .write : .execute
                    let d = evaluator.decide(query.path, access, for: principal)
                    if d.evidence.last?.mask != nil { throughACL += 1 }
                    let agree: Bool
                    switch d.verdict {
                    case .granted: agree = kernel == "OK"
                    case .denied: agree = kernel != "OK"
                    case .unknown: agree = kernel == "ELOOP" && d.errno == "ELOOP"
                    }
                    if !agree {
                        disagreements.append("""
                            seed \(seed): \(access.rawValue) \(query.path) as \(principal): kernel \(kernel), permaudit \(d.verdict) (\(d.errno ?? "-")): \(d.reason)
                            \(tree.describe(query.path))
                            """)
                    }
                }
            }
        }
        print("kernel agreement: \(decisions) decisions, \(disagreements.count) disagreements (base seed \(base))")
        print("kernel agreement: kernel answers \(kernelSaid.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); \(withCapabilities) with capabilities; \(throughACL) decided through an ACL mask")
        #expect(decisions >= 2000)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5).joined(separator: "\n---\n"))")
    }
}

/// The C oracle, compiled for this run into a folder every uid can enter.
struct KernelOracle {
    let directory: String
    var binary: String { directory + "/kernel-oracle" }

    static func build() throws -> KernelOracle {
        let dir = "/tmp/permaudit-oracle-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o755)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/kernel-oracle.c").path
        let r = try Shell.run("/usr/bin/cc", ["-O2", "-o", dir + "/kernel-oracle", source])
        guard r.status == 0 else { throw ShellError("cc kernel-oracle.c: \(r.stderr)") }
        return KernelOracle(directory: dir)
    }

    /// Runs every query as the principal in one process: `setpriv` sets uid, gid, the full group list and ambient capabilities.
    func ask(_ lines: [String], as p: Principal) throws -> [String] {
        var args = ["--reuid", String(p.uid), "--regid", String(p.gid)]
        let supplementary = p.groups
        args += supplementary.isEmpty ? ["--clear-groups"] : ["--groups", supplementary.map(String.init).joined(separator: ",")]
        if !p.capabilities.isEmpty {
            let caps = p.capabilities.map { "+" + $0.name.replacingOccurrences(of: "cap_", with: "") }.joined(separator: ",")
            args += ["--inh-caps", caps, "--ambient-caps", caps]
        }
        args.append(binary)
        let r = try Shell.run("/usr/bin/setpriv", args, input: lines.joined(separator: "\n") + "\n")
        let answers = r.stdout.split(separator: "\n").map(String.init)
        guard r.status == 0, answers.count == lines.count else { throw ShellError("oracle as \(p): exit \(r.status), \(answers.count)/\(lines.count) answers: \(r.stderr)") }
        return answers
    }
}

/// A random tree on the real file system, built as root and removed afterwards.
struct RandomTree {
    static let uids: [UInt32] = [61000, 61001, 61002, 61003, 61004]
    static let gids: [UInt32] = [61000, 61001, 61002, 61003, 61004]

    let root: String
    var directories: [String] = []
    var files: [String] = []
    var links: [String] = []
    var attributes: [String] = []

    init(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        root = "/tmp/permaudit-kernel-\(getpid())-\(seed)"
        try? FileManager.default.removeItem(atPath: root)
        guard mkdir(root, 0o755) == 0 else { throw ShellError("mkdir \(root): \(errno)") }
        chmod(root, 0o755)
        directories = [root]
        var acls = ""
        for i in 0..<70 {
            let parent = rng.pick(directories)
            let kind = rng.next() % 10
            let path = "\(parent)/\(kind < 3 ? "d" : kind < 8 ? "f" : "l")\(i)"
            if kind < 3 {
                mkdir(path, 0o755)
                directories.append(path)
            } else if kind < 8 {
                let fd = open(path, O_CREAT | O_WRONLY, 0o644)
                close(fd)
                files.append(path)
            } else {
                links.append(path)
                continue  // links are made once every target exists
            }
            chown(path, rng.pick(Self.uids), rng.pick(Self.gids))
            var mode = UInt16(rng.next() % 0o1000)
            if rng.next() % 6 == 0 { mode |= kind < 3 ? 0o1000 : 0o4000 }  // sticky directories, setuid files
            if rng.next() % 8 == 0 { mode |= 0o2000 }
            chmod(path, mode_t(mode))
            if rng.next() % 5 < 2 { acls += Self.randomACL(path, mode: mode, &rng) }
            if kind >= 3, rng.next() % 25 == 0 { attributes.append(path) }
        }
        // Symlinks: relative and absolute, to files, directories, other links, dangling, and loops.
        for link in links {
            let targets = directories + files + links
            let target = rng.pick(targets)
            let text: String
            switch rng.next() % 5 {
            case 0: text = target
            case 1: text = Self.relative(from: (link as NSString).deletingLastPathComponent, to: target)
            case 2: text = target + "/../" + (target as NSString).lastPathComponent
            case 3: text = root + "/missing\(rng.next() % 100)"
            default: text = "./" + (target as NSString).lastPathComponent
            }
            symlink(text, link)
        }
        if !acls.isEmpty {
            let restore = root + ".acl"
            try acls.write(toFile: restore, atomically: true, encoding: .utf8)
            defer { unlink(restore) }
            let r = try Shell.run("/usr/bin/setfacl", ["--restore=" + restore])
            guard r.status == 0 else { throw ShellError("setfacl --restore: \(r.stderr)") }
        }
        for (i, path) in attributes.enumerated() {
            _ = try Shell.run("/usr/bin/chattr", [i % 2 == 0 ? "+i" : "+a", path])
        }
    }

    /// A random access ACL in getfacl's format: named users and groups, and sometimes an explicit mask (`---` too).
    static func randomACL(_ path: String, mode: UInt16, _ rng: inout SeededRandom) -> String {
        func perms() -> String { ["---", "r--", "-w-", "--x", "rw-", "r-x", "-wx", "rwx"][Int(rng.next() % 8)] }
        func bits(_ v: UInt16) -> String { (v & 4 != 0 ? "r" : "-") + (v & 2 != 0 ? "w" : "-") + (v & 1 != 0 ? "x" : "-") }
        var lines = ["# file: \(path)", "user::\(bits(mode >> 6 & 7))", "group::\(perms())", "other::\(bits(mode & 7))"]
        for _ in 0..<(1 + rng.next() % 3) {
            lines.append(rng.next() % 2 == 0 ? "user:\(rng.pick(uids)):\(perms())" : "group:\(rng.pick(gids)):\(perms())")
        }
        let maskChoice = rng.next() % 4
        lines.append("mask::" + (maskChoice == 0 ? "---" : maskChoice == 1 ? perms() : "rwx"))
        // Duplicate qualifiers would make setfacl refuse the whole restore: keep the first of each.
        var seen = Set<String>()
        lines = lines.filter { line in
            guard line.hasPrefix("user:") || line.hasPrefix("group:") else { return true }
            let key = line.split(separator: ":").prefix(2).joined(separator: ":")
            return seen.insert(key).inserted
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    static func relative(from dir: String, to target: String) -> String {
        let a = dir.split(separator: "/"), b = target.split(separator: "/")
        var common = 0
        while common < min(a.count, b.count), a[common] == b[common] { common += 1 }
        return (Array(repeating: "..", count: a.count - common) + b[common...].map(String.init)).joined(separator: "/")
    }

    static func randomPrincipal(_ rng: inout SeededRandom) -> Principal {
        let uid = rng.next() % 6 == 0 ? 61009 : rng.pick(uids)
        let gid = rng.pick(gids)
        var groups: [UInt32] = []
        for g in gids where rng.next() % 3 == 0 { groups.append(g) }
        var caps = CapabilitySet()
        if rng.next() % 4 == 0 {
            for cap in [Capability.dacReadSearch, .dacOverride, .fowner] where rng.next() % 2 == 0 { caps.insert(cap) }
        }
        return Principal(uid: uid, gid: gid, groups: groups, capabilities: caps)
    }

    /// Paths to ask about: every object, paths through links, `..` detours, and names that do not exist.
    func queries(_ rng: inout SeededRandom) -> [(op: String, path: String)] {
        var paths = [root] + directories.dropFirst() + files + links
        for _ in 0..<10 {
            let link = links.isEmpty ? root : rng.pick(links)
            let child = rng.pick(files + directories).split(separator: "/").last.map(String.init) ?? "x"
            paths.append(link + "/" + child)
        }
        for _ in 0..<5 { paths.append(rng.pick(directories) + "/../" + (rng.pick(files) as NSString).lastPathComponent) }
        paths.append(root + "/no-such-file")
        return paths.flatMap { p in ["r", "w", "x"].map { (op: $0, path: p) } }
    }

    /// What a person needs to replay a disagreement: stat and getfacl of every component.
    func describe(_ path: String) -> String {
        var out: [String] = []
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if let r = try? Shell.run("/usr/bin/stat", ["-c", "%A %u:%g %N", current]) { out.append(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let r = try? Shell.run("/usr/bin/getfacl", ["-cnp", current]), r.stdout.contains("mask") || r.stdout.split(separator: "\n").count > 3 {
                out.append("  acl: " + r.stdout.split(separator: "\n").joined(separator: " "))
            }
        }
        return out.joined(separator: "\n")
    }

    func remove() {
        for path in attributes { _ = try? Shell.run("/usr/bin/chattr", ["-i", "-a", path]) }
        _ = try? Shell.run("/bin/rm", ["-rf", "--", root])
    }
}

struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

struct ShellError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

enum Shell {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ tool: String, _ arguments: [String], input: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
