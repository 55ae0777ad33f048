import CStatx
import Glibc
import PermauditCore

/// The entries of an open directory, read with `getdents64(2)` in large batches: names as bytes, straight
/// from the kernel's buffer, without `.` and `..`, in the directory's own order.
enum DirectoryEntries {
    /// The batch size: 64 KiB holds about 2,000 short names, so most directories take one call.
    static let batch = 65536

    /// Calls `body` with each name (valid only during the call, not NUL-terminated in the slice but
    /// NUL-terminated in memory) and its `d_type`. The corresponding C function is `getdents64`.
    static func forEach(in fd: Int32, _ body: (UnsafeBufferPointer<UInt8>, UInt8) throws -> Void) rethrows -> Result<Void, Errno> {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: batch, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = permaudit_getdents64(fd, buffer, UInt(batch))
            if n < 0 {
                let e = Errno.current
                if e == .interrupted { continue }
                return .failure(e)
            }
            if n == 0 { return .success(()) }
            var offset = 0
            while offset < n {
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                let record = buffer + offset
                let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                let type = record.load(fromByteOffset: 18, as: UInt8.self)
                let name = (record + 19).assumingMemoryBound(to: UInt8.self)
                let count = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
                offset += length
                if count == 1 && name[0] == 46 { continue }
                if count == 2 && name[0] == 46 && name[1] == 46 { continue }
                try body(UnsafeBufferPointer(start: name, count: count), type)
            }
        }
    }
}
