import Foundation
import Testing

/// Helpers for the fix end-to-end tests: the built binary, commands, a throwaway agent user and log tree.
enum FixE2E {
    static let isRoot = geteuid() == 0
    static let tools = ["/usr/bin/setfacl", "/usr/bin/getfacl", "/usr/bin/setpriv", "/usr/sbin/logrotate", "/usr/sbin/useradd"]
    static var canRun: Bool { isRoot && tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }
    static var hasShellcheck: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/shellcheck") }

    static var binary: String { PermauditRun.binary() }

    struct Result { var status: Int32; var out: String; var err: String }

    @discardableResult
    static func run(_ argv: [String], cwd: String? = nil) throws -> Result {
        let r = try PermauditRun.runProcess("/usr/bin/env", argv, cwd: cwd)
        return Result(status: r.status, out: r.stdout, err: r.stderr)
    }

    static func sh(_ script: String, cwd: String? = nil) throws -> Result { try run(["bash", "-c", script], cwd: cwd) }

    static func permaudit(_ args: [String], cwd: String? = nil) throws -> Result { try run([binary] + args, cwd: cwd) }

    /// A system user and its group, created for one test and removed after.
    final class Agent {
        let name: String
        convenience init() throws { try self.init(prefix: "pa-fix") }
        convenience init(prefix: String) throws { try self.init(name: "\(prefix)-\(getpid() % 10000)-\(Int.random(in: 1000...9999))") }
        init(name: String) throws {
            self.name = name
            let r = try FixE2E.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
            guard r.status == 0 else { throw E2EError("useradd \(name): \(r.err)") }
        }
        var gid: String { (try? FixE2E.run(["id", "-g", name]).out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "" }
        func remove() { _ = try? FixE2E.run(["userdel", name]); _ = try? FixE2E.run(["groupdel", name]) }

        /// The paths among these that the kernel lets this user read (`cat` as the user, groups from the database).
        func readable(_ paths: [String]) throws -> Set<String> {
            let r = try FixE2E.run(["setpriv", "--reuid", name, "--regid", name, "--init-groups", "bash", "-c",
                                    "for f; do cat -- \"$f\" >/dev/null 2>&1 && printf '%s\\0' \"$f\"; done; exit 0", "_"] + paths)
            return Set(r.out.split(separator: "\0").map(String.init))
        }
    }

    /// Every regular file under a folder (listed as root).
    static func files(under dir: String) throws -> [String] {
        try run(["find", dir, "-type", "f", "-print0"]).out.split(separator: "\0").map(String.init).sorted()
    }

    /// `getfacl -R -p -n` of a tree, one block per object keyed by its `# file:` line.
    static func acls(_ dir: String) throws -> [String: String] {
        let out = try run(["getfacl", "-R", "-p", "-n", dir]).out
        var blocks: [String: String] = [:]
        for block in out.components(separatedBy: "\n\n") where !block.isEmpty {
            let key = block.split(separator: "\n").first.map(String.init) ?? ""
            blocks[key] = block
        }
        return blocks
    }

    static func tempDir(_ prefix: String) throws -> String {
        let d = "/var/log/\(prefix)-\(getpid())-\(Int.random(in: 1000...9999))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: false)
        return d
    }

    /// A `fix --emit json` plan meets `Reports/schema/fix-plan.schema.json` (checked when a python3 with
    /// jsonschema is installed: Debian's python3-jsonschema, or one on PATH).
    static func expectValidPlan(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { (try? run([$0, "-c", "import jsonschema"]).status) == 0 }) else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("permaudit-plan-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try run([python, repo.appendingPathComponent("Reports/schema/validate_json.py").path,
                         repo.appendingPathComponent("Reports/schema/fix-plan.schema.json").path, file.path])
        #expect(r.status == 0, "the plan does not meet fix-plan.schema.json: \(r.out)\(r.err)", sourceLocation: sourceLocation)
    }

    /// The state folder a generated script keeps its saved ACLs in.
    static func stateDir(of script: String) -> String? {
        guard let text = try? String(contentsOfFile: script, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("state_dir='") {
            return String(line.dropFirst("state_dir='".count).dropLast())
        }
        return nil
    }
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
