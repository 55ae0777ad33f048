import Foundation
import Glibc

/// Writes a file whole or not at all: a temporary file beside it, flushed, then renamed over it.
enum AtomicFile {
    /// - Parameter mode: the new file's permission bits (reports 0644; scripts that name host paths 0600).
    static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let temp = (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw InputError("-o \(path): cannot create \(temp): \(String(cString: strerror(errno))); check the folder exists and is writable") }
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                unlink(temp)
                throw InputError("-o \(path): write failed: \(String(cString: strerror(e)))")
            }
            offset += n
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
}
