import Glibc

/// Buffered writes to a file descriptor: a sweep prints a line per object, and one `write(2)` per line
/// would cost more than the sweep itself.
final class OutputBuffer {
    let fd: Int32
    var bytes: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        bytes.reserveCapacity(1 << 16)
    }

    func append(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
        if bytes.count >= 1 << 16 { flush() }
    }

    func append(_ text: String) { append(Array(text.utf8)) }

    func flush() {
        _ = writeAll(fd, bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}
