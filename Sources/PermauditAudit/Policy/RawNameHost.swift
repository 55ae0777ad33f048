import PermauditCore
import PermauditHost
import Synchronization

/// The live host, with names that are not valid UTF-8 kept: listings give each such name in its display
/// form (`\xNN` for each bad byte, as `RawPath.display`), and lookups of such a path read the raw bytes.
///
/// The engine judges `String` paths, where Swift would replace a bad byte with U+FFFD and lose the file;
/// this bridge lets an agent policy's globs reach every file the agent opens until the engine speaks bytes.
/// A name that itself spells `\xNN` in plain text is ambiguous here; such names are read as escapes.
public struct RawNameHost: Host {
    public let base: any Host
    /// One run's answers: a policy's globs list the same folders and every file's walk looks up the same
    /// ancestors, many times over (`**` alone walks each folder up to nine times).
    let memo = Memo()

    final class Memo: Sendable {
        let facts = Mutex<[String: FactLookup]>([:])
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

    var isLive: Bool { base.rootDescription == "/" }
    static func isEscaped(_ path: String) -> Bool { path.utf8.contains(0x5C) && rawPath(display: path).isValidUTF8 == false }

    public var rootDescription: String { base.rootDescription }
    public var accounts: any Accounts { base.accounts }
    public var mountTable: MountTable { base.mountTable }
    public var protectedSysctls: ProtectedSysctls { base.protectedSysctls }
    public var securityModules: SecurityModules { base.securityModules }

    public func lookup(_ path: String) -> FactLookup {
        if let known = memo.facts.withLock({ $0[path] }) { return known }
        let found = isLive && Self.isEscaped(path) ? RawFileSystem.lookup(Self.rawPath(display: path)) : base.lookup(path)
        memo.facts.withLock { $0[path] = found }
        return found
    }

    public func listDirectory(_ path: String) -> Result<[String], HostError> {
        if let known = memo.listings.withLock({ $0[path] }) { return known }
        let names = isLive
            ? RawFileSystem.listDirectory(Self.rawPath(display: path)).map { names in names.map { RawPath(bytes: $0).display }.sorted() }
            : base.listDirectory(path)
        memo.listings.withLock { $0[path] = names }
        return names
    }

    public func readTextFile(_ path: String) -> Result<String, HostError> { base.readTextFile(path) }
    public func realPath(_ path: String) -> String { base.realPath(path) }
    public func mount(containing path: String) -> MountFacts? { base.mount(containing: path) }
    public func isMountPoint(_ path: String) -> Bool { base.isMountPoint(path) }
    public func isEmptyDirectory(_ path: String) -> Bool? { base.isEmptyDirectory(path) }
}
