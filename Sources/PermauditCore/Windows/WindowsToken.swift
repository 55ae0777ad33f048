/// Who is judged on Windows: the account's SID and every group SID of its token (well-known ones such
/// as Everyone and Authenticated Users included, as Windows puts them there), and its privileges.
public struct WindowsToken: Sendable, Hashable {
    public var user: SID
    public var groups: [SID]
    /// Privilege names the token holds (`SeSecurityPrivilege`, `SeTakeOwnershipPrivilege`).
    public var privileges: Set<String>
    /// Names for SIDs, for evidence (`S-1-5-32-573` → `Event Log Readers`).
    public var names: [SID: String]

    public init(user: SID, groups: [SID], privileges: Set<String> = [], names: [SID: String] = [:]) {
        self.user = user
        self.groups = groups
        self.privileges = privileges
        self.names = names
    }

    public func has(_ sid: SID) -> Bool { sid == user || groups.contains(sid) }

    public func hasPrivilege(_ name: String) -> Bool { privileges.contains { $0.lowercased() == name.lowercased() } }

    /// `S-1-5-32-573 (Event Log Readers)`.
    public func label(_ sid: SID) -> String {
        if let n = names[sid] { return "\(sid) (\(n))" }
        if let a = SIDAliases.aliasOf[sid.description] { return "\(sid) (\(a))" }
        return sid.description
    }
}
