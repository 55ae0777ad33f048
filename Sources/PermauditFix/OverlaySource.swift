import PermauditCore
import PermauditHost

/// A host seen through planned changes: the facts of changed objects replaced, everything else as the
/// host says. Paths whose bytes are not valid UTF-8 are looked up by their raw bytes (their `display`
/// text stands for them in the engine), so the engine can judge files `String` cannot name.
struct OverlaySource: FactSource {
    let base: any FactSource
    /// Display text → raw path, for every object a plan names.
    var raw: [String: RawPath]
    /// Display text → the facts after the planned changes.
    var changed: [String: FileFacts] = [:]

    init(base: any FactSource, raw: [String: RawPath] = [:]) {
        self.base = base
        self.raw = raw
    }

    func lookup(_ path: String) -> FactLookup {
        if let f = changed[path] { return .found(f) }
        if let r = raw[path], !r.isValidUTF8 { return RawFileSystem.lookup(r) }
        return base.lookup(path)
    }

    func mount(containing path: String) -> MountFacts? { base.mount(containing: path) }
    var protectedSysctls: ProtectedSysctls { base.protectedSysctls }
    var securityModules: SecurityModules { base.securityModules }
    func userName(_ uid: UInt32) -> String? { base.userName(uid) }
    func groupName(_ gid: UInt32) -> String? { base.groupName(gid) }
    func isEmptyDirectory(_ path: String) -> Bool? { base.isEmptyDirectory(path) }
    func isMountPoint(_ path: String) -> Bool { base.isMountPoint(path) }

    /// The facts the engine sees now (after the changes so far).
    func facts(_ path: String) -> FileFacts? {
        if case .found(let f) = lookup(path) { return f }
        return nil
    }

    /// The changed facts by host path, as the sweep names objects.
    var changedByPath: [[UInt8]: FileFacts] {
        var out: [[UInt8]: FileFacts] = [:]
        for (k, f) in changed { out[raw[k]?.bytes ?? Array(k.utf8)] = f }
        return out
    }

    /// This overlay plus one more changed object.
    func with(_ path: String, _ facts: FileFacts) -> OverlaySource {
        var copy = self
        copy.changed[path] = facts
        return copy
    }
}
