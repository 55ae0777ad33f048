import Foundation

/// Paths, external validators and golden files for the report tests.
enum ReportTestSupport {
    /// The package root, found from this file's path (Tests/PermauditAuditTests/…).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemaDir = packageRoot.appendingPathComponent("Reports/schema")
    static let goldenDir = packageRoot.appendingPathComponent("Reports/golden")

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The full path of an executable on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program to completion; stdout and stderr go to files so a chatty program cannot block on a pipe.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 120) throws -> Output {
        let dir = try temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        return Output(
            status: p.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("permaudit-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, to name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// python3 with the jsonschema module, or nil (then the JSON schema checks are skipped).
    static let pythonWithJSONSchema: String? = python(with: "jsonschema")

    /// The first python3 that imports `module`: Debian's own (where `apt-get install python3-MODULE`
    /// puts it), then the one on PATH (a pyenv or venv python may shadow Debian's).
    static func python(with module: String) -> String? {
        let candidates = ["/usr/bin/python3", which("python3")].compactMap { $0 }
        return candidates.first { python in
            guard let out = try? run(python, ["-c", "import \(module)"]) else { return false }
            return out.status == 0
        }
    }

    static let xmllint: String? = which("xmllint")

    /// The `Reports/schema/validate_json.py` checker: schema, instance files; `--ndjson` for one document a line.
    static func validateJSON(schema: String, files: [URL], ndjson: Bool = false) throws -> Output? {
        guard let python = pythonWithJSONSchema else { return nil }
        let script = schemaDir.appendingPathComponent("validate_json.py").path
        return try run(python, [script] + (ndjson ? ["--ndjson"] : []) + [schemaDir.appendingPathComponent(schema).path] + files.map(\.path))
    }

    /// Set `PERMAUDIT_UPDATE_GOLDEN=1` to rewrite the golden files instead of comparing.
    static var updatingGolden: Bool { ProcessInfo.processInfo.environment["PERMAUDIT_UPDATE_GOLDEN"] == "1" }
}
