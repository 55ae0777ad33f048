import Glibc

/// A user as `passwd(5)` lists it.
public struct UserRecord: Sendable, Hashable, Codable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var home: String
    public var shell: String
}

/// A group as `group(5)` lists it.
public struct GroupRecord: Sendable, Hashable, Codable {
    public var name: String
    public var gid: UInt32
    public var members: [String]
}

/// Users and groups: through NSS on the live host, from the root's own `etc/passwd` and `etc/group` otherwise.
public protocol Accounts: Sendable {
    func user(named: String) -> UserRecord?
    func user(uid: UInt32) -> UserRecord?
    func group(named: String) -> GroupRecord?
    func group(gid: UInt32) -> GroupRecord?
    /// Every group a user is in: its primary group and every group that lists it.
    func groups(ofUser name: String, primary: UInt32) -> [UInt32]
    /// Every group listed in the database (for "who is in adm").
    func allGroups() -> [GroupRecord]
}

/// Accounts from `passwd` and `group` files (a rooted host, an image).
public struct FileAccounts: Accounts {
    public let users: [UserRecord]
    public let groupList: [GroupRecord]

    public init(passwd: String, group: String) {
        users = passwd.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 7, !f[0].hasPrefix("#"), let uid = UInt32(f[2]), let gid = UInt32(f[3]) else { return nil }
            return UserRecord(name: f[0], uid: uid, gid: gid, home: f[5], shell: f[6])
        }
        groupList = group.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4, !f[0].hasPrefix("#"), let gid = UInt32(f[2]) else { return nil }
            return GroupRecord(name: f[0], gid: gid, members: f[3].split(separator: ",").map(String.init))
        }
    }

    public func user(named: String) -> UserRecord? { users.first { $0.name == named } }
    public func user(uid: UInt32) -> UserRecord? { users.first { $0.uid == uid } }
    public func group(named: String) -> GroupRecord? { groupList.first { $0.name == named } }
    public func group(gid: UInt32) -> GroupRecord? { groupList.first { $0.gid == gid } }
    public func groups(ofUser name: String, primary: UInt32) -> [UInt32] {
        var out = [primary]
        for g in groupList where g.members.contains(name) && !out.contains(g.gid) { out.append(g.gid) }
        return out
    }
    public func allGroups() -> [GroupRecord] { groupList }
}

/// Accounts through NSS (`getpwnam_r`, `getgrouplist`), as the live host's programs see them.
public struct SystemAccounts: Accounts {
    /// Lookups by number, remembered for the life of this value: evidence names the owner and group of
    /// every step, and an id NSS does not know walks every NSS module each time.
    private let usersByID = LookupCache<UInt32, UserRecord?>()
    private let groupsByID = LookupCache<UInt32, GroupRecord?>()

    public init() {}

    public func user(named: String) -> UserRecord? { passwd { getpwnam_r(named, &$0, $1, $2, &$3) } }
    public func user(uid: UInt32) -> UserRecord? { usersByID.value(for: uid) { passwd { getpwuid_r(uid, &$0, $1, $2, &$3) } } }
    public func group(named: String) -> GroupRecord? { groupEntry { getgrnam_r(named, &$0, $1, $2, &$3) } }
    public func group(gid: UInt32) -> GroupRecord? { groupsByID.value(for: gid) { groupEntry { getgrgid_r(gid, &$0, $1, $2, &$3) } } }

    public func groups(ofUser name: String, primary: UInt32) -> [UInt32] {
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primary, &list, &count) < 0 {
            list = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, primary, &list, &count)
        }
        var out = [primary]
        for g in list.prefix(Int(count)) where !out.contains(g) { out.append(g) }
        return out
    }

    public func allGroups() -> [GroupRecord] {
        var out: [GroupRecord] = []
        setgrent()
        while let g = getgrent() { out.append(Self.record(g.pointee)) }
        endgrent()
        return out
    }

    private func passwd(_ call: (inout passwd, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<passwd>?) -> Int32) -> UserRecord? {
        var pw = Glibc.passwd()
        var result: UnsafeMutablePointer<Glibc.passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let rc = buffer.withUnsafeMutableBufferPointer { call(&pw, $0.baseAddress!, $0.count, &result) }
        guard rc == 0, result != nil else { return nil }
        return UserRecord(
            name: String(cString: pw.pw_name), uid: pw.pw_uid, gid: pw.pw_gid,
            home: String(cString: pw.pw_dir), shell: String(cString: pw.pw_shell))
    }

    private func groupEntry(_ call: (inout group, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<group>?) -> Int32) -> GroupRecord? {
        var gr = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 65536)
        let rc = buffer.withUnsafeMutableBufferPointer { call(&gr, $0.baseAddress!, $0.count, &result) }
        guard rc == 0, result != nil else { return nil }
        return Self.record(gr)
    }

    private static func record(_ gr: group) -> GroupRecord {
        var members: [String] = []
        if var p = gr.gr_mem {
            while let m = p.pointee {
                members.append(String(cString: m))
                p += 1
            }
        }
        return GroupRecord(name: String(cString: gr.gr_name), gid: gr.gr_gid, members: members)
    }
}
