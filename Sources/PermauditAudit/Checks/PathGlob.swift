import PermauditCore
import PermauditHost

/// Expands an absolute glob (`/var/log/auth.log*`, `/run/user/*/gvfs`) on a host, one component at a
/// time, without following the principal's rights (permaudit looks as itself). Names are matched and
/// kept as bytes, so a name that is not UTF-8 is judged as itself, never as a look-alike.
struct PathGlob {
    let host: any Host

    struct Expansion {
        var matches: [RawPath] = []
        /// Directories permaudit could not list on the way: the answer below them is unknown.
        var unreadable: [(path: String, reason: String)] = []
    }

    func expand(_ pattern: String) -> Expansion {
        var result = Expansion()
        var current = [RawPath.root]
        let parts = RawPath(pattern).components
        for (i, part) in parts.enumerated() {
            var next: [RawPath] = []
            for dir in current {
                if !PathPattern.hasMagic(part) {
                    next.append(dir.appending(part))
                    continue
                }
                switch host.listDirectory(dir) {
                case .success(let names):
                    for name in names where PathPattern.matchesName(part, name) { next.append(dir.appending(name)) }
                case .failure(let e):
                    if e.errno != .noSuchFileOrDirectory && e.errno != .notDirectory { result.unreadable.append((dir.display, e.description)) }
                }
            }
            // Plain components must exist to go on (the last one is checked by the caller's decision). One
            // permaudit cannot look at is not a missing one: the answer below it is unknown, with the reason.
            if i < parts.count - 1 {
                next = next.filter { path in
                    switch host.lookup(path) {
                    case .found: return true
                    case .unreadable(let errno, let reason):
                        if isFollowable(path) { return true }
                        result.unreadable.append((path.parent.display, "\(reason) (\(errno))"))
                        return false
                    default: return isFollowable(path)
                    }
                }
            }
            current = next
        }
        result.matches = current.filter { path in
            switch host.lookup(path) {
            case .missing: return false
            default: return true
            }
        }.sorted()
        return result
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// A path the host cannot stat but the mount table knows (another user's FUSE mount) still counts.
    func isFollowable(_ path: RawPath) -> Bool { host.mountTable.mountPoints.contains(path.display) }
}
