import Foundation
import Glibc

/// The example host of `Tests/ExampleHost/`, staged into a real folder so that `RootedHost(root:)`
/// reads real owners, modes, ACLs, symlinks and sockets. Git keeps none of those, so
/// `Tests/ExampleHost/manifest.txt` says what every path is and `files/` holds the contents.
///
/// Staging needs root (chown to other uids) and `setfacl` (Debian package `acl`). Owner and group
/// names are resolved through the example's own `etc/passwd` and `etc/group`, and applied as numbers,
/// so the accounts need not exist on the machine that runs the tests.
///
/// Example reports (wired at merge time, once the auditor exists):
/// ```swift
/// let root = try ReportTestSupport.temporaryDirectory("example-host")
/// try stageExampleHost(at: root)
/// let host = try RootedHost(root: root.path)
/// let report = Auditor(...).audit(host, principal: elastic-agent-user, profile: "elastic-agent")
/// // compare ReportRenderer.render(report, as: f) with Reports/examples/example-host.<ext>
/// ```
enum ExampleHost {
    static let directory = ReportTestSupport.packageRoot.appendingPathComponent("Tests/ExampleHost")
    static let manifestURL = directory.appendingPathComponent("manifest.txt")
    static let filesURL = directory.appendingPathComponent("files")

    struct Entry: Equatable {
        enum Kind: String { case dir, file, link, socket, fifo }
        var path: String
        var kind: Kind
        var mode: UInt16?
        var owner: String
        var group: String
        var target: String?
        var acl: String?
        var defaultACL: String?
        var line: Int
    }

    struct ManifestError: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether this machine can stage the example host, and if not, why.
    static var cannotStageReason: String? {
        if getuid() != 0 { return "staging the example host needs root (chown to other users)" }
        if ReportTestSupport.which("setfacl") == nil { return "staging the example host needs setfacl (apt-get install acl)" }
        return nil
    }

    static func manifest() throws -> [Entry] {
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
        var entries: [Entry] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let where_ = "Tests/ExampleHost/manifest.txt:\(i + 1)"
            let cols = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard cols.count >= 5 else { throw ManifestError(description: "\(where_): expected PATH TYPE MODE OWNER GROUP") }
            guard let kind = Entry.Kind(rawValue: cols[1]) else { throw ManifestError(description: "\(where_): unknown type \(cols[1])") }
            var mode: UInt16?
            if cols[2] != "-" {
                guard let m = UInt16(cols[2], radix: 8), m <= 0o7777 else { throw ManifestError(description: "\(where_): bad mode \(cols[2])") }
                mode = m
            }
            var e = Entry(path: cols[0], kind: kind, mode: mode, owner: cols[3], group: cols[4], line: i + 1)
            for extra in cols.dropFirst(5) {
                guard let eq = extra.firstIndex(of: "=") else { throw ManifestError(description: "\(where_): expected key=value, got \(extra)") }
                let value = String(extra[extra.index(after: eq)...])
                switch extra[..<eq] {
                case "target": e.target = value
                case "acl": e.acl = value
                case "default": e.defaultACL = value
                default: throw ManifestError(description: "\(where_): unknown key in \(extra)")
                }
            }
            guard e.path.hasPrefix("/") else { throw ManifestError(description: "\(where_): path must be absolute") }
            if kind == .link && e.target == nil { throw ManifestError(description: "\(where_): a link needs target=") }
            if kind != .link && mode == nil { throw ManifestError(description: "\(where_): \(kind.rawValue) needs a mode") }
            entries.append(e)
        }
        return entries
    }

    /// `name:x:id:...` lines of the example's passwd or group file, as name → id.
    static func ids(_ file: String) throws -> [String: UInt32] {
        let text = try String(contentsOf: filesURL.appendingPathComponent(file), encoding: .utf8)
        var ids: [String: UInt32] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            if f.count > 2, let id = UInt32(f[2]) { ids[String(f[0])] = id }
        }
        return ids
    }

    /// An ACL with the example's names replaced by their numbers (`g:elastic-agent:r--` → `g:6101:r--`).
    static func numericACL(_ text: String, users: [String: UInt32], groups: [String: UInt32]) throws -> String {
        try text.split(separator: ",").map { entry -> String in
            let p = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard p.count == 3 else { throw ManifestError(description: "bad ACL entry \(entry)") }
            guard !p[1].isEmpty, UInt32(p[1]) == nil else { return String(entry) }
            let table = p[0].hasPrefix("u") ? users : groups
            guard let id = table[p[1]] else { throw ManifestError(description: "ACL names \(p[1]), unknown on the example host") }
            return "\(p[0]):\(id):\(p[2])"
        }.joined(separator: ",")
    }
}

/// Builds the example host of `Tests/ExampleHost/` under `root` (created if missing), as root.
///
/// - Throws: `ExampleHost.ManifestError` for a malformed manifest or a failed system call, naming the
///   manifest line.
func stageExampleHost(at root: URL) throws {
    if let why = ExampleHost.cannotStageReason { throw ExampleHost.ManifestError(description: why) }
    let entries = try ExampleHost.manifest()
    let users = try ExampleHost.ids("etc/passwd"), groups = try ExampleHost.ids("etc/group")
    let fm = FileManager.default
    try fm.createDirectory(at: root, withIntermediateDirectories: true)
    func fail(_ e: ExampleHost.Entry, _ what: String) -> ExampleHost.ManifestError {
        ExampleHost.ManifestError(description: "Tests/ExampleHost/manifest.txt:\(e.line): \(what) \(e.path): \(String(cString: strerror(errno)))")
    }
    for e in entries {
        let real = e.path == "/" ? root.path : root.path + e.path
        switch e.kind {
        case .dir:
            if e.path != "/" && mkdir(real, 0o700) != 0 && errno != EEXIST { throw fail(e, "mkdir") }
        case .file:
            let source = ExampleHost.filesURL.appendingPathComponent(String(e.path.dropFirst()))
            let data = fm.fileExists(atPath: source.path) ? try Data(contentsOf: source) : Data()
            guard fm.createFile(atPath: real, contents: data) else { throw fail(e, "create") }
        case .link:
            if symlink(e.target ?? "", real) != 0 { throw fail(e, "symlink") }
        case .socket:
            if mknod(real, S_IFSOCK | 0o600, 0) != 0 { throw fail(e, "mknod socket") }
        case .fifo:
            if mkfifo(real, 0o600) != 0 { throw fail(e, "mkfifo") }
        }
        guard let uid = users[e.owner], let gid = groups[e.group] else {
            throw ExampleHost.ManifestError(description: "Tests/ExampleHost/manifest.txt:\(e.line): \(e.owner):\(e.group) is not in the example's etc/passwd and etc/group")
        }
        if lchown(real, uid, gid) != 0 { throw fail(e, "lchown") }
        if let m = e.mode, chmod(real, mode_t(m)) != 0 { throw fail(e, "chmod") }
        var acls: [[String]] = []
        if let a = e.acl { acls.append(["--set", try ExampleHost.numericACL(a, users: users, groups: groups)]) }
        if let d = e.defaultACL { acls.append(["-d", "--set", try ExampleHost.numericACL(d, users: users, groups: groups)]) }
        for args in acls {
            let out = try ReportTestSupport.run(ReportTestSupport.which("setfacl") ?? "/usr/bin/setfacl", args + ["--", real])
            if out.status != 0 {
                throw ExampleHost.ManifestError(description: "Tests/ExampleHost/manifest.txt:\(e.line): setfacl \(args.joined(separator: " ")) \(e.path): \(out.stderr)")
            }
        }
    }
}
