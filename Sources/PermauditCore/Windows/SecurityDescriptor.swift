/// A Windows security descriptor as SDDL describes it: owner, group, DACL (absent, NULL or a list) and
/// SACL. Parsed by `SDDL.parse`; each ACE keeps the text it was written as.
public struct SecurityDescriptor: Sendable, Hashable {
    public enum DACL: Sendable, Hashable {
        /// No `D:` at all: Windows then grants every access, as for a NULL DACL.
        case absent
        /// `D:NO_ACCESS_CONTROL`: every access granted.
        case null
        case list(WindowsACL)
    }

    public var owner: SID?
    public var group: SID?
    public var dacl: DACL
    public var sacl: WindowsACL?
    /// The components as written (`O:BA`, `G:SY`, the SACL), so a changed DACL keeps the rest byte for byte.
    public var ownerText: String?
    public var groupText: String?
    public var saclText: String?

    public init(owner: SID?, group: SID?, dacl: DACL, sacl: WindowsACL?, ownerText: String? = nil, groupText: String? = nil, saclText: String? = nil) {
        self.owner = owner
        self.group = group
        self.dacl = dacl
        self.sacl = sacl
        self.ownerText = ownerText
        self.groupText = groupText
        self.saclText = saclText
    }

    /// The ACEs of the DACL, empty for an absent or NULL one.
    public var daclEntries: [ACE] {
        if case .list(let l) = dacl { return l.entries }
        return []
    }
}

/// An ACL: its flags (`P` protected, `AI` auto-inherited, `AR` auto-inherit required, `NO_ACCESS_CONTROL`) and ACEs.
public struct WindowsACL: Sendable, Hashable {
    public var flagsText: String
    public var entries: [ACE]

    public init(flagsText: String, entries: [ACE]) {
        self.flagsText = flagsText
        self.entries = entries
    }

    public var isProtected: Bool { flagsText.contains("P") }
    public var isAutoInherited: Bool { flagsText.contains("AI") }
}

/// One access control entry.
public struct ACE: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case allow = "A", deny = "D", objectAllow = "OA", objectDeny = "OD", audit = "AU", alarm = "AL", objectAudit = "OU",
            objectAlarm = "OL", mandatoryLabel = "ML", callbackAllow = "XA", callbackDeny = "XD", callbackObjectAllow = "ZA",
            callbackAudit = "XU", scopedPolicy = "SP", resourceAttribute = "RA"

        /// Whether the ACE takes part in the access check of a DACL.
        public var isAccessCheck: Bool { [.allow, .deny, .objectAllow, .objectDeny, .callbackAllow, .callbackDeny, .callbackObjectAllow].contains(self) }
        public var isDeny: Bool { self == .deny || self == .objectDeny || self == .callbackDeny }
        public var isCallback: Bool { self == .callbackAllow || self == .callbackDeny || self == .callbackObjectAllow }
        public var isObject: Bool { self == .objectAllow || self == .objectDeny || self == .callbackObjectAllow }
    }

    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let objectInherit = Flags(rawValue: 0x1)
        public static let containerInherit = Flags(rawValue: 0x2)
        public static let noPropagate = Flags(rawValue: 0x4)
        public static let inheritOnly = Flags(rawValue: 0x8)
        public static let inherited = Flags(rawValue: 0x10)
        public static let successfulAccess = Flags(rawValue: 0x40)
        public static let failedAccess = Flags(rawValue: 0x80)
    }

    public var kind: Kind
    public var flags: Flags
    /// The mask as written (generic bits not yet mapped).
    public var mask: UInt32
    /// The object type GUID of an object ACE, when given.
    public var objectType: String?
    public var inheritedObjectType: String?
    public var trustee: SID
    /// A callback ACE's condition, as written (not evaluated).
    public var condition: String?
    /// `(A;;0x1;;;S-1-5-32-573)`, exactly as in the SDDL.
    public var text: String

    public init(kind: Kind, flags: Flags, mask: UInt32, objectType: String? = nil, inheritedObjectType: String? = nil, trustee: SID, condition: String? = nil, text: String) {
        self.kind = kind
        self.flags = flags
        self.mask = mask
        self.objectType = objectType
        self.inheritedObjectType = inheritedObjectType
        self.trustee = trustee
        self.condition = condition
        self.text = text
    }
}
