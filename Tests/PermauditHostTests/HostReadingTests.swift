import Foundation
import Glibc
import PermauditCore
@testable import PermauditHost
import Testing

/// The host layer reads what the system's own tools say, and a rooted host never leaves its folder.
@Suite("Host reading", .serialized)
struct HostReadingTests {
    static let isRoot = getuid() == 0

    func scratch() throws -> String {
        let dir = "/tmp/permaudit-host-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("the live host reads owner, mode, access and default ACLs as getfacl shows them")
    func readsACLs() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/f"
        FileManager.default.createFile(atPath: file, contents: Data())
        chmod(file, 0o640)
        #expect(try Shell.run("/usr/bin/setfacl", ["-m", "u:12345:r,g:23456:rw", file]).status == 0)
        #expect(try Shell.run("/usr/bin/setfacl", ["-d", "-m", "g:23456:r", dir]).status == 0)
        guard case .found(let f) = LiveHost().lookup(file) else { Issue.record("no facts"); return }
        #expect(f.type == .regular)
        #expect(f.uid == getuid())
        #expect(f.acl?.entry(.user, 12345)?.permissions == .read)
        #expect(f.acl?.entry(.group, 23456)?.permissions == [.read, .write])
        #expect(f.acl?.mask == [.read, .write])
        #expect(f.mode.group == [.read, .write], "with an ACL the group bits are the mask")
        guard case .found(let d) = LiveHost().fileSystem.lookup(dir, detail: .defaultACL) else { Issue.record("no facts"); return }
        #expect(d.defaultACL?.entry(.group, 23456)?.permissions == .read)
        let getfacl = try Shell.run("/usr/bin/getfacl", ["-cnp", file]).stdout.split(separator: "\n").map(String.init)
        #expect(getfacl == f.acl?.entries.map(\.description).map { $0.replacingOccurrences(of: "user::", with: "user::").replacingOccurrences(of: "mask::", with: "mask::") })
    }

    @Test("immutable and append-only attributes are read (chattr)", .enabled(if: isRoot, "chattr +i needs CAP_LINUX_IMMUTABLE"))
    func readsAttributes() throws {
        let dir = try scratch()
        defer {
            _ = try? Shell.run("/usr/bin/chattr", ["-i", "-a", dir + "/i", dir + "/a"])
            try? FileManager.default.removeItem(atPath: dir)
        }
        FileManager.default.createFile(atPath: dir + "/i", contents: Data())
        FileManager.default.createFile(atPath: dir + "/a", contents: Data())
        #expect(try Shell.run("/usr/bin/chattr", ["+i", dir + "/i"]).status == 0)
        #expect(try Shell.run("/usr/bin/chattr", ["+a", dir + "/a"]).status == 0)
        guard case .found(let i) = LiveHost().lookup(dir + "/i"), case .found(let a) = LiveHost().lookup(dir + "/a") else { Issue.record("no facts"); return }
        #expect(i.isImmutable && !i.isAppendOnly)
        #expect(a.isAppendOnly && !a.isImmutable)
    }

    @Test("file capabilities are read from security.capability when asked", .enabled(if: isRoot && FileManager.default.isExecutableFile(atPath: "/usr/sbin/setcap"), "needs root and setcap (libcap2-bin)"))
    func readsFileCapabilities() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/tool", contents: Data())
        #expect(try Shell.run("/usr/sbin/setcap", ["cap_dac_read_search,cap_net_raw+ep", dir + "/tool"]).status == 0)
        guard case .found(let f) = LiveHost().fileSystem.lookup(dir + "/tool", detail: .fileCapabilities) else { Issue.record("no facts"); return }
        #expect(f.fileCapabilities == CapabilitySet([.dacReadSearch, .netRaw]))
    }

    @Test("a rooted host resolves absolute and climbing symlinks inside its folder, and reads its own accounts")
    func rootedHostStaysInside() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/var/log", withIntermediateDirectories: true)
        try "root:x:0:0::/root:/bin/sh\nelastic-agent-user:x:990:990::/:/usr/sbin/nologin\n".write(toFile: root + "/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\nadm:x:4:elastic-agent-user\nelastic-agent:x:990:\n".write(toFile: root + "/etc/group", atomically: true, encoding: .utf8)
        try "inside".write(toFile: root + "/etc/shadow", atomically: true, encoding: .utf8)
        symlink("/etc/shadow", root + "/var/log/absolute")
        symlink("../../../../../../../../etc/shadow", root + "/var/log/climbing")
        symlink("/", root + "/var/log/top")
        let host = try RootedHost(root: root)
        let evaluator = AccessEvaluator(source: host)
        let principal = Principal(uid: 0, gid: 0, capabilities: .full)
        for path in ["/var/log/absolute", "/var/log/climbing", "/var/log/top/etc/shadow", "/../../etc/shadow"] {
            let d = evaluator.decide(path, .read, for: principal)
            #expect(d.resolvedPath == "/etc/shadow", "\(path)")
        }
        #expect(try host.readTextFile("/var/log/climbing").get() == "inside")
        #expect(try host.readTextFile("/var/log/top/etc/shadow").get() == "inside")
        #expect(host.accounts.user(named: "elastic-agent-user")?.uid == 990)
        #expect(host.accounts.groups(ofUser: "elastic-agent-user", primary: 990) == [990, 4])
        #expect(host.accounts.user(named: "nobody") == nil, "the live host's users are not the image's")
    }

    @Test("mountinfo: escapes, FUSE owner, options", arguments: [
        ("36 35 0:45 / /run/user/1000/gvfs rw,nosuid,nodev,relatime shared:1 - fuse.gvfsd-fuse gvfsd-fuse rw,user_id=1000,group_id=1000", "/run/user/1000/gvfs", true),
        ("37 35 0:46 / /mnt/with\\040space ro,noexec - ext4 /dev/sdb1 ro", "/mnt/with space", false),
        ("38 35 0:47 / /mnt/shared rw - fuse.sshfs host: rw,user_id=1000,group_id=1000,allow_other", "/mnt/shared", false),
    ])
    func parsesMountinfo(line: String, point: String, refusesOthers: Bool) {
        let table = MountTable(mountinfo: line)
        #expect(table.mounts.first?.mountPoint == point)
        #expect((table.mounts.first?.fuseOwnerOnly != nil) == refusesOthers)
        #expect(table.mount(containing: point + "/x")?.mountPoint == point)
    }

    @Test("mountinfo: a bind made later over an ancestor hides the mounts below it (found by the kernel agreement test)")
    func laterBindHidesOlderSubmounts() {
        let table = MountTable(mountinfo: """
            1 0 254:0 / / rw - ext4 /dev/vda rw
            40 1 254:0 /srv/a/b /srv/a/b ro,relatime - ext4 /dev/vda rw
            41 1 254:0 /srv/a /srv/a rw,noexec,relatime - ext4 /dev/vda rw
            42 41 254:0 /srv/a/c /srv/a/c ro,relatime - ext4 /dev/vda rw
            """)
        #expect(table.mount(containing: "/srv/a/b/f")?.mountOptions.contains("noexec") == true)
        #expect(table.mount(containing: "/srv/a/c/f")?.isReadOnly == true)
        #expect(table.mount(containing: "/srv/x")?.mountPoint == "/")
        // Hidden from lookups, /srv/a/b is still a mount point: the kernel refuses to remove it (EBUSY).
        #expect(table.isMountPoint("/srv/a/b") && table.isMountPoint("/srv/a") && !table.isMountPoint("/srv/a/b/f") && table.isMountPoint("/"))
    }

    @Test("mountinfo: a tmpfs moved over an ancestor hides a bind listed after it; nothing is mounted on its own entries")
    func movedMountHidesLaterListedBind() {
        // 40 is a tmpfs made first on /stage, then moved over /srv/a after the bind 41 was made on /srv/a/b.
        let table = MountTable(mountinfo: """
            1 0 254:0 / / rw - ext4 /dev/vda rw
            40 1 0:50 / /srv/a rw - tmpfs none rw
            41 1 254:0 /srv/a/b /srv/a/b ro,relatime - ext4 /dev/vda rw
            """)
        #expect(table.mount(containing: "/srv/a/b/f")?.fsType == "tmpfs", "the line order would say the ro bind")
        #expect(table.mount(containing: "/srv/other")?.mountPoint == "/")
        // rmdir /srv/a/b reaches the tmpfs's own b, on which nothing is mounted (the kernel removes it).
        #expect(!table.isMountPoint("/srv/a/b"))
        #expect(table.isMountPoint("/srv/a"))
    }

    @Test("mountinfo: a bind of a subfolder shows its entries at its point; mounts below are matched by filesystem and folder")
    func bindOfSubfolderEntries() {
        let table = MountTable(mountinfo: """
            1 0 254:0 / / rw - ext4 /dev/vda rw
            40 1 254:0 /data/x /data/x rw - ext4 /dev/vda rw
            41 1 254:0 /data /mnt/view rw - ext4 /dev/vda rw
            """)
        // /mnt/view/x is the same entry as /data/x, which has a mount on it: EBUSY there too.
        #expect(table.isMountPoint("/mnt/view/x") && table.isMountPoint("/data/x") && !table.isMountPoint("/mnt/view/y"))
        // But the bind did not carry the mount: a lookup through /mnt/view does not cross it.
        #expect(table.mount(containing: "/mnt/view/x/f")?.mountPoint == "/mnt/view")
    }

    @Test("a mount table seen from inside an image folder keeps the tree: the folder's mount becomes / showing the folder")
    func rerootedTableKeepsTheTree() {
        let table = MountTable(mountinfo: """
            1 0 254:0 / / rw - ext4 /dev/vda rw
            40 1 254:0 /img/var/log /img/var/log ro - ext4 /dev/vda rw
            41 1 0:50 / /img/run rw - tmpfs none rw
            """).rerooted(at: "/img")
        #expect(table.mount(containing: "/var/log/syslog")?.isReadOnly == true)
        #expect(table.mount(containing: "/run/x")?.fsType == "tmpfs")
        #expect(table.mount(containing: "/etc/passwd")?.mountPoint == "/")
        #expect(table.isMountPoint("/var/log") && table.isMountPoint("/run") && !table.isMountPoint("/var"))
    }

    @Test("a systemd unit's credentials: drop-ins apply in order, an empty assignment resets")
    func systemdUnit() throws {
        let creds = try SystemdUnitCredentials.parse(unit: "elastic-agent.service", files: [
            ("/lib/systemd/system/elastic-agent.service", "[Unit]\nDescription=x\n[Service]\nUser=elastic-agent-user\nGroup=elastic-agent\nSupplementaryGroups=adm\nAmbientCapabilities=CAP_NET_RAW\n"),
            ("/etc/systemd/system/elastic-agent.service.d/10-groups.conf", "[Service]\nSupplementaryGroups=\nSupplementaryGroups=systemd-journal\nAmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH\n"),
        ])
        #expect(creds.user == "elastic-agent-user")
        #expect(creds.group == "elastic-agent")
        #expect(creds.supplementaryGroups == ["systemd-journal"])
        #expect(creds.ambientCapabilities == CapabilitySet([.netRaw, .sysPtrace, .dacReadSearch]))
    }

    @Test("a process's credentials come from /proc/PID/status: filesystem ids, groups, effective capabilities")
    func processStatus() throws {
        let status = ProcessStatus(pid: 42, status: "Name:\tagent\nUid:\t1000\t1000\t1000\t998\nGid:\t1000\t1000\t1000\t997\nGroups:\t4 100 \nCapEff:\t0000000000080004\n")
        #expect(status?.uid == 998 && status?.gid == 997)
        #expect(status?.groups == [4, 100])
        #expect(status?.effectiveCapabilities == CapabilitySet([.dacReadSearch, .sysPtrace]))
        let me = try ProcessStatus.read(pid: getpid())
        #expect(me.uid == getuid())
    }

    @Test("an unknown user is an error that says what to do")
    func unknownUser() {
        #expect {
            _ = try PrincipalResolver.resolve(PrincipalRequest(user: "no-such-user-permaudit"), on: LiveHost())
        } throws: { error in
            "\(error)".contains("--planned") && "\(error)".contains("no such user")
        }
    }

    @Test("a planned principal holds no ACL entries and no other groups")
    func plannedPrincipal() throws {
        let p = try PrincipalResolver.resolve(PrincipalRequest(user: "no-such-agent-user", plannedUser: "no-such-agent-user", plannedGroup: "no-such-agent-group"), on: LiveHost())
        #expect(p.isPlanned)
        #expect(p.allGroups == [p.gid])
        #expect(p.capabilities.isEmpty)
        #expect(p.groupNames[p.gid] == "no-such-agent-group")
    }
}
