import PermauditCore

/// The mounts of a host, from `/proc/self/mountinfo`, as the tree the kernel walks: each mount sits on a
/// point of its parent. A lookup enters a child only from its parent, so a mount made later over an
/// ancestor (a bind without `--rbind`, a `tmpfs`, or a mount moved there) hides the mounts below it,
/// whatever order mountinfo lists them in.
public struct MountTable: Sendable, Hashable {
    public let mounts: [MountFacts]
    /// For each parent id (`nil`: the top of the tree), the indices of the mounts made on it.
    private let children: [Int?: [Int]]
    private let indexOfID: [Int: Int]
    /// Every path a mount sits on, hidden ones included.
    public let mountPoints: Set<String>
    /// The directory entries something is mounted on (see `entryKey`).
    private let mountedEntries: Set<String>

    /// A host whose mounts could not be read: no mount is known.
    public init() { self.init(tree: []) }

    /// Mounts whose parent ids are already set; a parent id not in the list is a mount outside the
    /// table, and what sits on it is unreachable (hidden), unless the id is nil (a top of the tree).
    private init(tree mounts: [MountFacts]) {
        self.mounts = mounts
        var indexOfID: [Int: Int] = [:]
        for (i, m) in mounts.enumerated() { if let id = m.id { indexOfID[id] = i } }
        var children: [Int?: [Int]] = [:]
        for (i, m) in mounts.enumerated() { children[m.parentID, default: []].append(i) }
        self.children = children
        self.indexOfID = indexOfID
        self.mountPoints = Set(mounts.map(\.mountPoint))
        var mountedEntries: Set<String> = []
        for m in mounts {
            guard let parentID = m.parentID, let p = indexOfID[parentID] else { continue }
            mountedEntries.insert(Self.entryKey(m.mountPoint, in: mounts[p], index: p))
        }
        self.mountedEntries = mountedEntries
    }

    /// Parses mountinfo text (proc(5)): `id parent major:minor root point options [optional…] - type source super`.
    public init(mountinfo text: String) {
        var list: [MountFacts] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count >= dash + 3 else { continue }
            list.append(MountFacts(
                mountPoint: MountTable.unescape(fields[4]), fsType: fields[dash + 1], source: MountTable.unescape(fields[dash + 2]),
                mountOptions: fields[5].split(separator: ",").map(String.init),
                superOptions: fields[dash + 3 < fields.count ? dash + 3 : dash + 2].split(separator: ",").map(String.init),
                id: Int(fields[0]), parentID: Int(fields[1]), device: fields[2], root: MountTable.unescape(fields[3])))
        }
        // The root mount's parent is outside this view (or itself): it is the top of the tree.
        let ids = Set(list.compactMap(\.id))
        for i in list.indices where list[i].parentID.map({ !ids.contains($0) || $0 == list[i].id }) ?? true {
            list[i].parentID = nil
        }
        self.init(tree: list)
    }

    /// mountinfo escapes space, tab, newline and backslash as `\040` and so on. The result is the path's
    /// display text (`RawPath.display`), the form the engine's paths are matched in.
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
        return RawPath(bytes: out).display
    }

    /// The mount an absolute, resolved path reaches.
    public func mount(containing path: String) -> MountFacts? {
        visibleIndex(path).map { mounts[$0] }
    }

    /// The mount with this id (`statx`'s `stx_mnt_id` names the mount an object was reached through).
    public func mount(id: Int) -> MountFacts? {
        indexOfID[id].map { mounts[$0] }
    }

    /// Walks down from the top: of the mounts made on the current one whose point holds the path, the
    /// one nearest the top of the path is crossed first (a mount on `/srv` is met before one on
    /// `/srv/a`); on the same point, the later one. Ends where no mount holds the rest of the path.
    private func visibleIndex(_ path: String) -> Int? {
        var current: Int?
        var parent: Int? = nil
        for _ in 0...mounts.count {
            let holding = (children[parent] ?? []).filter { Self.holds(mounts[$0].mountPoint, path) }
            guard let next = holding.min(by: { a, b in
                let (da, db) = (Self.depth(mounts[a].mountPoint), Self.depth(mounts[b].mountPoint))
                return da != db ? da < db : a > b
            }) else { break }
            current = next
            guard let id = mounts[next].id else { break }
            parent = id
        }
        return current
    }

    /// Whether unlink or rmdir of this path meets a mount point (EBUSY). The kernel looks the last name up
    /// in its directory without crossing mounts, and refuses when anything in the namespace is mounted
    /// on that entry, a mount hidden by a later bind over an ancestor included. A different filesystem
    /// mounted over an ancestor has entries of its own, on which nothing is mounted.
    public func isMountPoint(_ path: String) -> Bool {
        guard path != "/" else { return true }
        let parentPath = absolutePath(pathComponents(path).dropLast())
        guard let holder = visibleIndex(parentPath) else { return mountPoints.contains(path) }
        return mountedEntries.contains(Self.entryKey(path, in: mounts[holder], index: holder))
    }

    /// Which directory entry a path names inside the filesystem of a mount: the filesystem (its device,
    /// or the mount itself when the device is unknown) and the path from that filesystem's top.
    private static func entryKey(_ path: String, in m: MountFacts, index: Int) -> String {
        let inside = m.mountPoint == "/" ? path : String(path.dropFirst(m.mountPoint.count))
        let filesystem = m.device ?? "mount \(m.id ?? index)"
        return filesystem + ":" + absolutePath(pathComponents(m.root) + pathComponents(inside))
    }

    static func holds(_ point: String, _ path: String) -> Bool {
        point == "/" || path == point || path.hasPrefix(point + "/")
    }

    static func depth(_ point: String) -> Int { pathComponents(point).count }

    /// The table as seen from inside a folder: mounts under it, re-rooted; the mount holding the folder
    /// becomes `/`, showing the folder. Mounts under the folder made on a mount the folder does not
    /// reach stay hidden.
    public func rerooted(at root: String) -> MountTable {
        var list: [MountFacts] = []
        if let h = visibleIndex(root) {
            var holder = mounts[h]
            let inside = holder.mountPoint == "/" ? root : String(root.dropFirst(holder.mountPoint.count))
            holder.root = absolutePath(pathComponents(holder.root) + pathComponents(inside))
            holder.mountPoint = "/"
            holder.parentID = nil
            list.append(holder)
        }
        for m in mounts where m.mountPoint.hasPrefix(root + "/") {
            var inner = m
            inner.mountPoint = String(m.mountPoint.dropFirst(root.count))
            list.append(inner)
        }
        return MountTable(tree: list)
    }
}
