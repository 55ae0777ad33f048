import Foundation
import Glibc
import PermauditCore
import PermauditHost
import Testing

/// The kernel is the specification. Random trees on the real file system (random owners, modes,
/// sticky/setgid bits, access ACLs with named users and groups and masks — empty ones included — and
/// default ACLs, symlinks of every shape: chains of 38 to 42, loops, `.`/`..` and trailing-slash targets,
/// immutable and append-only files and directories, directories bind-mounted read-only or noexec, and
/// a tmpfs moved over an ancestor of such a mount after it was made, hiding it),
/// random principals (numeric uids with full group lists and some capabilities, root, root without
/// capabilities); for each, permaudit's verdict must equal what the kernel does when that principal
/// really reads, writes, executes, searches, lists, statfs-es, creates or deletes (a C oracle run under
/// `setpriv`), on plain paths and on `/`, `/.`, `/..`, `//`, `link/..` and names under files; `reach`'s
/// sweep too, on every object. Then all of it again from inside the tree: permaudit reading it as a
/// `--root` host, the kernel's process chrooted into it (absolute links and `..` stay inside).
///
/// Replay a failure with `PERMAUDIT_SEED=<seed printed> PERMAUDIT_TREES=1 swift test --filter KernelAgreement`.
@Suite("Kernel agreement", .serialized)
struct KernelAgreementTests {
    static let isRoot = getuid() == 0
    static let trees = Int(ProcessInfo.processInfo.environment["PERMAUDIT_TREES"] ?? "") ?? 3
    static let tools = ["/usr/bin/cc", "/usr/bin/setpriv", "/usr/bin/setfacl", "/usr/bin/chattr", "/usr/bin/mount", "/usr/bin/umount"]

    /// Where permaudit reads the tree from, and where the kernel's process stands.
    enum Vantage: String, CustomTestStringConvertible {
        /// The live host; the process at the real root.
        case live
        /// A host rooted at the tree (`--root`); the process chrooted into the tree, so absolute
        /// symlinks and `..` resolve inside it.
        case rooted
        var testDescription: String { rawValue }
    }

    @Test(
        "permaudit decides as the kernel does, on random trees and principals",
        .enabled(if: isRoot, "needs root: builds trees with other owners, bind-mounts, and runs the oracle as other uids (setpriv)"),
        .enabled(if: tools.allSatisfy { access($0, X_OK) == 0 }, "needs cc, setpriv, setfacl, chattr, mount and umount"),
        arguments: [Vantage.live, .rooted])
    func agreesWithTheKernel(from vantage: Vantage) throws {
        let oracle = try KernelOracle.build()
        defer { try? FileManager.default.removeItem(atPath: oracle.directory) }
        let base = UInt64(ProcessInfo.processInfo.environment["PERMAUDIT_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let clock = ContinuousClock()
        let started = clock.now
        var decisions = 0
        var sweepDecisions = 0
        var sweepByAccess: [String: Int] = [:]
        var disagreements: [String] = []
        var errnoDifferences = 0
        var kernelSaid: [String: Int] = [:]
        var byAccess: [String: Int] = [:]
        var withCapabilities = 0, throughACL = 0
        var engineTime = Duration.zero, oracleTime = Duration.zero
        for t in 0..<Self.trees {
            let seed = base &+ UInt64(t)
            print("kernel agreement: tree seed \(seed) (replay: PERMAUDIT_SEED=\(seed) PERMAUDIT_TREES=1)")
            let tree = try RandomTree(seed: seed)
            defer { tree.remove() }
            // Made after the tree: its mounts are in the mount table.
            let live = LiveHost()
            let host: any PermauditHost.Host = vantage == .live ? live : try RootedHost(root: tree.root)
            let source: any FactSource = vantage == .live ? NumericLiveHost(host: live) : host
            let evaluator = AccessEvaluator(source: source)
            /// A path of the tree as permaudit and the kernel's process name it.
            func seen(_ path: String) -> String {
                vantage == .live ? path : path == tree.root ? "/" : String(path.dropFirst(tree.root.count))
            }
            var rng = SeededRandom(seed: seed ^ 0x5eed)
            for _ in 0..<8 {
                let planned = RandomTree.randomPrincipal(&rng)
                let session = try oracle.session(as: planned, chrootTo: vantage == .rooted ? tree.root : nil)
                defer { session.close() }
                let principal = try session.principal(checking: planned)
                // `reach`: one sweep of the whole tree per access, judged object by object by the one judge,
                // against the kernel on every object the tree holds (those hidden or gone answer ENOENT),
                // errno included. Create asks each directory for a new entry (removed again as root);
                // delete comes last and goes parents first, so a directory is asked while it still holds
                // what it held when the sweep judged it.
                for access in [Access.read, .write, .execute, .list, .search, .statfs, .create, .delete] {
                    let judge = SweepJudge(source: source, principal: principal, access: access)
                    var reached = Set<String>()
                    var judged: [String: AccessDecision] = [:]
                    var sweep = TreeSweep(host: host)
                    sweep.run(from: seen(tree.root)) { event in
                        guard case .object(let o) = event else { return false }
                        let r = o.reached
                        if let d = judge.decide(r) {
                            judged[o.displayPath] = d
                            if d.verdict == .granted { reached.insert(o.displayPath) }
                        }
                        return judge.canEnter(r)
                    }
                    // The same judge as `reach` runs it for paths and counts: no reason worded, and only the
                    // ACLs that can change a verdict read. Its verdicts and errnos are the kernel's too.
                    let lean = SweepJudge(source: source, principal: principal, access: access, recordsEvidence: false, explains: false)
                    var leanReached = Set<String>()
                    var leanJudged: [String: SweepVerdict] = [:]
                    var leanSweep = TreeSweep(host: host)
                    leanSweep.readsACL = { [lean] in lean.needsACL(uid: $0, mode: $1, isDirectory: $2) }
                    // In a workspace kept from object to object, as each of reach's workers keeps one.
                    var space = lean.workspace()
                    leanSweep.run(from: seen(tree.root)) { event in
                        guard case .object(let o) = event else { return false }
                        let r = o.reached
                        if let d = lean.verdict(r, in: &space) {
                            leanJudged[o.displayPath] = d
                            if d.verdict == .granted { leanReached.insert(o.displayPath) }
                        }
                        return lean.canEnter(r, in: &space)
                    }
                    // A name of this sweep's own: a new entry left in an append-only folder (root cannot unlink
                    // it there) must not be what the next principal's create opens.
                    let newEntry = "/.permaudit-new-\(UInt32.random(in: 0...UInt32.max))"
                    // Each path once: a path hidden by a mount is listed as covered and as what it was; asking
                    // twice would ask a second delete of what the first removed.
                    var once = Set<String>()
                    let objects = ([tree.root] + tree.directories.dropFirst() + tree.files + tree.covered).filter { once.insert($0).inserted }
                    for path in objects.map(seen) {
                        let asked = access == .create ? path + newEntry : path
                        let kernel = try session.ask("\(access.oracleOperation) \(asked)")
                        sweepDecisions += 1
                        sweepByAccess[access.rawValue, default: 0] += 1
                        let d = judged[path]
                        let leanD = leanJudged[path]
                        if leanReached.contains(path) != (kernel == "OK") || (kernel != "OK" && leanD?.verdict == .denied && leanD?.errno?.name != kernel
                            && !KnownErrnoDifferences.explains(access: access, kernel: kernel, permaudit: leanD?.errno?.name ?? "-")) {
                            let report = "DISAGREEMENT (reach, verdicts only, \(vantage.rawValue)) seed \(seed): \(access.rawValue) \(asked) as \(principal): kernel \(kernel), the lean sweep \(leanReached.contains(path) ? "reached it" : "did not") (\(leanD.map { "\($0.verdict) \($0.errno?.name ?? "-")" } ?? "not judged"))"
                            if disagreements.count < 25 { print(report) }
                            disagreements.append(report)
                        }
                        if reached.contains(path) == (kernel == "OK") {
                            // Both refuse: the errno the sweep's judge gives is the kernel's.
                            guard kernel != "OK", let d, d.verdict == .denied, let mine = d.errno?.name, mine != kernel,
                                  !KnownErrnoDifferences.explains(access: access, kernel: kernel, permaudit: mine) else { continue }
                            let report = "DISAGREEMENT (reach errno, \(vantage.rawValue)) seed \(seed): \(access.rawValue) \(asked) as \(principal): kernel \(kernel), the sweep \(mine): \(d.reason)"
                            if disagreements.count < 25 { print(report) }
                            disagreements.append(report)
                            continue
                        }
                        let report = "DISAGREEMENT (reach, \(vantage.rawValue)) seed \(seed): \(access.rawValue) \(asked) as \(principal): kernel \(kernel), the sweep \(reached.contains(path) ? "reached it" : "did not") (\(d.map { "\($0.verdict) \($0.errno?.name ?? "-"): \($0.reason)" } ?? "not judged"))"
                        if disagreements.count < 25 { print(report + "\n" + tree.describe(evaluator.decide(asked, access, for: principal))) }
                        disagreements.append(report)
                    }
                    if access == .create {
                        for dir in tree.directories { unlink(dir + newEntry) }
                    }
                }
                for var query in tree.queries(&rng) {
                    query.path = seen(query.path)
                    // permaudit first: create and delete change the tree.
                    let t0 = clock.now
                    let d = evaluator.decide(query.path, query.access, for: principal)
                    let t1 = clock.now
                    let kernel = try session.ask("\(query.access.oracleOperation) \(query.path)")
                    engineTime += t1 - t0
                    oracleTime += clock.now - t1
                    decisions += 1
                    kernelSaid[kernel, default: 0] += 1
                    byAccess[query.access.rawValue, default: 0] += 1
                    if !principal.capabilities.isEmpty { withCapabilities += 1 }
                    if d.evidence.last?.mask != nil { throughACL += 1 }
                    let agree: Bool
                    switch d.verdict {
                    case .granted: agree = kernel == "OK"
                    case .denied: agree = kernel != "OK"
                    case .unknown: agree = kernel == "ELOOP" && d.errno == .tooManySymbolicLinkLevels
                    }
                    if !agree {
                        let report = """
                            DISAGREEMENT (\(vantage.rawValue)) seed \(seed): \(query.access.rawValue) \(query.path) as \(principal) [setpriv \(planned.setprivArguments.joined(separator: " "))]
                              kernel \(kernel), permaudit \(d.verdict) (\(d.errno?.name ?? "-")): \(d.reason)
                            """
                        // The facts of the first ones in full (describing costs a dozen processes).
                        if disagreements.count < 25 { print(report + "\n" + tree.describe(d)) }
                        disagreements.append(report)
                    } else if kernel != "OK", let mine = d.errno?.name, mine != kernel {
                        // Users read the errno: a refusal with another errno is a disagreement unless listed.
                        errnoDifferences += 1
                        if !KnownErrnoDifferences.explains(access: query.access, kernel: kernel, permaudit: mine) {
                            disagreements.append("DISAGREEMENT (errno, \(vantage.rawValue)) seed \(seed): \(query.access.rawValue) \(query.path): kernel \(kernel), permaudit \(mine): \(d.reason)")
                        }
                        if errnoDifferences <= 5 {
                            print("kernel agreement: errno differs (both refuse): \(query.access.rawValue) \(query.path): kernel \(kernel), permaudit \(mine): \(d.reason)")
                        }
                    }
                }
            }
        }
        let seconds = (clock.now - started).components.seconds
        print("kernel agreement (\(vantage.rawValue)): \(decisions) decisions, \(disagreements.count) disagreements, \(errnoDifferences) refusals with another errno, \(seconds) s (permaudit \(engineTime.components.seconds) s, the kernel \(oracleTime.components.seconds) s; base seed \(base), \(Self.trees) trees)")
        print("kernel agreement: \(sweepDecisions) sweep (reach) answers checked too, errno included: \(sweepByAccess.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        print("kernel agreement: by access \(byAccess.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        print("kernel agreement: kernel answers \(kernelSaid.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); \(withCapabilities) with capabilities; \(throughACL) decided through an ACL mask")
        #expect(decisions >= 2000 * Self.trees)
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements; the first: \(disagreements.prefix(3).joined(separator: "\n---\n"))")
    }
}

/// The live host with numeric owners in the evidence: the tree's uids have no accounts, and asking NSS
/// about them at every step costs more than the decision itself. Names never change a verdict.
struct NumericLiveHost: FactSource {
    let host: LiveHost
    func lookup(_ path: RawPath) -> FactLookup { host.lookup(path) }
    func mount(containing path: RawPath) -> MountFacts? { host.mount(containing: path) }
    var protectedSysctls: ProtectedSysctls { host.protectedSysctls }
    var securityModules: SecurityModules { host.securityModules }
    func isEmptyDirectory(_ path: RawPath) -> Bool? { host.isEmptyDirectory(path) }
    func isMountPoint(_ path: RawPath) -> Bool { host.isMountPoint(path) }
}

extension Access {
    /// The oracle's letter for this access (see Tests/Fixtures/kernel-oracle.c).
    var oracleOperation: String {
        switch self {
        case .read: "r"
        case .write: "w"
        case .execute: "x"
        case .search: "s"
        case .list: "l"
        case .statfs: "f"
        case .create: "c"
        case .delete: "d"
        }
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
        let r = try Shell.run("/usr/bin/cc", ["-O2", "-Wall", "-o", dir + "/kernel-oracle", source])
        guard r.status == 0 else { throw ShellError("cc kernel-oracle.c: \(r.stderr)") }
        return KernelOracle(directory: dir)
    }

    /// One oracle process running as the principal, asked one line at a time.
    /// The oracle as this principal; chrooted into a folder first when one is given (setpriv lends it
    /// CAP_SYS_CHROOT, which it gives up once there).
    func session(as p: PlannedPrincipal, chrootTo root: String? = nil) throws -> OracleSession {
        guard let root else { return try OracleSession(arguments: p.setprivArguments + [binary]) }
        let session = try OracleSession(arguments: p.setprivArguments(lendingChroot: true) + [binary])
        let answer = try session.ask("chroot \(root)" + (p.holdsChroot ? " keep" : ""))
        guard answer == "OK" else { throw ShellError("the oracle could not chroot to \(root): \(answer)") }
        return session
    }
}

/// A principal as `setpriv` makes it: uid, gid, the full group list and ambient capabilities.
struct PlannedPrincipal {
    enum Kind { case plain, root, rootWithoutCapabilities }
    var uid: UInt32
    var gid: UInt32
    var groups: [UInt32]
    var capabilities = CapabilitySet()
    var kind = Kind.plain

    var setprivArguments: [String] { setprivArguments(lendingChroot: false) }

    /// Whether the principal itself holds CAP_SYS_CHROOT (only root with every capability does here).
    var holdsChroot: Bool { kind == .root }

    /// With `lendingChroot`, the process also gets CAP_SYS_CHROOT, for the oracle to chroot and then drop.
    func setprivArguments(lendingChroot: Bool) -> [String] {
        var args = ["/usr/bin/setpriv", "--reuid", String(uid), "--regid", String(gid)]
        args += groups.isEmpty ? ["--clear-groups"] : ["--groups", groups.map(String.init).joined(separator: ",")]
        let lent = lendingChroot ? ["+sys_chroot"] : []
        switch kind {
        case .root:
            break  // uid 0 keeps every capability across exec
        case .rootWithoutCapabilities:
            // SECBIT_NOROOT: uid 0 gains nothing at exec; it owns root's files and nothing more.
            args += ["--securebits", "+noroot,+noroot_locked", "--inh-caps", (["-all"] + lent).joined(separator: ","),
                     "--bounding-set", (["-all"] + lent).joined(separator: ",")]
            if lendingChroot { args += ["--ambient-caps", "+sys_chroot"] }
        case .plain:
            let caps = capabilities.map { "+" + $0.name.replacingOccurrences(of: "cap_", with: "") } + lent
            if !caps.isEmpty { args += ["--inh-caps", caps.joined(separator: ","), "--ambient-caps", caps.joined(separator: ",")] }
        }
        return args
    }
}

/// The oracle as a running process: a line in, the kernel's one-line answer out.
final class OracleSession {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var buffer: [UInt8] = []

    init(arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output  // an error message shows up as a wrong answer, not as a hang
        try process.run()
    }

    func ask(_ line: String) throws -> String {
        let bytes = Array((line + "\n").utf8)
        let fd = input.fileHandleForWriting.fileDescriptor
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ShellError("writing to the oracle: errno \(errno)") }
            sent += n
        }
        let from = output.fileHandleForReading.fileDescriptor
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                defer { buffer.removeSubrange(...nl) }
                return String(decoding: buffer[..<nl], as: UTF8.self)
            }
            let n = chunk.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ShellError("the oracle ended early after \(line): \(String(decoding: buffer, as: UTF8.self))") }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// The principal the kernel will judge, from the oracle's own /proc/self/status; throws when
    /// `setpriv` did not make the planned one.
    func principal(checking planned: PlannedPrincipal) throws -> Principal {
        let line = try ask("ids")
        var fields: [String: [String]] = [:]
        for part in line.split(separator: "|").dropFirst() {
            let words = part.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if let key = words.first { fields[key] = Array(words.dropFirst()) }
        }
        guard let u = fields["Uid:"], u.count == 4, let uid = UInt32(u[3]), let g = fields["Gid:"], g.count == 4, let gid = UInt32(g[3]),
              let cap = fields["CapEff:"]?.first, let mask = UInt64(cap, radix: 16) else {
            throw ShellError("the oracle did not report its credentials: \(line)")
        }
        let groups = (fields["Groups:"] ?? []).compactMap(UInt32.init)
        let caps = CapabilitySet(mask: mask)
        let expected: CapabilitySet = planned.kind == .root ? caps : planned.capabilities
        guard uid == planned.uid, gid == planned.gid, Set(groups) == Set(planned.groups), caps == expected, planned.kind != .root || caps.contains(.dacOverride) else {
            throw ShellError("setpriv \(planned.setprivArguments) made uid \(uid) gid \(gid) groups \(groups) capabilities \(caps): not the planned principal")
        }
        return Principal(uid: uid, gid: gid, groups: groups, capabilities: caps)
    }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// A random tree on the real file system, built as root and removed afterwards.
struct RandomTree {
    static let uids: [UInt32] = [61000, 61001, 61002, 61003, 61004]
    static let gids: [UInt32] = [61000, 61001, 61002, 61003, 61004]

    struct Query {
        var access: Access
        var path: String
    }

    let root: String
    var directories: [String] = []
    var files: [String] = []
    var links: [String] = []
    /// Made to be deleted: files, empty directories and links.
    var victims: [String] = []
    /// 42 links in a row ending at a file: the kernel follows 40 (`MAXSYMLINKS`), so the first two answer ELOOP.
    var chain: [String] = []
    var attributes: [String] = []
    /// Directories bind-mounted onto themselves with `ro`, `noexec` or both, and the tmpfs; unmounted in reverse.
    var mounted: [String] = []
    /// Directories made inside the tmpfs at the path of the bind mount it hides: no mount sits on them.
    var covered: [String] = []

    /// Builds the tree; what a failure leaves half-made is removed.
    init(seed: UInt64) throws {
        root = "/tmp/permaudit-kernel-\(getpid())-\(seed)"
        try? FileManager.default.removeItem(atPath: root)
        guard mkdir(root, 0o755) == 0 else { throw ShellError("mkdir \(root): \(errno)") }
        do {
            try build(seed: seed)
        } catch {
            remove()
            throw error
        }
    }

    private mutating func build(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        chmod(root, 0o755)
        directories = [root]
        var acls = ""
        var owned: [String] = []
        for i in 0..<82 {
            let parent = rng.pick(directories.filter { !victims.contains($0) })
            let isVictim = i >= 70
            let kind = rng.next() % 10
            let path = "\(parent)/\(isVictim ? "v" : kind < 3 ? "d" : kind < 8 ? "f" : "l")\(i)"
            if kind < 3 {
                mkdir(path, 0o755)
                directories.append(path)
            } else if kind < 8 {
                let fd = open(path, O_CREAT | O_WRONLY, 0o644)
                close(fd)
                files.append(path)
            } else {
                links.append(path)
                if isVictim { victims.append(path) }
                continue  // links are made once every target exists
            }
            if isVictim { victims.append(path) }
            owned.append(path)
            chown(path, rng.pick(Self.uids), rng.pick(Self.gids))
            var mode = UInt16(rng.next() % 0o1000)
            if rng.next() % 6 == 0 { mode |= kind < 3 ? 0o1000 : 0o4000 }  // sticky directories, setuid files
            if rng.next() % 8 == 0 { mode |= 0o2000 }
            chmod(path, mode_t(mode))
            if rng.next() % 5 < 2 { acls += Self.randomACL(path, mode: mode, directory: kind < 3, &rng) }
            if rng.next() % 20 == 0 { attributes.append(path) }
        }
        // Symlinks: relative and absolute, to files, directories, other links, dangling, `.`/`..`, trailing slashes.
        for link in links {
            let targets = directories + files + links
            let target = rng.pick(targets)
            var text: String
            switch rng.next() % 6 {
            case 0: text = target
            case 1: text = Self.relative(from: (link as NSString).deletingLastPathComponent, to: target)
            case 2: text = target + "/../" + (target as NSString).lastPathComponent
            case 3: text = root + "/missing\(rng.next() % 100)"
            case 4: text = rng.pick(Self.depth(link, under: root) >= 2 ? [".", "..", "./", "../", "./.", "../.."] : [".", "./", "./."])
            default: text = "./" + (target as NSString).lastPathComponent
            }
            if rng.next() % 10 == 0 && !text.hasSuffix("/") { text += "/" }
            symlink(text, link)
            if rng.next() % 2 == 0 { lchown(link, rng.pick(Self.uids), rng.pick(Self.gids)) }
        }
        // Loops: two links naming each other, and a link naming a path through itself.
        let home = rng.pick(directories.filter { !victims.contains($0) })
        symlink("loop-b", home + "/loop-a")
        symlink("loop-a", home + "/loop-b")
        symlink("self/x", home + "/self")
        links += [home + "/loop-a", home + "/loop-b", home + "/self"]
        // The chain: chain[i] reaches the file through 42 - i links.
        if let end = files.first {
            var previous = end
            for i in stride(from: 41, through: 0, by: -1) {
                let link = "\(root)/c\(i)"
                symlink(previous, link)
                previous = "c\(i)"
                chain.insert(link, at: 0)
            }
        }
        if !acls.isEmpty {
            let restore = root + ".acl"
            try acls.write(toFile: restore, atomically: true, encoding: .utf8)
            defer { unlink(restore) }
            let r = try Shell.run("/usr/bin/setfacl", ["--restore=" + restore])
            guard r.status == 0 else { throw ShellError("setfacl --restore: \(r.stderr)") }
        }
        // Default ACLs on some directories: what create makes inherits them.
        for dir in directories.dropFirst() where !victims.contains(dir) && rng.next() % 6 == 0 {
            let entries = "u::rwx,u:\(rng.pick(Self.uids)):\(Self.perms(&rng)),g::\(Self.perms(&rng)),g:\(rng.pick(Self.gids)):\(Self.perms(&rng)),m::\(Self.perms(&rng)),o::\(Self.perms(&rng))"
            let r = try Shell.run("/usr/bin/setfacl", ["-d", "-m", entries, dir])
            guard r.status == 0 else { throw ShellError("setfacl -d -m \(entries) \(dir): \(r.stderr)") }
        }
        for (i, path) in attributes.enumerated() {
            _ = try Shell.run("/usr/bin/chattr", [i % 2 == 0 ? "+i" : "+a", path])
        }
        // A tmpfs made first, somewhere aside, to be moved over an ancestor of a bind made after it:
        // mountinfo then lists the hidden bind after the mount that hides it.
        let cover = rng.next() % 2 == 0
        let stage = root + "/stage"
        if cover {
            mkdir(stage, 0o755)
            try mount(["-t", "tmpfs", "-o", "size=1m", "permaudit-kernel", stage], at: stage)
        }
        // Two directories bind-mounted onto themselves: a mount made read-only or noexec on its own.
        let candidates = directories.dropFirst().filter { !victims.contains($0) }
        for options in [rng.pick(["ro", "ro,noexec", "ro,nosuid"]), rng.pick(["noexec", "ro,noexec"])] where !candidates.isEmpty {
            let dir = rng.pick(candidates)
            if mounted.contains(dir) { continue }
            try mount(["--bind", dir, dir], at: dir)
            let r = try Shell.run("/usr/bin/mount", ["-o", "remount,bind," + options, dir])
            guard r.status == 0 else { throw ShellError("mount -o remount,bind,\(options) \(dir): \(r.stderr)") }
        }
        if cover { try moveCover(from: stage, &rng) }
    }

    private mutating func mount(_ arguments: [String], at point: String) throws {
        let r = try Shell.run("/usr/bin/mount", arguments)
        guard r.status == 0 else { throw ShellError("mount \(arguments): \(r.stderr)") }
        mounted.append(point)
    }

    /// Moves the staged tmpfs over a directory above a bind mount (the bind is then hidden) and makes the
    /// bind's path again inside it, where nothing is mounted: rmdir there is not EBUSY. The tmpfs's top
    /// takes the owner and mode of the directory it covers, since unlink and rmdir of that directory judge
    /// the one below. Where no bind has such an ancestor, the tmpfs stays where it was made.
    private mutating func moveCover(from stage: String, _ rng: inout SeededRandom) throws {
        let hidden = mounted.filter { $0 != stage }
        let pairs = hidden.flatMap { point in
            directories.dropFirst().filter { point.hasPrefix($0 + "/") && !attributes.contains($0) && !victims.contains($0) }.map { ($0, point) }
        }
        guard !pairs.isEmpty else { return }
        let (ancestor, point) = rng.pick(pairs)
        var st = stat()
        guard lstat(ancestor, &st) == 0 else { throw ShellError("lstat \(ancestor): \(errno)") }
        if try Shell.run("/usr/bin/mount", ["--move", stage, ancestor]).status == 0 {
            mounted.removeAll { $0 == stage }
            mounted.append(ancestor)
        } else {
            // A shared parent refuses --move: mount a new tmpfs there instead (mountinfo in creation order).
            try mount(["-t", "tmpfs", "-o", "size=1m", "permaudit-kernel", ancestor], at: ancestor)
        }
        chown(ancestor, st.st_uid, st.st_gid)
        chmod(ancestor, st.st_mode & 0o7777)
        var path = ancestor
        for name in point.dropFirst(ancestor.count).split(separator: "/") {
            path += "/" + name
            mkdir(path, 0o777)
            chmod(path, 0o777)
        }
        covered.append(path)
    }

    static func perms(_ rng: inout SeededRandom) -> String { ["---", "r--", "-w-", "--x", "rw-", "r-x", "-wx", "rwx"][Int(rng.next() % 8)] }

    /// A random access ACL in getfacl's format: named users and groups, and sometimes an explicit mask (`---` too).
    static func randomACL(_ path: String, mode: UInt16, directory: Bool, _ rng: inout SeededRandom) -> String {
        func bits(_ v: UInt16) -> String { (v & 4 != 0 ? "r" : "-") + (v & 2 != 0 ? "w" : "-") + (v & 1 != 0 ? "x" : "-") }
        var lines = ["# file: \(path)", "user::\(bits(mode >> 6 & 7))", "group::\(perms(&rng))", "other::\(bits(mode & 7))"]
        for _ in 0..<(1 + rng.next() % 3) {
            lines.append(rng.next() % 2 == 0 ? "user:\(rng.pick(uids)):\(perms(&rng))" : "group:\(rng.pick(gids)):\(perms(&rng))")
        }
        let maskChoice = rng.next() % 4
        lines.append("mask::" + (maskChoice == 0 ? "---" : maskChoice == 1 ? perms(&rng) : "rwx"))
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

    /// How many directories below the tree's root a path sits (`..` from depth 2 stays inside the tree).
    static func depth(_ path: String, under root: String) -> Int {
        path.dropFirst(root.count).split(separator: "/").count
    }

    static func randomPrincipal(_ rng: inout SeededRandom) -> PlannedPrincipal {
        switch rng.next() % 20 {
        case 0: return PlannedPrincipal(uid: 0, gid: 0, groups: [], kind: .root)
        case 1: return PlannedPrincipal(uid: 0, gid: rng.pick(gids), groups: [rng.pick(gids)], kind: .rootWithoutCapabilities)
        default: break
        }
        let uid = rng.next() % 6 == 0 ? 61009 : rng.pick(uids)
        let gid = rng.next() % 10 == 0 ? 0 : rng.pick(gids)
        var groups: [UInt32] = []
        for g in gids + [0] where rng.next() % 3 == 0 { groups.append(g) }
        var caps = CapabilitySet()
        if rng.next() % 4 == 0 {
            for cap in [Capability.dacReadSearch, .dacOverride, .fowner] where rng.next() % 2 == 0 { caps.insert(cap) }
        }
        return PlannedPrincipal(uid: uid, gid: gid, groups: groups, capabilities: caps)
    }

    /// What to ask: every object read, written and executed and once searched, listed or statfs-ed; paths
    /// through links, `..` detours, the walk's corners (`/`, `/.`, `/..`, `//`, `link/..`, under a file),
    /// the chain, creates (new names, existing files, through links, with a trailing slash) and deletes
    /// (victims, links, non-empty directories, mount points, `.` and `..`).
    func queries(_ rng: inout SeededRandom) -> [Query] {
        let readish: [Access] = [.read, .write, .execute, .search, .list, .statfs]
        var paths = [root] + directories.dropFirst() + files + links
        for _ in 0..<10 {
            let link = rng.pick(links)
            let child = rng.pick(files + directories).split(separator: "/").last.map(String.init) ?? "x"
            paths.append(link + "/" + child)
        }
        for _ in 0..<5 { paths.append(rng.pick(directories) + "/../" + (rng.pick(files) as NSString).lastPathComponent) }
        paths.append(root + "/no-such-file")
        var out = paths.flatMap { p in [Access.read, .write, .execute].map { Query(access: $0, path: p) } }
        out += paths.map { Query(access: rng.pick([.search, .list, .statfs]), path: $0) }
        for _ in 0..<24 {
            let node = rng.pick(paths)
            let shaped: String
            switch rng.next() % 8 {
            case 0: shaped = node + "/"
            case 1: shaped = node + "/."
            case 2: shaped = node + "/.."
            case 3: shaped = node + "//"
            case 4: shaped = rng.pick(links) + "/.."
            case 5: shaped = rng.pick(links) + "/"
            case 6: shaped = rng.pick(files) + "/x"
            default: shaped = node + "/../" + (node as NSString).lastPathComponent
            }
            out.append(Query(access: rng.pick(readish), path: shaped))
        }
        if !chain.isEmpty {
            for i in 0..<5 { out.append(Query(access: .read, path: chain[i])) }
            out.append(Query(access: rng.pick([.write, .execute, .create]), path: chain[Int(rng.next() % 5)]))
        }
        let inside = directories.filter { !victims.contains($0) }
        for _ in 0..<8 {
            let fresh = rng.pick(inside) + "/new\(rng.next() % 1_000_000)"
            switch rng.next() % 8 {
            case 0, 1, 2:
                // A new name, then what its maker can do with it (umask, inherited default ACL).
                out += [Query(access: .create, path: fresh), Query(access: .read, path: fresh), Query(access: .write, path: fresh)]
            case 3: out.append(Query(access: .create, path: rng.pick(files)))
            case 4: out.append(Query(access: .create, path: rng.pick(links)))
            case 5: out.append(Query(access: .create, path: rng.pick(directories)))
            case 6: out.append(Query(access: .create, path: rng.pick(inside) + rng.pick(["/", "/.", "/.."])))
            default: out.append(Query(access: .create, path: rng.pick(links + files + [fresh]) + "/"))
            }
        }
        for _ in 0..<6 {
            let target: String
            switch rng.next() % 10 {
            case 0, 1, 2, 3: target = rng.pick(victims)
            case 4: target = rng.pick(links)
            case 5: target = rng.pick(files)
            case 6: target = rng.pick(mounted.isEmpty ? inside : mounted)
            case 7: target = rng.pick(Array(directories.dropFirst())) + rng.pick(["", "/", "/.", "/.."])
            case 8: target = rng.pick(victims + files + links) + "/"
            default: target = rng.pick(inside) + "/gone"
            }
            out.append(Query(access: .delete, path: target))
        }
        for path in covered { out += [Query(access: .list, path: path), Query(access: .delete, path: path)] }
        return out
    }

    /// What a person needs to replay a disagreement: stat, getfacl and lsattr of every component of the
    /// path and of every object the decision looked at, the tree's mounts, and permaudit's evidence.
    func describe(_ d: AccessDecision) -> String {
        var paths: [String] = []
        var current = ""
        for part in d.path.split(separator: "/") {
            current += "/" + part
            paths.append(current)
        }
        for step in d.evidence where !paths.contains(step.path) { paths.append(step.path) }
        var out: [String] = []
        for p in paths where p.hasPrefix(root) || root.hasPrefix(p) {
            if let r = try? Shell.run("/usr/bin/stat", ["-c", "%A %u:%g %N", p]) { out.append(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let r = try? Shell.run("/usr/bin/getfacl", ["-cnpP", p]), r.stdout.contains("mask") || r.stdout.contains("default") {
                out.append("  acl: " + r.stdout.split(separator: "\n").joined(separator: " "))
            }
            if let r = try? Shell.run("/usr/bin/lsattr", ["-d", p]), let flags = r.stdout.split(separator: " ").first, flags.contains("i") || flags.contains("a") {
                out.append("  attributes: " + flags)
            }
        }
        if let m = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) {
            for line in m.split(separator: "\n") where line.contains(root) { out.append("  mount: " + line) }
        }
        out.append("  evidence:")
        for s in d.evidence {
            out.append("    \(s.role.rawValue) \(s.path) \(s.check): \(s.outcome.rawValue) \(s.errno?.name ?? "") (\(s.because))")
        }
        return out.joined(separator: "\n")
    }

    func remove() {
        for path in mounted.reversed() {
            if (try? Shell.run("/usr/bin/umount", [path]))?.status != 0 { _ = try? Shell.run("/usr/bin/umount", ["-l", path]) }
        }
        for path in attributes { _ = try? Shell.run("/usr/bin/chattr", ["-i", "-a", path]) }
        _ = try? Shell.run("/bin/rm", ["-rf", "--one-file-system", "--", root])
    }
}

/// SplitMix64: a small seeded generator, so a failing tree can be built again from its printed seed.
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

/// The refusals where permaudit's errno and the kernel's may differ, each with why: the one place they
/// are listed. Empty: every refusal so far carries the kernel's own errno.
enum KnownErrnoDifferences {
    static func explains(access: Access, kernel: String, permaudit: String) -> Bool { false }
}
