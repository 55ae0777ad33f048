import Foundation
import Glibc

/// Runs the built `permaudit` (or any tool) to completion for the end-to-end tests. Output goes to files,
/// not pipes, so a chatty program never blocks and a daemon it leaves behind never holds the test up.
enum PermauditRun {
    struct Outcome {
        var status: Int32
        var stdout: String
        /// Standard output byte for byte (for `--null` lists and names that are not UTF-8).
        var rawStdout: [UInt8]
        var stderr: String
    }

    /// The permaudit binary beside the test bundle (`swift test` builds it with the tests), or `PERMAUDIT_BIN`.
    static func binary() -> String {
        if let b = ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] { return b }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("permaudit").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/permaudit").path
    }

    /// A copy in a folder every user can enter (the build folder may sit under a private home).
    static func copiedBinary(into dir: String) throws -> String {
        let target = dir + "/permaudit-bin"
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: binary(), toPath: target)
        chmod(target, 0o755)
        return target
    }

    static func run(_ arguments: [String], input: String? = nil) throws -> Outcome { try runProcess(binary(), arguments, input: input) }

    static func runProcess(_ tool: String, _ arguments: [String], input: String? = nil, cwd: String? = nil) throws -> Outcome {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("permaudit-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err"), inp = dir.appendingPathComponent("in")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        FileManager.default.createFile(atPath: inp.path, contents: Data((input ?? "").utf8))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = try FileHandle(forReadingFrom: inp)
        try p.run()
        p.waitUntilExit()
        let o = try Data(contentsOf: out), e = try Data(contentsOf: err)
        return Outcome(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), rawStdout: Array(o), stderr: String(decoding: e, as: UTF8.self))
    }
}
