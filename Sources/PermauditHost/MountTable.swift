import PermauditCore

/// The mounts of a host, from `/proc/self/mountinfo`, in the order they were made: of the mounts whose
/// point holds a path, the last one made is the one the path reaches (the one on top, or one made over
/// an ancestor later, which hides the older mounts below it: a bind without `--rbind` does not carry them).
public struct MountTable: Sendable, Hashable {
    public var mounts: [MountFacts]

    public init(mounts: [MountFacts]) { self.mounts = mounts }

    /// Parses mountinfo text (proc(5)): `id parent major:minor root point options [optional…] - type source super`.
    public init(mountinfo text: String) {
        var list: [MountFacts] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count >= dash + 3 else { continue }
            list.append(MountFacts(
                mountPoint: MountTable.unescape(fields[4]), fsType: fields[dash + 1], source: MountTable.unescape(fields[dash + 2]),
                mountOptions: fields[5].split(separator: ",").map(String.init),
                superOptions: fields[dash + 3 < fields.count ? dash + 3 : dash + 2].split(separator: ",").map(String.init)))
        }
        mounts = list
    }

    /// mountinfo escapes space, tab, newline and backslash as `\040` and so on.
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 3 < b.count,
               let v = UInt8(String(decoding: b[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(v)
                i += 4
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public func mount(containing path: String) -> MountFacts? {
        mounts.last { m in m.mountPoint == "/" || path == m.mountPoint || path.hasPrefix(m.mountPoint + "/") }
    }

    /// Whether any mount sits on this path, a hidden one included: the kernel refuses to unlink or rmdir
    /// a mount point (EBUSY) even when a later bind over an ancestor hides the mount from lookups.
    public func isMountPoint(_ path: String) -> Bool {
        mounts.contains { $0.mountPoint == path }
    }

    /// The table as seen from inside a folder: mounts under it, re-rooted; the mount holding the folder becomes `/`.
    public func rerooted(at root: String) -> MountTable {
        var list: [MountFacts] = []
        if var holder = mount(containing: root) {
            holder.mountPoint = "/"
            list.append(holder)
        }
        for m in mounts where m.mountPoint.hasPrefix(root + "/") {
            var inner = m
            inner.mountPoint = String(m.mountPoint.dropFirst(root.count))
            list.append(inner)
        }
        return MountTable(mounts: list)
    }
}
