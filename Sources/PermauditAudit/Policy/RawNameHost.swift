import PermauditCore
import PermauditHost
import Synchronization

/// A host whose paths given as display text keep their names that are not valid UTF-8: a listing gives
/// each such name in its display form (`\xNN` for each bad byte, as `RawPath.display`), and a lookup of a
/// path in that form reads the raw bytes it stands for.
///
/// The engine takes byte paths, but an agent policy's globs, findings and fix requests carry the display
/// text; this bridge turns it back into the bytes, so every file the agent opens is reached.
/// A name that itself spells `\xNN` in plain text is ambiguous here; such names are read as escapes.
public struct RawNameHost: Host {
    public let base: any Host
    /// One run's answers: a policy's globs list the same folders and every file's walk looks up the same
    /// ancestors, many times over (`**` alone walks each folder up to nine times).
    let memo = Memo()

    final class Memo: Sendable {
        let facts = Mutex<[RawPath: FactLookup]>([:])
        let listings = Mutex<[String: Result<[String], HostError>]>([:])
    }

    public init(base: any Host) { self.base = base }

    /// The bytes a display path names: `\xNN` escapes decoded, the rest as UTF-8.
    public static func rawPath(display: String) -> RawPath {
        let b = Array(display.utf8)
        guard b.contains(0x5C) else { return RawPath(bytes: b) }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == 0x5C, i + 3 < b.count, b[i + 1] == 0x78, let hi = hex(b[i + 2]), let lo = hex(b[i + 3]) {
                let byte = hi << 4 | lo
                // Only bytes that cannot start or continue valid UTF-8 here are ever escaped by display.
                out.append(byte)
                i += 4
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return RawPath(bytes: out)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    static func isEscaped(_ path: String) -> Bool { path.utf8.contains(0x5C) && rawPath(display: path).isValidUTF8 == false }

    /// The bytes a path built from display text stands for (a path already in bytes stays as it is).
    static func raw(_ path: RawPath) -> RawPath {
        guard path.isValidUTF8, path.bytes.contains(0x5C) else { return path }
        let display = path.display
        return isEscaped(display) ? rawPath(display: display) : path
    }

    public var rootDescription: String { base.rootDescription }
    public var accounts: any Accounts { base.accounts }
    public var mountTable: MountTable { base.mountTable }
    public var fileSystem: FileSystemView { base.fileSystem }
    public var protectedSysctls: ProtectedSysctls { base.protectedSysctls }
    public var securityModules: SecurityModules { base.securityModules }

    public func lookup(_ path: RawPath) -> FactLookup {
        let raw = Self.raw(path)
        if let known = memo.facts.withLock({ $0[raw] }) { return known }
        let found = base.lookup(raw)
        memo.facts.withLock { $0[raw] = found }
        return found
    }
    public func isEmptyDirectory(_ path: RawPath) -> Bool? { base.isEmptyDirectory(Self.raw(path)) }
    public func isMountPoint(_ path: RawPath) -> Bool { base.isMountPoint(path) }
    public func mount(containing path: RawPath) -> MountFacts? { base.mount(containing: path) }

    /// The names in a directory given as display text, each in display form.
    public func listDirectory(_ path: String) -> Result<[String], HostError> {
        if let known = memo.listings.withLock({ $0[path] }) { return known }
        let names = base.listDirectory(Self.rawPath(display: path)).map { names in names.map { RawPath(bytes: $0).display }.sorted() }
        memo.listings.withLock { $0[path] = names }
        return names
    }
}
