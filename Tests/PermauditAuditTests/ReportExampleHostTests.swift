import Foundation
import PermauditCore
import PermauditHost
import Testing

/// The example host's manifest is well formed, and once staged a `RootedHost` sees what it says.
@Suite struct ReportExampleHostTests {
    @Test func manifestListsEveryFileAfterItsParent() throws {
        let entries = try ExampleHost.manifest()
        var seen: Set<String> = []
        for e in entries {
            if e.path != "/" {
                let parent = (e.path as NSString).deletingLastPathComponent
                #expect(seen.contains(parent), "manifest.txt:\(e.line): \(e.path) comes before its parent \(parent)")
            }
            #expect(seen.insert(e.path).inserted, "manifest.txt:\(e.line): \(e.path) listed twice")
        }
        let files = Set(entries.filter { $0.kind == .file }.map(\.path))
        let enumerator = FileManager.default.enumerator(at: ExampleHost.filesURL, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = String(url.path.dropFirst(ExampleHost.filesURL.path.count))
            #expect(files.contains(path), "files\(path) is not in manifest.txt")
        }
        let users = try ExampleHost.ids("etc/passwd"), groups = try ExampleHost.ids("etc/group")
        #expect(users["elastic-agent-user"] == 5101 && groups["elastic-agent"] == 6101 && groups["adm"] == 4)
        for e in entries {
            #expect(users[e.owner] != nil && groups[e.group] != nil, "manifest.txt:\(e.line): unknown owner or group")
            for acl in [e.acl, e.defaultACL].compactMap({ $0 }) {
                #expect(throws: Never.self) { try ExampleHost.numericACL(acl, users: users, groups: groups) }
            }
        }
    }

    @Test(.enabled(if: ExampleHost.cannotStageReason == nil, "\(ExampleHost.cannotStageReason ?? "")"))
    func stagedHostReadsAsTheManifestSays() throws {
        let root = try ReportTestSupport.temporaryDirectory("example-host")
        defer { try? FileManager.default.removeItem(at: root) }
        try stageExampleHost(at: root)
        let host = try RootedHost(root: root.path)

        guard case .found(let auth) = host.lookup("/var/log/auth.log") else {
            Issue.record("auth.log not found")
            return
        }
        #expect(auth.type == .regular && auth.uid == 0 && auth.gid == 4 && auth.mode.bits == 0o640 && auth.acl == nil)
        guard case .found(let rotated) = host.lookup("/var/log/auth.log.1") else {
            Issue.record("auth.log.1 not found")
            return
        }
        #expect(rotated.acl?.entry(.group, 6101)?.permissions == .read)
        guard case .found(let journal) = host.fileSystem.lookup("/var/log/journal", detail: .defaultACL) else {
            Issue.record("journal not found")
            return
        }
        #expect(journal.type == .directory && journal.gid == 101 && journal.mode.isSetGID)
        #expect(journal.acl?.entry(.group, 4) != nil && journal.defaultACL?.entry(.group, 4) != nil)
        guard case .found(let sock) = host.lookup("/opt/Elastic/Agent/elastic-agent.sock") else {
            Issue.record("socket not found")
            return
        }
        #expect(sock.type == .socket && sock.uid == 5101 && sock.gid == 6101 && sock.mode.bits == 0o660)
        guard case .found(let link) = host.lookup("/var/run") else {
            Issue.record("/var/run not found")
            return
        }
        #expect(link.type == .symlink && link.symlinkTarget == "/run")

        let osRelease = try host.readTextFile("/etc/os-release").get()
        #expect(osRelease.contains("ID=debian"))
        #expect(host.accounts.user(named: "elastic-agent-user")?.uid == 5101)
        #expect(host.accounts.group(named: "elastic-agent")?.gid == 6101)
        #expect(host.accounts.group(named: "adm")?.members.contains("elastic-agent-user") == false)
    }
}
