import Glibc
import PermauditCore
import PermauditHost

/// `permaudit fix --apply`: the plan carried out by the binary, with the script's checks, and every change
/// undone (in reverse) if a step fails. Whole or not at all: every step is checked first, and nothing is
/// changed when one object is not as planned (unless `partial`); each is checked again just before its change.
public struct PlanApplier {
    public struct Outcome: Sendable {
        public var lines: [String]
        public var changed: Int
        public var unchanged: Int
        public var skipped: Int
        /// Set when a step failed and what was changed was rolled back.
        public var failure: String?
    }

    enum Undo {
        case acl(RawPath, AccessControlList, ObjectIdentity?)
        case remove(RawPath)
        case content(RawPath, [UInt8])
    }

    public init() {}

    public func apply(_ plan: FixPlan, dryRun: Bool = false, partial: Bool = false) -> Outcome {
        var out = Outcome(lines: [], changed: 0, unchanged: 0, skipped: 0, failure: nil)
        guard geteuid() == 0 || dryRun else {
            out.failure = "--apply must run as root (it changes ACLs and system files); nothing was changed"
            return out
        }
        var undo: [Undo] = []
        // The check pass: what a dry run says. A refused object stops the whole plan before any change.
        var checked = out
        for step in plan.steps {
            do { try run(step, dryRun: true, into: &checked, undo: &undo) } catch {
                checked.failure = "step \(step.number) cannot be carried out: \(error); nothing was changed"
                break
            }
        }
        if dryRun || checked.failure != nil || (checked.skipped > 0 && !partial) {
            if !dryRun && checked.failure == nil {
                checked.lines.append("\(checked.skipped) step(s) refused: those objects are not as planned, so nothing was changed (the plan runs whole or not at all; --partial changes the others)")
                checked.unchanged = 0
            }
            return checked
        }
        for step in plan.steps {
            do {
                try run(step, dryRun: dryRun, into: &out, undo: &undo)
            } catch {
                out.failure = "step \(step.number) failed: \(error)"
                for u in undo.reversed() { out.lines.append(revert(u)) }
                out.changed = 0
                return out
            }
        }
        return out
    }

    struct StepError: Error, CustomStringConvertible { var description: String }

    func run(_ step: FixStep, dryRun: Bool, into out: inout Outcome, undo: inout [Undo]) throws {
        let n = step.number
        switch step.action {
        case .setACL(let c):
            guard case .found(let f) = FileSystemView.live.lookup(c.path) else { skip(n, c.path, "is gone", &out); return }
            if f.type == .symlink { skip(n, c.path, "is a symbolic link now", &out); return }
            guard f.type == c.identity.type else { skip(n, c.path, "is no longer a \(c.identity.type.rawValue)", &out); return }
            let now: AccessControlList
            do { now = try ACLWriter.currentACL(c.path, expecting: nil) } catch { throw StepError(description: error.description) }
            if now == c.after { out.lines.append("step \(n): unchanged: \(c.path.display) already has the planned ACL"); out.unchanged += 1; return }
            guard now == c.before else { skip(n, c.path, "has an ACL that changed since the plan", &out); return }
            do { _ = try ACLWriter.currentACL(c.path, expecting: c.identity) } catch .changed(_, _, let found) {
                skip(n, c.path, "is not the object planned (found \(found))", &out); return
            } catch .system(let e) { throw StepError(description: e.description) }
            if dryRun { out.lines.append("step \(n): would set the ACL of \(c.path.display)"); return }
            do {
                let previous = try ACLWriter.setACL(c.after, on: c.path, expecting: c.identity)
                undo.append(.acl(c.path, previous, c.identity))
                out.lines.append("step \(n): changed: \(c.path.display)")
                out.changed += 1
            } catch .changed(_, _, let found) {
                skip(n, c.path, "is not the object planned (found \(found))", &out)
            } catch .system(let e) {
                throw StepError(description: e.description)
            }
        case .writeFile(let w):
            if let why = Self.nonRootParent(w.path) { skip(n, w.path, why, &out); return }
            if case .found(let f) = FileSystemView.live.lookup(w.path) {
                if f.type == .symlink { skip(n, w.path, "is a symbolic link", &out); return }
                if case .success(let bytes) = readAll(w.path), bytes == w.content { out.lines.append("step \(n): unchanged: \(w.path.display)"); out.unchanged += 1; return }
                skip(n, w.path, "exists with other content", &out)
                return
            }
            if dryRun { out.lines.append("step \(n): would write \(w.path.display)"); return }
            try write(w.content, to: w.path, mode: w.mode, exclusive: true)
            undo.append(.remove(w.path))
            out.lines.append("step \(n): changed: wrote \(w.path.display)")
            out.changed += 1
        case .editFile(let e):
            if let why = Self.nonRootParent(e.path) { skip(n, e.path, why, &out); return }
            guard case .found(let f) = FileSystemView.live.lookup(e.path), f.type == .regular else { skip(n, e.path, "is not a regular file", &out); return }
            guard case .success(let bytes) = readAll(e.path) else { throw StepError(description: "cannot read \(e.path.display)") }
            if bytes == e.after { out.lines.append("step \(n): unchanged: \(e.path.display)"); out.unchanged += 1; return }
            guard bytes == e.before else { skip(n, e.path, "changed since the plan", &out); return }
            if dryRun { out.lines.append("step \(n): would edit \(e.path.display)"); return }
            try write(e.after, to: e.path, mode: f.mode.bits, exclusive: false)
            undo.append(.content(e.path, e.before))
            out.lines.append("step \(n): changed: edited \(e.path.display)")
            out.changed += 1
        case .addToGroup(let user, let group, _):
            skip(n, RawPath(user), "group membership (\(group)) is changed by the script only: run it with --emit bash", &out)
        }
    }

    /// Files are written and edited by name, so only below folders that root alone can change (owner root,
    /// no group or other write; the mode's group bits bound every ACL entry): nobody else can swap a folder
    /// on the way. Folders not there yet are skipped (they are made 0755 by root). The reason when not.
    static func nonRootParent(_ path: RawPath) -> String? {
        var dir = path.parent
        while true {
            var st = stat()
            if dir.withCString({ stat($0, &st) }) == 0, st.st_uid != 0 || st.st_mode & 0o022 != 0 {
                return "lies below \(dir.display) (owner \(st.st_uid), mode \(String(st.st_mode & 0o7777, radix: 8))), which someone other than root can change"
            }
            if dir.bytes == [UInt8(ascii: "/")] || dir.bytes.isEmpty { return nil }
            let up = dir.parent
            if up.bytes == dir.bytes { return nil }
            dir = up
        }
    }

    func skip(_ n: Int, _ path: RawPath, _ why: String, _ out: inout Outcome) {
        out.lines.append("step \(n): SKIPPED \(path.display): \(why)")
        out.skipped += 1
    }

    func revert(_ u: Undo) -> String {
        switch u {
        case .acl(let p, let acl, let id):
            do { try ACLWriter.setACL(acl, on: p, expecting: id); return "rolled back the ACL of \(p.display)" } catch { return "ROLLBACK FAILED for \(p.display): \(error)" }
        case .remove(let p):
            return p.withCString { unlink($0) } == 0 ? "rolled back: removed \(p.display)" : "ROLLBACK FAILED: could not remove \(p.display)"
        case .content(let p, let bytes):
            do { try write(bytes, to: p, mode: nil, exclusive: false); return "rolled back \(p.display)" } catch { return "ROLLBACK FAILED for \(p.display): \(error)" }
        }
    }

    func readAll(_ p: RawPath) -> Result<[UInt8], StepError> {
        let fd = p.withCString { open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        guard fd >= 0 else { return .failure(StepError(description: "open \(p.display): errno \(errno)")) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return .failure(StepError(description: "read \(p.display): errno \(errno)")) }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return .success(out)
    }

    /// Writes a file next to the target and renames it over (or into) place; `exclusive` refuses an existing target.
    func write(_ bytes: [UInt8], to p: RawPath, mode: UInt16?, exclusive: Bool) throws {
        let parent = p.parent
        _ = parent.withCString { mkdir($0, 0o755) }
        let tmp = RawPath(bytes: p.bytes + Array(".permaudit-tmp".utf8))
        let fd = tmp.withCString { open($0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode ?? 0o644)) }
        guard fd >= 0 else { throw StepError(description: "create \(tmp.display): errno \(errno)") }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 { let e = errno; close(fd); _ = tmp.withCString { unlink($0) }; throw StepError(description: "write \(tmp.display): errno \(e)") }
            written += n
        }
        if let mode { _ = fchmod(fd, mode_t(mode)) }  // the planned mode exactly, not widened by umask games
        if !exclusive, case .found(let old) = FileSystemView.live.lookup(p) {
            // A replaced config file keeps its owner and mode (as the script's `cp -p` does).
            _ = fchown(fd, old.uid, old.gid)
            _ = fchmod(fd, mode_t(old.mode.bits))
        }
        close(fd)
        if exclusive {
            let rc = tmp.withCString { t in p.withCString { link(t, $0) } }
            _ = tmp.withCString { unlink($0) }
            guard rc == 0 else { throw StepError(description: "create \(p.display): errno \(errno)") }
        } else {
            let rc = tmp.withCString { t in p.withCString { rename(t, $0) } }
            guard rc == 0 else { let e = errno; _ = tmp.withCString { unlink($0) }; throw StepError(description: "rename onto \(p.display): errno \(e)") }
        }
    }
}
