import Foundation
import PermauditRules

/// The package's own files, found from this file's path (`Tests/PermauditRulesTests/…`).
enum RepositoryFiles {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
    }

    /// The files of `Rules/`, named relative to it (`linux/auth-log.yaml`), as the build embeds them.
    static func ruleFiles() throws -> [(name: String, text: String)] {
        let dir = root + "/Rules/"
        return try RuleCatalog.files(in: root + "/Rules").map { (String($0.name.dropFirst(dir.count)), $0.text) }
    }

    /// The catalog as `Rules/` holds it now (not as compiled into the binary).
    static func rulesFolderCatalog() throws -> RuleCatalog {
        try RuleCatalog.load(files: ruleFiles())
    }

    /// The built `permaudit` (`swift build --build-tests` builds it), or `PERMAUDIT_BIN`.
    static var binary: String {
        ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] ?? root + "/.build/debug/permaudit"
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built binary; its output goes to files so a long message cannot block on a pipe.
    static func permaudit(_ arguments: [String]) throws -> Output {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/out", err = dir + "/err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: try String(contentsOfFile: out, encoding: .utf8), stderr: try String(contentsOfFile: err, encoding: .utf8))
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("permaudit-rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
