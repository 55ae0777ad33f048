import Glibc
import PermauditCore

/// The bytes a path argument was given as. Swift decodes `argv` as UTF-8, repairing bytes that are not
/// (`f\xff` arrives as `f\u{FFFD}`), which would name another file; the raw `argv` entry is the truth.
enum RawArgument {
    /// The `argv` entry that decodes to `text` (the first), as bytes; the text's own bytes when none does
    /// (an argument built in a test).
    static func path(_ text: String) -> RawPath {
        let argc = Int(CommandLine.argc)
        for i in 0..<argc {
            guard let arg = CommandLine.unsafeArgv[i] else { continue }
            let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(arg).assumingMemoryBound(to: UInt8.self), count: strlen(arg)))
            if String(decoding: bytes, as: UTF8.self) == text { return RawPath(bytes: bytes) }
        }
        return RawPath(text)
    }

    /// An absolute path for an argument: relative ones are taken from the working directory.
    static func absolute(_ text: String) -> RawPath {
        let p = path(text)
        return p.isAbsolute ? p : RawPath(bytes: currentDirectoryBytes() + [UInt8(ascii: "/")] + p.bytes)
    }

    static func currentDirectoryBytes() -> [UInt8] {
        guard let p = getcwd(nil, 0) else { return [UInt8(ascii: "/")] }
        defer { free(p) }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
    }
}
