import Foundation
import PermauditCore

/// Paths, the built binary, and the Python helpers (tree-sitter for PowerShell, Samba, jsonschema).
enum FactsTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = packageRoot.appendingPathComponent("Reports/examples")
    static let golden = packageRoot.appendingPathComponent("Tests/PermauditFactsTests/Golden")
    static let psParser = packageRoot.appendingPathComponent("Tests/PermauditFactsTests/PowerShell/ps_parse.py").path
    static let sambaHelper = packageRoot.appendingPathComponent("Tests/PermauditCoreTests/Samba/samba_access_check.py").path
    static var binary: String { ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/permaudit").path }
    static var updatingGolden: Bool { ProcessInfo.processInfo.environment["PERMAUDIT_UPDATE_GOLDEN"] == "1" }
    /// 2026-11-01T00:00:00Z, the examples' date.
    static let sourceDateEpoch = "1793491200"

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil, cwd: String? = nil) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), inp = Pipe()
        let errPath = NSTemporaryDirectory() + "win-stderr-\(UInt64.random(in: 0...UInt64.max))"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        let writer = Thread {
            if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
            try? inp.fileHandleForWriting.close()
        }
        writer.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? err.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Output(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func permaudit(_ arguments: [String], cwd: String? = nil) throws -> Output {
        try run("/usr/bin/env", ["SOURCE_DATE_EPOCH=\(sourceDateEpoch)", binary] + arguments, cwd: cwd)
    }

    /// A python that imports `module`: the PATH's python3 first, then Debian's.
    static func python(with module: String) -> String? {
        for candidate in ["/usr/bin/env", "/usr/bin/python3"] {
            let args = candidate == "/usr/bin/env" ? ["python3", "-c", "import \(module)"] : ["-c", "import \(module)"]
            if let r = try? run(candidate, args), r.status == 0 { return candidate }
        }
        return nil
    }

    static let treeSitter = python(with: "tree_sitter_powershell")
    static let hasTreeSitter = treeSitter != nil
    static let hasSamba = (try? run("/usr/bin/python3", ["-c", "import samba.security, samba.dcerpc.security"]))?.status == 0
    static let hasJSONSchema = (try? run("/usr/bin/python3", ["-c", "import jsonschema"]))?.status == 0

    /// Parses PowerShell files with tree-sitter: the problems it found (ERROR/MISSING nodes), empty when clean.
    static func powerShellProblems(_ files: [String]) throws -> String? {
        guard let py = treeSitter else { return "tree-sitter-powershell missing" }
        let r = try run(py, (py == "/usr/bin/env" ? ["python3"] : []) + [psParser] + files)
        return r.status == 0 ? nil : r.stdout + r.stderr
    }

    /// Samba's answers, one per case (see samba_access_check.py).
    static func askSamba(_ cases: [(sddl: String, sids: [String], desired: UInt32)]) throws -> [[String: Any]] {
        let input = cases.map { c in
            "{\"sddl\":\"\(c.sddl)\",\"sids\":[\(c.sids.map { "\"\($0)\"" }.joined(separator: ","))],\"desired\":\(c.desired)}"
        }.joined(separator: "\n") + "\n"
        let r = try run("/usr/bin/python3", [sambaHelper], stdin: input)
        return r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// An SDDL as Samba 4.17 reads it: SIDs as S-1-..., every mask hex with the generic rights mapped.
    static func sambaSDDL(_ sd: SecurityDescriptor, kind: WindowsObjectKind) -> String {
        var s = ""
        if let o = sd.owner { s += "O:\(o)" }
        if let g = sd.group { s += "G:\(g)" }
        s += "D:"
        guard case .list(let acl) = sd.dacl else { return s }
        s += acl.flagsText.replacing("NO_ACCESS_CONTROL", with: "")
        for a in acl.entries {
            var flags = ""
            for (f, name) in [(ACE.Flags.objectInherit, "OI"), (.containerInherit, "CI"), (.noPropagate, "NP"), (.inheritOnly, "IO"), (.inherited, "ID")] where a.flags.contains(f) { flags += name }
            s += "(\(a.kind.rawValue);\(flags);0x\(String(kind.mapping.map(a.mask), radix: 16));;;\(a.trustee))"
        }
        return s
    }

    /// Where two texts first differ, for a stale-file message.
    static func firstDifference(_ got: String, _ want: String) -> String {
        let g = got.split(separator: "\n", omittingEmptySubsequences: false)
        let w = want.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<max(g.count, w.count)).first { $0 >= g.count || $0 >= w.count || g[$0] != w[$0] } ?? 0
        return "line \(line + 1):\n  checked in: \(line < w.count ? String(w[line]) : "<end>")\n  now:        \(line < g.count ? String(g[line]) : "<end>")"
    }
}
