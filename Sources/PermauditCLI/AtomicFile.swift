import Foundation
import Glibc

/// Writes a file whole or not at all: a temporary file beside it, flushed, then renamed over it.
///
/// The temporary file has an unpredictable name (`.NAME.permaudit.PID.RANDOM.tmp`) and is created with
/// `O_EXCL`, so a name left by a killed run (or planted by someone else) never makes a write fail; the
/// ones left by runs that are gone (their pid is not running) are removed on the next write of the same
/// file.
enum AtomicFile {
    /// - Parameter mode: the new file's permission bits (reports 0644; scripts that name host paths 0600).
    static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let folder = dir.isEmpty ? "." : dir
        let name = (path as NSString).lastPathComponent
        // A device or a FIFO (`-o /dev/null`, `-o /dev/stdout`) is written as it is: renaming over it would
        // replace the host's /dev/null with a regular file.
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG, st.st_mode & S_IFMT != S_IFDIR {
            try writeInPlace(text, to: path)
            return
        }
        removeStale(of: name, in: folder)
        var temp = ""
        var fd: Int32 = -1
        for _ in 0..<100 {
            temp = folder + "/" + tempName(of: name, pid: getpid(), random: UInt64.random(in: 0...UInt64.max))
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw InputError("-o \(path): cannot create \(temp): \(String(cString: strerror(errno))); check the folder exists and is writable") }
        var bytes = Array(text.utf8)
        if let e = writeAll(fd, bytes) {
            close(fd)
            unlink(temp)
            throw InputError("-o \(path): write failed: \(String(cString: strerror(e)))")
        }
        fsync(fd)
        close(fd)
        guard rename(temp, path) == 0 else {
            let e = errno
            unlink(temp)
            throw InputError("-o \(path): cannot rename into place: \(String(cString: strerror(e)))")
        }
        bytes.removeAll()
    }

    static func writeInPlace(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError("-o \(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if let e = writeAll(fd, Array(text.utf8)) {
            throw InputError("-o \(path): write failed: \(String(cString: strerror(e)))")
        }
    }

    static func tempName(of name: String, pid: pid_t, random: UInt64) -> String {
        ".\(name).permaudit.\(pid).\(String(random, radix: 16)).tmp"
    }

    /// The pid a temporary file of `name` was made by (this version's names, and `.NAME.PID.tmp` of
    /// earlier ones), or nil when the entry is not one.
    static func creator(of entry: String, name: String) -> pid_t? {
        let prefix = "." + name + "."
        guard entry.hasPrefix(prefix), entry.hasSuffix(".tmp") else { return nil }
        let middle = entry.dropFirst(prefix.count).dropLast(".tmp".count).split(separator: ".", omittingEmptySubsequences: false)
        if middle.count == 1 { return pid_t(middle[0]) }
        if middle.count == 3, middle[0] == "permaudit", UInt64(middle[2], radix: 16) != nil { return pid_t(middle[1]) }
        return nil
    }

    /// Removes the temporary files of `name` whose makers are no longer running. Best effort: a failure
    /// to list or remove one is never an error.
    static func removeStale(of name: String, in folder: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries {
            guard let pid = creator(of: entry, name: name), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // still running: its write is under way
            var st = stat()
            let full = folder + "/" + entry
            guard lstat(full, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_uid == geteuid() else { continue }
            unlink(full)
        }
    }
}
