import PermauditCore

/// An in-memory tree of facts: the pure engine's input, written as a table.
struct ModelTree: FactSource {
    var objects: [String: FileFacts] = [:]
    var mounts: [MountFacts] = [MountFacts(mountPoint: "/", fsType: "ext4")]
    var protectedSysctls = ProtectedSysctls(symlinks: 1, hardlinks: 1, regular: 2, fifos: 1)
    var securityModules = SecurityModules()
    var unreadable: Set<String> = []
    /// Directories the auditing process cannot list (so it cannot tell whether they are empty).
    var unlistable: Set<String> = []

    /// `/`, `/var`, `/var/log` as on Debian (root, 0755; /var/log root:syslog 0775).
    static var debian: ModelTree {
        var t = ModelTree()
        t.dir("/", mode: 0o755)
        t.dir("/var", mode: 0o755)
        t.dir("/var/log", mode: 0o775, gid: 104)
        return t
    }

    mutating func dir(_ path: String, mode: UInt16, uid: UInt32 = 0, gid: UInt32 = 0, acl: [ACLEntry]? = nil, immutable: Bool = false, appendOnly: Bool = false) {
        objects[path] = FileFacts(type: .directory, uid: uid, gid: gid, mode: FileMode(mode), acl: acl.map { AccessControlList(entries: $0) }, isImmutable: immutable, isAppendOnly: appendOnly)
    }

    mutating func file(_ path: String, mode: UInt16, uid: UInt32 = 0, gid: UInt32 = 0, acl: [ACLEntry]? = nil, immutable: Bool = false, appendOnly: Bool = false, type: FileType = .regular) {
        objects[path] = FileFacts(type: type, uid: uid, gid: gid, mode: FileMode(mode), acl: acl.map { AccessControlList(entries: $0) }, isImmutable: immutable, isAppendOnly: appendOnly)
    }

    mutating func link(_ path: String, to target: String, uid: UInt32 = 0) {
        objects[path] = FileFacts(type: .symlink, uid: uid, gid: 0, mode: FileMode(0o777), symlinkTarget: RawPath(target))
    }

    func lookup(_ raw: RawPath) -> FactLookup {
        let path = raw.display
        if unreadable.contains(path) { return .unreadable(errno: .permissionDenied, reason: "stat \(path): Permission denied (EACCES)") }
        return objects[path].map(FactLookup.found) ?? .missing
    }

    func isEmptyDirectory(_ raw: RawPath) -> Bool? {
        let path = raw.display
        if unlistable.contains(path) { return nil }
        let prefix = path == "/" ? "/" : path + "/"
        return !objects.keys.contains { $0 != path && $0.hasPrefix(prefix) }
    }

    func mount(containing raw: RawPath) -> MountFacts? {
        let path = raw.display
        return mounts.filter { $0.mountPoint == "/" || path == $0.mountPoint || path.hasPrefix($0.mountPoint + "/") }
            .max { $0.mountPoint.count < $1.mountPoint.count }
    }
}

/// ACL shorthand for the tables.
func acl(_ text: String) -> [ACLEntry] {
    text.split(separator: ",").map { part in
        let f = part.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let perms = Permissions(text: f[2]) ?? .none
        switch (f[0], f[1].isEmpty) {
        case ("u", true): return ACLEntry(.userObj, nil, perms)
        case ("u", false): return ACLEntry(.user, UInt32(f[1]), perms)
        case ("g", true): return ACLEntry(.groupObj, nil, perms)
        case ("g", false): return ACLEntry(.group, UInt32(f[1]), perms)
        case ("m", _): return ACLEntry(.mask, nil, perms)
        default: return ACLEntry(.other, nil, perms)
        }
    }
}
