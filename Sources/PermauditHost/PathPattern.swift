import Glibc
import PermauditCore

/// Shell globs on raw name bytes (`fnmatch(3)` in the C locale: a byte is a character), expanded by
/// listing directories through a host's file-system view.
public enum PathPattern {
    static let magic: Set<UInt8> = [UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "[")]

    /// Whether a component holds glob characters.
    public static func hasMagic(_ component: [UInt8]) -> Bool { component.contains(where: magic.contains) }

    /// `fnmatch(3)` on raw bytes. The corresponding C function is `fnmatch`.
    public static func matches(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        RawPath.withCString(pattern) { p in RawPath.withCString(name) { n in fnmatch(p, n, 0) == 0 } }
    }

    /// As the shell: a name starting with `.` is matched only by a pattern starting with `.`.
    public static func matchesName(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        if name.first == UInt8(ascii: "."), pattern.first != UInt8(ascii: ".") { return false }
        return matches(pattern, name)
    }

    /// Expands a glob in the last component (`/var/log/auth.log*`) by listing its directory through the
    /// view; a path without glob characters is returned as it is, whether it exists or not.
    public static func expandLast(_ pattern: RawPath, in view: FileSystemView = .live) -> Result<[RawPath], HostError> {
        let last = pattern.lastComponent
        guard hasMagic(last) else { return .success([pattern]) }
        let dir = pattern.parent
        return view.listDirectory(dir).map { names in names.filter { matchesName(last, $0) }.map { dir.appending($0) } }
    }
}
