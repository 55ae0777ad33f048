import PermauditCore

/// The Windows items of a facts file, decoded. An item that is absent or that the collector could not
/// read is a `FactsItemProblem` (the rule that needs it reports `unknown`); an item that is there but
/// malformed is a `FactsFileError` (exit 2).
///
/// Items (the collector `permaudit collect --platform windows` writes them):
/// - `account`: `{"name", "sid", "groups": [{"sid", "name"?}], "groupsSource": "token"|"local-groups"}`:
///   the agent's account and every group SID in its token (nested and well-known ones included);
/// - `rights`: `{"rights": ["SeServiceLogonRight", ...]}`: user rights and privileges held by the
///   account or by one of its groups;
/// - `group:SID` (S-1-5-32-573, S-1-5-32-558): `{"sid", "name", "members": [{"sid", "name"?}]}`;
/// - `registry:PATH`, `channel:NAME`, `service:NAME`, `pipe:NAME`: `{"name", "sddl"}`.
public struct WindowsFacts: Sendable {
    /// Item names.
    public enum Item {
        public static let account = "account"
        public static let rights = "rights"
        /// `{"DA": "S-1-5-21-...-512", ...}`: the domain-relative SDDL aliases as this host resolves them.
        public static let sddlAliases = "sddl-aliases"
        public static func group(_ sid: String) -> String { "group:" + sid }
        public static func registryKey(_ path: String) -> String { "registry:" + path }
        public static func channel(_ name: String) -> String { "channel:" + name }
        public static func service(_ name: String) -> String { "service:" + name }
        public static func pipe(_ name: String) -> String { "pipe:" + name }
    }

    public struct Member: Sendable, Hashable {
        public var sid: String
        public var name: String?
        public init(sid: String, name: String? = nil) {
            self.sid = sid
            self.name = name
        }
    }

    public struct Account: Sendable, Hashable {
        public var name: String
        public var sid: String
        public var groups: [Member]
        /// `token`: the groups of a logon token (S4U); `local-groups`: local groups and well-known SIDs,
        /// when no token could be had (a local account on a host without S4U).
        public var groupsSource: String
    }

    public struct LocalGroup: Sendable, Hashable {
        public var sid: String
        public var name: String
        public var members: [Member]
    }

    /// A securable object and its descriptor as SDDL.
    public struct Secured: Sendable, Hashable {
        public var name: String
        public var sddl: String
        /// Where in the facts file the SDDL is (`items.registry:…​.value.sddl`, line), for errors.
        public var field: String
        public var line: Int
    }

    public let file: FactsFile
    public let account: Result<Account, FactsItemProblem>
    public let rights: Result<[String], FactsItemProblem>
    /// The host's domain-relative SDDL aliases (empty when the item is absent: such an alias is then refused).
    public let sddlAliases: [String: String]
    let groups: [String: Result<LocalGroup, FactsItemProblem>]
    let secured: [String: Result<Secured, FactsItemProblem>]

    /// Decodes every Windows item present in the file.
    /// - Throws: `FactsFileError` for an item whose value is malformed (named by its path and line).
    public init(_ file: FactsFile) throws(FactsFileError) {
        self.file = file
        account = try Self.decode(file, Item.account) { v throws(FactsFileError) in
            Account(
                name: try v.require("name").string(), sid: try Self.sid(v.require("sid")),
                groups: try Self.members(v.require("groups")), groupsSource: try v.optional("groupsSource")?.string() ?? "token")
        }
        rights = try Self.decode(file, Item.rights) { v throws(FactsFileError) in try v.require("rights").strings() }
        var aliases: [String: String] = [:]
        if case .success(let v) = file.value(Item.sddlAliases) {
            for m in try v.members() { aliases[m.key] = try Self.sid(m.field) }
        }
        sddlAliases = aliases
        var groups: [String: Result<LocalGroup, FactsItemProblem>] = [:]
        var secured: [String: Result<Secured, FactsItemProblem>] = [:]
        for name in file.items.keys.sorted() {
            if name.hasPrefix("group:") {
                groups[name] = try Self.decode(file, name) { v throws(FactsFileError) in
                    LocalGroup(sid: try Self.sid(v.require("sid")), name: try v.require("name").string(), members: try Self.members(v.require("members")))
                }
            } else if ["registry:", "channel:", "service:", "pipe:"].contains(where: name.hasPrefix) {
                secured[name] = try Self.decode(file, name) { v throws(FactsFileError) in
                    let s = try v.require("sddl")
                    return Secured(name: try v.require("name").string(), sddl: try s.string(), field: s.path, line: s.node.line)
                }
            }
        }
        self.groups = groups
        self.secured = secured
    }

    public func group(_ sid: String) -> Result<LocalGroup, FactsItemProblem> {
        groups[Item.group(sid)] ?? .failure(FactsItemProblem(item: Item.group(sid), collectorError: nil))
    }

    /// A registry key, channel, service or pipe by its item name (`Item.registryKey(...)`).
    public func secured(_ item: String) -> Result<Secured, FactsItemProblem> {
        secured[item] ?? .failure(FactsItemProblem(item: item, collectorError: nil))
    }

    /// Every securable object in the file, by item name.
    public var securedItems: [String] { secured.keys.sorted() }

    static func decode<T>(_ file: FactsFile, _ item: String, _ body: (FactsField) throws(FactsFileError) -> T) throws(FactsFileError) -> Result<T, FactsItemProblem> {
        switch file.value(item) {
        case .success(let v): .success(try body(v))
        case .failure(let p): .failure(p)
        }
    }

    static func members(_ f: FactsField) throws(FactsFileError) -> [Member] {
        var out: [Member] = []
        for m in try f.array() { out.append(Member(sid: try sid(m.require("sid")), name: try m.optional("name")?.string())) }
        return out
    }

    /// A SID string (`S-1-5-32-573`); anything else is an error that names the field.
    static func sid(_ f: FactsField) throws(FactsFileError) -> String {
        let s = try f.string()
        guard let sid = SID(string: s) else { throw f.invalid("'\(s)' is not a SID (S-1-5-...)") }
        return sid.description
    }
}

extension WindowsFacts {
    /// The account's token: its SID, its group SIDs, and the privileges of `rights` (none when that
    /// item is missing: the caller says so as a caveat).
    public func token() -> Result<WindowsToken, FactsItemProblem> {
        switch account {
        case .failure(let p): return .failure(p)
        case .success(let a):
            var names: [SID: String] = [:]
            var groups: [SID] = []
            guard let user = SID(string: a.sid) else { return .failure(FactsItemProblem(item: Item.account, collectorError: "bad SID \(a.sid)")) }
            names[user] = a.name
            for g in a.groups {
                guard let s = SID(string: g.sid) else { continue }
                groups.append(s)
                if let n = g.name { names[s] = n }
            }
            let privileges = (try? rights.get()).map { Set($0) } ?? []
            return .success(WindowsToken(user: user, groups: groups, privileges: privileges, names: names))
        }
    }

    /// The descriptor of a secured item, parsed.
    /// - Throws: `FactsFileError` naming the item's `sddl` field and line when the SDDL is not SDDL.
    public func descriptor(_ item: String) throws(FactsFileError) -> Result<(Secured, SecurityDescriptor), FactsItemProblem> {
        switch secured(item) {
        case .failure(let p): return .failure(p)
        case .success(let s):
            var resolved: [String: SID] = [:]
            for (k, v) in sddlAliases { resolved[k] = SID(string: v) }
            do { return .success((s, try SDDL.parse(s.sddl, resolved: resolved))) } catch {
                throw FactsFileError(file: file.file, line: s.line, field: s.field, problem: error.description, hint: "the collector copies the SDDL Windows printed; " + FactsFileError.regather)
            }
        }
    }
}
