import Glibc

extension FactsFile {
    /// Reads a facts file from disk (`-` is standard input) and checks its envelope.
    /// - Throws: `FactsFileError` naming the file, the errno or the line and field (exit 2).
    public static func load(path: String) throws(FactsFileError) -> FactsFile {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw FactsFileError(file: path, problem: "cannot open: \(String(cString: strerror(e))) (errno \(e))", hint: "check the path given to --facts")
        }
        defer { if fd != 0 { close(fd) } }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                throw FactsFileError(file: path, problem: "cannot read: \(String(cString: strerror(e))) (errno \(e))", hint: "check the path given to --facts")
            }
            bytes += buffer[0..<n]
            if bytes.count > 64 << 20 { throw FactsFileError(file: path, problem: "larger than 64 MiB", hint: "this is not a facts file; " + FactsFileError.regather) }
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: path == "-" ? "<stdin>" : path)
    }
}
