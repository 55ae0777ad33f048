import Glibc

/// Writes every byte to `fd`, again after a short write or EINTR: nil when all went, else the errno that
/// stopped it. The one loop behind standard output, the shared output of `reach`'s workers and `-o FILE`.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += n
    }
    return nil
}
