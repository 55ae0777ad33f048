import Glibc
import CStatx
import PermauditCore

/// Reads the facts of one object on disk: `statx`, `readlink`, libacl, libcap.
/// `prefix` is prepended to every path (the folder of a rooted host; empty on the live host).
struct FactReader: Sendable {
    let prefix: String

    func real(_ path: String) -> String { prefix.isEmpty ? path : (path == "/" ? prefix : prefix + path) }

    func lookup(_ path: String) -> FactLookup {
        let p = real(path)
        let st: statx
        switch Syscalls.lstatx(p) {
        case .success(let s): st = s
        case .failure(let e):
            if e.errno == ENOENT || e.errno == ENOTDIR { return .missing }
            return .unreadable(errno: e.errnoName, reason: e.description)
        }
        guard var facts = FileFacts(statx: st) else {
            return .unreadable(errno: "EINVAL", reason: "\(path): unknown file type \(st.stx_mode)")
        }
        if facts.type == .symlink {
            switch Syscalls.readlink(p) {
            case .success(let t): facts.symlinkTarget = t
            case .failure(let e):
                if e.errno == ENOENT { return .missing }
                return .unreadable(errno: e.errnoName, reason: e.description)
            }
            return .found(facts)
        }
        do {
            try facts.addAccessControl(readingThrough: p)
        } catch {
            if error.errno == ENOENT { return .missing }
            return .unreadable(errno: error.errnoName, reason: error.description)
        }
        return .found(facts)
    }
}
