import PermauditCore

/// The narrowest fix for what a Windows audit from facts fails: group memberships by SID and one ACE
/// per registry key, each judged again on permaudit's model of the changed host; and what no safe grant fixes.
public struct WindowsFixPlan: Sendable, Hashable {
    public enum Step: Sendable, Hashable {
        /// `Add-LocalGroupMember -SID group -Member account`.
        case joinGroup(JoinGroup)
        /// One ACE for the account on a registry key, no inheritance.
        case grantRegistryKey(RegistryGrant)
        /// One ACE (read, 0x1) for the account in an event channel's `channelAccess` (`wevtutil sl /ca:`).
        case grantChannel(ChannelGrant)
    }

    public struct ChannelGrant: Sendable, Hashable {
        public var channel: String
        public var ruleID: String
        public var sddlBefore: String
        public var sddlAfter: String
        public var ace: String
        /// Every other SID of the descriptor whose rights change (empty: nobody else gains).
        public var othersChanged: [String]
    }

    public struct JoinGroup: Sendable, Hashable {
        public var groupSID: String
        public var groupName: String
        public var ruleIDs: [String]
        /// The objects of the facts the account reads after it, that it could not before (the blast radius).
        public var opens: [String]
    }

    public struct RegistryGrant: Sendable, Hashable {
        /// `HKLM\SYSTEM\CurrentControlSet\Services\PartMgr`.
        public var key: String
        public var ruleID: String
        public var mask: UInt32
        /// The key's owner and SDDL as the facts say: the script refuses to touch a key that differs.
        public var owner: String
        public var sddlBefore: String
        /// The descriptor with the one ACE added (explicit ACEs first, as Windows orders them).
        public var sddlAfter: String
        /// `(A;;0x2001f;;;S-1-5-21-...)`.
        public var ace: String
        /// What the account gets after, as permaudit's check judges the new descriptor.
        public var accountAfter: UInt32
        /// Every other SID of the descriptor whose rights change (empty: nobody else gains).
        public var othersChanged: [String]
    }

    public struct Unresolved: Sendable, Hashable {
        public var ruleID: String
        public var object: String
        public var why: String
    }

    public var account: String
    public var accountSID: String
    public var factsFile: String
    public var host: String
    public var steps: [Step]
    public var unresolved: [Unresolved]
    /// A short stable id, for the rollback state file's name.
    public var id: String
}
