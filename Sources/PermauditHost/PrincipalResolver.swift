import PermauditCore

/// What the command line says about the principal; resolved against a host into a `Principal`.
public struct PrincipalRequest: Sendable, Hashable {
    public var user: String?
    public var group: String?
    public var groups: [String]?
    public var capabilities: String?
    public var pid: Int32?
    public var unit: String?
    /// The user and group an installer will create (preflight): used when `user` does not exist on the host.
    public var plannedUser: String?
    public var plannedGroup: String?

    public init(user: String? = nil, group: String? = nil, groups: [String]? = nil, capabilities: String? = nil, pid: Int32? = nil, unit: String? = nil, plannedUser: String? = nil, plannedGroup: String? = nil) {
        self.user = user
        self.group = group
        self.groups = groups
        self.capabilities = capabilities
        self.pid = pid
        self.unit = unit
        self.plannedUser = plannedUser
        self.plannedGroup = plannedGroup
    }
}

/// Why a principal could not be resolved, and what to do.
public struct PrincipalError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum PrincipalResolver {
    /// A uid and gid no account holds: a planned principal owns nothing and matches no ACL entry.
    public static let plannedUID: UInt32 = 4_294_967_000
    public static let plannedGID: UInt32 = 4_294_967_000

    public static func resolve(_ request: PrincipalRequest, on host: any Host) throws(PrincipalError) -> Principal {
        // (uid_t)-1 and (gid_t)-1 mean "no change" to the kernel (setresuid, chown): no process runs as them.
        for (flag, values) in [("--user", request.user.map { [$0] } ?? []), ("--group", request.group.map { [$0] } ?? []), ("--groups", request.groups ?? [])] {
            for v in values where UInt32(v) == UInt32.max {
                throw PrincipalError("\(flag) \(v): that is (\(flag == "--user" ? "uid_t" : "gid_t"))-1, which the kernel reserves (it means \"no change\"); give a real id below 4294967295")
            }
        }
        var principal: Principal
        if let pid = request.pid {
            let status: ProcessStatus
            do { status = try ProcessStatus.read(pid: pid) } catch { throw PrincipalError("--pid \(pid): \(error)") }
            principal = Principal(uid: status.uid, gid: status.gid, groups: status.groups, capabilities: status.effectiveCapabilities, origin: "process \(pid) (\(status.name))")
        } else if let unit = request.unit {
            let creds: SystemdUnitCredentials
            do { creds = try SystemdUnitCredentials.load(unit, on: host) } catch { throw PrincipalError("--unit \(unit): \(error)") }
            if creds.dynamicUser, creds.user.flatMap({ host.accounts.user(named: $0) }) == nil {
                principal = try dynamicPrincipal(creds, host: host)
            } else {
                principal = try fromUser(creds.user ?? "root", group: creds.group, extra: creds.supplementaryGroups, host: host, origin: "unit \(creds.unit)")
                principal.capabilities = principal.uid == 0 ? .full : creds.ambientCapabilities
            }
        } else if let user = request.user {
            if let record = lookupUser(user, host) {
                principal = try fromUser(record.name, group: request.group, extra: [], host: host, origin: "--user \(user)")
            } else if let planned = request.plannedUser, planned == user {
                principal = plannedPrincipal(user: planned, group: request.plannedGroup ?? request.group, host: host)
            } else {
                throw PrincipalError("--user \(user): no such user on \(host.rootDescription); give a uid with --user 1234 --group 1234, or use --planned for a preflight before the installer creates it")
            }
        } else if let planned = request.plannedUser {
            if lookupUser(planned, host) != nil {
                return try resolve(PrincipalRequest(user: planned, group: request.group, groups: request.groups, capabilities: request.capabilities), on: host)
            }
            principal = plannedPrincipal(user: planned, group: request.plannedGroup, host: host)
        } else {
            throw PrincipalError("no principal: give --user NAME|UID (with --group/--groups), --pid PID or --unit NAME")
        }
        if let groups = request.groups {
            var gids: [UInt32] = []
            for g in groups {
                guard let gid = lookupGroup(g, host) else { throw PrincipalError("--groups: no group '\(g)' on \(host.rootDescription); give its gid instead") }
                gids.append(gid)
            }
            if let first = gids.first {
                principal.gid = first
                principal.groups = gids
            }
        }
        if let caps = request.capabilities {
            do { principal.capabilities = try CapabilitySet(parsing: caps) } catch { throw PrincipalError("--caps: \(error)") }
        }
        principal.userName = principal.userName ?? host.accounts.user(uid: principal.uid)?.name
        for g in principal.allGroups where principal.groupNames[g] == nil {
            if let name = host.accounts.group(gid: g)?.name { principal.groupNames[g] = name }
        }
        return principal
    }

    /// The uid a `DynamicUser=` unit is judged as: none of the host's files is owned by it.
    public static let dynamicUID: UInt32 = 4_294_967_001

    /// `DynamicUser=yes` (and no static user of that name): a transient uid and gid that systemd allocates
    /// when the unit starts, in no group but its own and `SupplementaryGroups=`, with only
    /// `AmbientCapabilities=` (none of root's).
    static func dynamicPrincipal(_ creds: SystemdUnitCredentials, host: any Host) throws(PrincipalError) -> Principal {
        let origin = "unit \(creds.unit) (DynamicUser=yes: the uid is allocated when the unit starts, from \(SystemdUnitCredentials.dynamicIDs.lowerBound)–\(SystemdUnitCredentials.dynamicIDs.upperBound); judged as a uid that owns no file)"
        var gid = dynamicUID
        if let g = creds.group, let existing = host.accounts.group(named: g)?.gid { gid = existing }
        var groups = [gid]
        for e in creds.supplementaryGroups {
            guard let g = lookupGroup(e, host) else { throw PrincipalError("\(origin): no such group '\(e)' in SupplementaryGroups=") }
            if !groups.contains(g) { groups.append(g) }
        }
        return Principal(uid: dynamicUID, gid: gid, groups: groups, capabilities: creds.ambientCapabilities, userName: creds.user, origin: origin)
    }

    static func lookupUser(_ text: String, _ host: any Host) -> UserRecord? {
        if let r = host.accounts.user(named: text) { return r }
        if let uid = UInt32(text) { return host.accounts.user(uid: uid) ?? UserRecord(name: text, uid: uid, gid: uid, home: "/", shell: "") }
        return nil
    }

    static func lookupGroup(_ text: String, _ host: any Host) -> UInt32? {
        host.accounts.group(named: text)?.gid ?? UInt32(text)
    }

    static func fromUser(_ user: String, group: String?, extra: [String], host: any Host, origin: String) throws(PrincipalError) -> Principal {
        guard let record = lookupUser(user, host) else { throw PrincipalError("\(origin): no such user '\(user)' on \(host.rootDescription)") }
        var gid = record.gid
        if let group {
            guard let g = lookupGroup(group, host) else { throw PrincipalError("\(origin): no such group '\(group)'; give its gid instead") }
            gid = g
        }
        var groups = host.accounts.user(named: record.name) != nil ? host.accounts.groups(ofUser: record.name, primary: record.gid) : [record.gid]
        if group != nil { groups = [gid] + groups.filter { $0 != gid } }
        for e in extra {
            guard let g = lookupGroup(e, host) else { throw PrincipalError("\(origin): no such group '\(e)' in SupplementaryGroups=") }
            if !groups.contains(g) { groups.append(g) }
        }
        let name = host.accounts.user(uid: record.uid)?.name
        return Principal(uid: record.uid, gid: gid, groups: groups, capabilities: record.uid == 0 ? .full : .empty, userName: name, origin: origin)
    }

    /// The principal an installer will create: a new user in a new group (or an existing group if it exists already).
    public static func plannedPrincipal(user: String, group: String?, host: any Host) -> Principal {
        let groupName = group ?? user
        let gid = host.accounts.group(named: groupName)?.gid ?? plannedGID
        return Principal(uid: plannedUID, gid: gid, groups: [gid], capabilities: .empty, userName: user, groupNames: [gid: groupName], origin: "planned (not created yet)", isPlanned: true)
    }
}
