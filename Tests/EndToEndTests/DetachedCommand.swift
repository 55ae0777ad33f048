import Foundation
import Glibc

/// Starts a command that leaves a daemon behind (rsyslogd, a FUSE mount), and waits only for the
/// command itself.
///
/// Foundation's `Process` learns that a child ended when a socket it shares with the child closes; a
/// daemon that inherits that socket keeps it open, and `waitUntilExit()` never returns. Here the
/// command gets `/dev/null` for its standard streams and none of this process's other descriptors.
enum DetachedCommand {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func run(_ shellCommand: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        for fd in openDescriptors() where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", shellCommand].map { $0.withCString { strdup($0) } } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "\(shellCommand): posix_spawn: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else { throw Failure(description: "\(shellCommand): exit status \(code) (wait status \(status))") }
    }

    /// The descriptors open in this process now, from `/proc/self/fd`.
    static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }
}
