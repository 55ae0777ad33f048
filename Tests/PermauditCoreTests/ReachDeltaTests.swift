import PermauditCore
import Testing

/// The one delta, folded over a sweep by hand: what a change opens is what the changed side reaches
/// (through searchable directories) and the other side does not.
@Suite("What a change opens")
struct ReachDeltaTests {
    static let agent = Principal(uid: 5101, gid: 6101)
    static let broad: UInt32 = 4

    static func dir(_ mode: UInt16, gid: UInt32 = 0) -> FileFacts { FileFacts(type: .directory, uid: 0, gid: gid, mode: FileMode(mode)) }
    static func file(_ mode: UInt16, gid: UInt32 = 0) -> FileFacts { FileFacts(type: .regular, uid: 0, gid: gid, mode: FileMode(mode)) }

    /// `/logs` (0755): `app.log` of the group (0640), `group-dir/` of the group (0750) holding a world-readable
    /// file, `open.log` (0644) that both sides read, `secret` (0600) that neither does, a symlink.
    static let sweep: [(String, FileFacts, Int)] = [
        ("/logs", dir(0o755), 0),
        ("/logs/app.log", file(0o640, gid: broad), 1),
        ("/logs/group-dir", dir(0o750, gid: broad), 1),
        ("/logs/group-dir/inside.log", file(0o644), 2),
        ("/logs/open.log", file(0o644), 1),
        ("/logs/secret", file(0o600), 1),
        ("/logs/link", FileFacts(type: .symlink, uid: 0, gid: 0, mode: FileMode(0o777), symlinkTarget: "/etc/shadow"), 1),
    ]

    /// As the sweep folds it: each object in what both sides reach of its folder (for the root, whether
    /// each side's walk reaches it); a folder neither side enters hides what is inside.
    static func fold(_ delta: inout ReachDelta, reachesBefore: Bool = true, reachesAfter: Bool = true) {
        var notes: [String: ReachDelta.Reaches] = [:]
        for (path, facts, depth) in sweep {
            let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            guard let parent = depth == 0 ? ReachDelta.Reaches(before: reachesBefore, after: reachesAfter) : notes[folder] else { continue }
            if let entered = delta.visit(path: Array(path.utf8), facts: facts, mount: nil, in: parent), facts.type == .directory {
                notes[path] = entered
            }
        }
    }

    @Test("a group opens its files, its folder, and what that folder's search lets through; nothing else")
    func groupOpens() {
        var with = Self.agent
        with.groups = [Self.broad]
        var delta = ReachDelta(before: .init(principal: Self.agent), after: .init(principal: with))
        Self.fold(&delta)
        #expect(delta.opened.map(\.displayPath) == ["/logs/app.log", "/logs/group-dir", "/logs/group-dir/inside.log"])
        #expect(delta.opened.map(\.access) == [.read, .list, .read])
        #expect(delta.closed.isEmpty)
    }

    @Test("when only the changed side reaches the root, everything it reads below counts")
    func rootReachedOnlyAfter() {
        var delta = ReachDelta(before: .init(principal: Self.agent), after: .init(principal: Self.agent))
        Self.fold(&delta, reachesBefore: false)
        #expect(delta.opened.map(\.displayPath) == ["/logs", "/logs/open.log"])
    }

    @Test("planned facts (a fix step's ACL) replace the swept ones on their side only; a change that takes away is closed")
    func plannedFacts() {
        var granted = Self.file(0o640, gid: Self.broad)
        granted.acl = AccessControlList(entries: [
            ACLEntry(.userObj, nil, [.read, .write]), ACLEntry(.groupObj, nil, .read), ACLEntry(.group, Self.agent.gid, .read),
            ACLEntry(.mask, nil, .read), ACLEntry(.other, nil, []),
        ])
        let before = ReachDelta.Side(principal: Self.agent, changed: [Array("/logs/open.log".utf8): Self.file(0o600)])
        let after = ReachDelta.Side(principal: Self.agent, changed: [Array("/logs/app.log".utf8): granted])
        var delta = ReachDelta(before: before, after: after, accesses: [.read, .write])
        Self.fold(&delta)
        #expect(delta.opened.map { "\($0.access.rawValue) \($0.displayPath)" } == ["read /logs/app.log", "read /logs/open.log"])
        #expect(delta.closed.isEmpty)
        var reverse = ReachDelta(before: after, after: before, accesses: [.read])
        Self.fold(&reverse)
        #expect(reverse.closed.map(\.displayPath) == ["/logs/app.log", "/logs/open.log"])
    }

    @Test("the sentence audit and fix both print names the change, the figure, the roots and the definition")
    func sentence() {
        #expect(ReachDelta.sentence("group adm", opens: 1, under: ["/var/log", "/etc"], for: "agent")
            == "group adm opens 1 object under /var/log and /etc that agent could not read before (\(ReachDelta.definition))")
    }
}
