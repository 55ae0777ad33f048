import Foundation
import Glibc
import Testing

/// `permaudit reach` against the kernel deciding for itself: on a staged tree of random owners, modes and
/// ACLs, `reach --access read` lists exactly the set `setpriv ... find TREE -readable` lists as that
/// principal (a uid and gid of the test's own, with no account).
///
/// Directory modes here never give search without read to the principal's class (`--x`): find, running as
/// the principal, cannot list such a directory, while reach (run as root) can and lists the readable
/// entries below it, which the principal opens by name. That difference is the point of reach, not a
/// disagreement, so the staged tree leaves it out.
@Suite("reach matches the kernel's find -readable", .serialized)
struct ReachMatchesKernelFindTests {
    static let isRoot = getuid() == 0
    static let hasTools = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/find")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/setfacl")

    @Test("reach lists exactly what find -readable lists as the principal", .enabled(if: isRoot && hasTools, "needs root, setpriv, find and setfacl"))
    func sameSetAsKernelFind() throws {
        // A uid/gid pair with no account and no group: the test's own principal.
        var uid = UInt32.random(in: 61000...61900)
        while getpwuid(uid) != nil || getgrgid(uid) != nil || getpwuid(uid + 1) != nil { uid = UInt32.random(in: 61000...61900) }
        let gid = uid
        let tree = "/tmp/permaudit-speed-find-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: tree) }
        chmod(tree, 0o755)
        // Read and search together, neither, or read alone for each class: never search alone.
        let staged = KernelFindTree(
            owners: [0, uid, uid + 1], groups: [0, uid, uid + 1],
            fileModes: [0o600, 0o640, 0o644, 0o604, 0o660, 0o400, 0o444, 0o000, 0o040],
            dirModes: [0o755, 0o750, 0o700, 0o705, 0o770, 0o744, 0o754, 0o000, 0o075],
            filesPerFolder: 12, fileACLs: ["u:\(uid):r", "g:\(gid):r"], fileACLOdds: 5, folderACL: "u:\(uid):rx", folderACLOdds: 6)
        var acls: [String] = []
        try staged.stage(tree, depth: 0, acls: &acls)
        // Whatever the draw: a folder anyone reads, with files anyone reads.
        let openFolder = tree + "/open"
        try FileManager.default.createDirectory(atPath: openFolder, withIntermediateDirectories: false)
        for i in 0..<3 { FileManager.default.createFile(atPath: "\(openFolder)/f\(i)", contents: Data("x\n".utf8)); chmod("\(openFolder)/f\(i)", 0o644) }
        chmod(openFolder, 0o755)
        let script = acls.joined(separator: "\n")
        let set = try PermauditRun.runProcess("/bin/sh", ["-e", "-c", script])
        try #require(set.status == 0, "setfacl: \(set.stderr)")

        let kernel = try PermauditRun.runProcess("/usr/bin/setpriv", ["--reuid", "\(uid)", "--regid", "\(gid)", "--groups", "\(gid)", "/usr/bin/find", tree, "-readable", "-print0"])
        let reach = try PermauditRun.run(["reach", "--user", "\(uid)", "--groups", "\(gid)", "--access", "read", "--null", tree])
        #expect(reach.status == 0, "\(reach.stderr)")
        let byKernel = Set(kernel.rawStdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        let byReach = Set(reach.rawStdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        #expect(byKernel.isSuperset(of: [tree, openFolder, openFolder + "/f0", openFolder + "/f1", openFolder + "/f2"]), "the principal reads the open folder: \(kernel.stderr)")
        #expect(byReach.subtracting(byKernel).sorted() == [], "reach lists, the kernel does not")
        #expect(byKernel.subtracting(byReach).sorted() == [], "the kernel lists, reach does not")
    }

    @Test("reach --changed-by 'group G' lists exactly what the kernel's find -readable adds when the principal joins G", .enabled(if: isRoot && hasTools, "needs root, setpriv, find, setfacl and groupadd"))
    func changedByMatchesKernelFind() throws {
        var uid = UInt32.random(in: 61000...61900)
        while getpwuid(uid) != nil || getgrgid(uid) != nil { uid = UInt32.random(in: 61000...61900) }
        // The group the change adds: the test's own, removed at the end (a name somebody has stays theirs).
        let group = "pa-reachk-\(getpid() % 10000)-\(Int.random(in: 1000...9999))"
        guard getgrnam(group) == nil else { return }
        let made = try PermauditRun.runProcess("/usr/sbin/groupadd", ["--system", group])
        try #require(made.status == 0, "groupadd: \(made.stderr)")
        defer { _ = try? PermauditRun.runProcess("/usr/sbin/groupdel", [group]) }
        guard let entry = getgrnam(group) else { Issue.record("groupadd made no \(group)"); return }
        let g = entry.pointee.gr_gid
        let tree = "/tmp/permaudit-speed-delta-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: tree) }
        chmod(tree, 0o755)
        // Read and search together, or neither, for each class: find as the principal lists what it enters.
        let staged = KernelFindTree(
            owners: [0, uid], groups: [0, uid, g],
            fileModes: [0o600, 0o640, 0o644, 0o604, 0o660, 0o400, 0o444, 0o040],
            dirModes: [0o755, 0o750, 0o700, 0o705, 0o770, 0o754, 0o075],
            filesPerFolder: 10, fileACLs: ["g:\(g):r", "u:\(uid):-", "g:\(g):-", "u:\(uid):r"], fileACLOdds: 4,
            folderACL: "g:\(g):rx", folderACLOdds: 5)
        var acls: [String] = []
        try staged.stage(tree, depth: 0, acls: &acls)
        // Whatever the draw: a folder only the group opens, with files only the group reads.
        let only = tree + "/group-only"
        try FileManager.default.createDirectory(atPath: only, withIntermediateDirectories: false)
        for i in 0..<3 {
            FileManager.default.createFile(atPath: "\(only)/f\(i)", contents: Data("x\n".utf8))
            chown("\(only)/f\(i)", 0, g)
            chmod("\(only)/f\(i)", 0o640)
        }
        chown(only, 0, g)
        chmod(only, 0o750)
        let set = try PermauditRun.runProcess("/bin/sh", ["-e", "-c", acls.joined(separator: "\n")])
        try #require(set.status == 0, "setfacl: \(set.stderr)")

        func kernel(_ groupList: String) throws -> Set<String> {
            let r = try PermauditRun.runProcess("/usr/bin/setpriv", ["--reuid", "\(uid)", "--regid", "\(uid)", "--groups", groupList, "/usr/bin/find", tree, "-readable", "-print0"])
            return Set(r.rawStdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        }
        let added = try kernel("\(uid),\(g)").subtracting(try kernel("\(uid)"))
        let reach = try PermauditRun.run(["reach", "--user", "\(uid)", "--groups", "\(uid)", "--changed-by", "group \(group)", "--null", tree])
        #expect(reach.status == 0, "\(reach.stderr)")
        let byReach = Set(reach.rawStdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        #expect(added.isSuperset(of: [only, only + "/f0", only + "/f1", only + "/f2"]), "joining the group opens its folder: \(reach.stderr)")
        #expect(byReach.subtracting(added).sorted() == [], "reach says the group opens, the kernel does not")
        #expect(added.subtracting(byReach).sorted() == [], "the kernel opens with the group, reach does not say so")
        // The fold runs on the pool's workers, each directory's answer travelling with it: one worker or four
        // print the same bytes (in path order) and the same figure.
        let one = try PermauditRun.run(["reach", "--user", "\(uid)", "--groups", "\(uid)", "--changed-by", "group \(group)", "--null", "--jobs", "1", tree])
        let four = try PermauditRun.run(["reach", "--user", "\(uid)", "--groups", "\(uid)", "--changed-by", "group \(group)", "--null", "--jobs", "4", tree])
        #expect(one.rawStdout == reach.rawStdout && four.rawStdout == reach.rawStdout, "the same paths in the same order for any number of workers")
        #expect(one.stderr.split(separator: ";").first == four.stderr.split(separator: ";").first, "\(one.stderr) vs \(four.stderr)")
    }
}

/// The random trees of the kernel-find tests: in each folder files, and three levels down three folders,
/// with owners, groups and modes drawn from the lists; one file in `fileACLOdds` gets one of `fileACLs`
/// with a mask of `r` or `-`, one folder in `folderACLOdds` gets `folderACL`. The `setfacl` commands are
/// gathered, to be run at once.
private struct KernelFindTree {
    var owners: [UInt32]
    var groups: [UInt32]
    var fileModes: [mode_t]
    var dirModes: [mode_t]
    var filesPerFolder: Int
    var fileACLs: [String]
    var fileACLOdds: Int
    var folderACL: String
    var folderACLOdds: Int

    func stage(_ dir: String, depth: Int, acls: inout [String]) throws {
        var rng = SystemRandomNumberGenerator()
        for i in 0..<filesPerFolder {
            let f = "\(dir)/f\(i)"
            FileManager.default.createFile(atPath: f, contents: Data("x\n".utf8))
            chown(f, owners.randomElement(using: &rng) ?? 0, groups.randomElement(using: &rng) ?? 0)
            chmod(f, fileModes.randomElement(using: &rng) ?? 0o600)
            if Int.random(in: 0..<fileACLOdds, using: &rng) == 0, let entry = fileACLs.randomElement(using: &rng) {
                let mask = Bool.random(using: &rng) ? "r" : "-"
                acls.append("setfacl -m \(entry),m::\(mask) \(f)")
            }
        }
        guard depth < 3 else { return }
        for j in 0..<3 {
            let d = "\(dir)/d\(j)"
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: false)
            try stage(d, depth: depth + 1, acls: &acls)
            chown(d, owners.randomElement(using: &rng) ?? 0, groups.randomElement(using: &rng) ?? 0)
            chmod(d, dirModes.randomElement(using: &rng) ?? 0o755)
            if Int.random(in: 0..<folderACLOdds, using: &rng) == 0 { acls.append("setfacl -m \(folderACL) \(d)") }
        }
    }
}
