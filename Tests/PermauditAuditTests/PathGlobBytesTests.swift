import Foundation
import Glibc
import Testing
@testable import PermauditAudit
import PermauditCore
import PermauditHost

/// The audit's globs match and keep names as bytes: a name that is not UTF-8 is found as itself, beside
/// its U+FFFD look-alike, and each is judged as the kernel judges it.
@Suite("path globs on names that are not UTF-8")
struct PathGlobBytesTests {
    @Test("f\\xff and f\\u{FFFD} are two matches, each with its own bytes and its own verdict", .enabled(if: getuid() == 0, "needs root to judge as nobody against files root owns"))
    func invalidUTF8BesideItsLookAlike() throws {
        let dir = "/tmp/door-glob-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o755)
        let real = RawPath(bytes: Array(dir.utf8) + [UInt8(ascii: "/"), UInt8(ascii: "f"), 0xFF])
        let decoy = RawPath(bytes: Array(dir.utf8) + [UInt8(ascii: "/"), UInt8(ascii: "f"), 0xEF, 0xBF, 0xBD])
        for (p, mode) in [(real, 0o600), (decoy, 0o644)] as [(RawPath, mode_t)] {
            let fd = p.withCString { open($0, O_CREAT | O_WRONLY | O_CLOEXEC, mode) }
            #expect(fd >= 0)
            close(fd)
            _ = p.withCString { chmod($0, mode) }
        }
        let host = LiveHost()
        let matches = PathGlob(host: host).expand(dir + "/f*").matches
        #expect(Set(matches) == [real, decoy], "\(matches)")
        let nobody = Principal(uid: 65534, gid: 65534, groups: [65534], capabilities: .empty)
        let evaluator = AccessEvaluator(source: host)
        // The kernel: open as nobody (a forked child that drops to nobody and tries each file).
        for (p, kernelReads) in [(real, false), (decoy, true)] {
            #expect((evaluator.decide(p, .read, for: nobody).verdict == .granted) == kernelReads, "\(p)")
            #expect(Self.kernelReads(p, uid: 65534, gid: 65534) == kernelReads, "the kernel on \(p)")
        }
    }

    /// Whether `uid`/`gid` can open the file for reading, asked of the kernel in a child process.
    static func kernelReads(_ p: RawPath, uid: uid_t, gid: gid_t) -> Bool {
        // Everything the child uses is made before fork: after it, only system calls (no allocation).
        var groups = [gid]
        return p.withCString { path in
            groups.withUnsafeMutableBufferPointer { list in
                let pid = fork()
                if pid == 0 {
                    guard setgroups(1, list.baseAddress) == 0, setgid(gid) == 0, setuid(uid) == 0 else { _exit(2) }
                    _exit(open(path, O_RDONLY | O_CLOEXEC) >= 0 ? 0 : 1)
                }
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                return (status >> 8) & 0xFF == 0 && status & 0x7F == 0
            }
        }
    }
}
