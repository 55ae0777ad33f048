import PermauditCore
import Synchronization

/// A fact source that remembers each path's lookup for one check: a check that judges thousands of
/// objects under the same folders (root's PATH) reads `/`, `/usr` and `/usr/bin` once, not per object.
/// Only for the length of one check: a live host changes.
struct MemoizedFacts: FactSource {
    let base: any FactSource
    private let memo = Memo()

    init(_ base: any FactSource) { self.base = base }

    final class Memo: Sendable {
        let lookups = Mutex<[String: FactLookup]>([:])
        let mounts = Mutex<[String: MountFacts?]>([:])
    }

    func lookup(_ path: String) -> FactLookup {
        if let known = memo.lookups.withLock({ $0[path] }) { return known }
        let found = base.lookup(path)
        memo.lookups.withLock { $0[path] = found }
        return found
    }

    func mount(containing path: String) -> MountFacts? {
        if let known = memo.mounts.withLock({ $0[path] }) { return known }
        let found = base.mount(containing: path)
        memo.mounts.withLock { $0[path] = found }
        return found
    }
    var protectedSysctls: ProtectedSysctls { base.protectedSysctls }
    var securityModules: SecurityModules { base.securityModules }
    func userName(_ uid: UInt32) -> String? { base.userName(uid) }
    func groupName(_ gid: UInt32) -> String? { base.groupName(gid) }
    func isEmptyDirectory(_ path: String) -> Bool? { base.isEmptyDirectory(path) }
    func isMountPoint(_ path: String) -> Bool { base.isMountPoint(path) }
}
