/// A Linux capability by its number (`CAP_DAC_OVERRIDE` = 1).
public struct Capability: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let number: Int
    public init(number: Int) { self.number = number }

    public static let chown = Capability(number: 0)
    public static let dacOverride = Capability(number: 1)
    public static let dacReadSearch = Capability(number: 2)
    public static let fowner = Capability(number: 3)
    public static let setgid = Capability(number: 6)
    public static let setuid = Capability(number: 7)
    public static let netBindService = Capability(number: 10)
    public static let netAdmin = Capability(number: 12)
    public static let netRaw = Capability(number: 13)
    public static let sysModule = Capability(number: 16)
    public static let sysRawio = Capability(number: 17)
    public static let sysPtrace = Capability(number: 19)
    public static let sysAdmin = Capability(number: 21)
    public static let auditControl = Capability(number: 30)
    public static let auditRead = Capability(number: 37)
    public static let bpf = Capability(number: 39)
    public static let perfmon = Capability(number: 38)

    /// The kernel's names, in number order (include/uapi/linux/capability.h).
    public static let names: [String] = [
        "cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid", "cap_kill",
        "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable", "cap_net_bind_service",
        "cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner", "cap_sys_module",
        "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot",
        "cap_sys_nice", "cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
        "cap_audit_write", "cap_audit_control", "cap_setfcap", "cap_mac_override", "cap_mac_admin",
        "cap_syslog", "cap_wake_alarm", "cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
        "cap_checkpoint_restore",
    ]

    public static var lastKnown: Int { names.count - 1 }

    /// Accepts `cap_dac_read_search`, `CAP_DAC_READ_SEARCH`, `dac_read_search`, or a number.
    public init?(name: String) {
        let lowered = name.lowercased()
        let full = lowered.hasPrefix("cap_") ? lowered : "cap_" + lowered
        if let i = Capability.names.firstIndex(of: full) {
            self.init(number: i)
        } else if let n = Int(name), n >= 0, n < 64 {
            self.init(number: n)
        } else {
            return nil
        }
    }

    public var name: String { number < Capability.names.count ? Capability.names[number] : "cap_\(number)" }
    public var description: String { name }
    public static func < (a: Capability, b: Capability) -> Bool { a.number < b.number }
}

/// A set of capabilities, as the kernel keeps one (a 64-bit mask).
public struct CapabilitySet: Hashable, Sendable, Codable, CustomStringConvertible, Sequence {
    public var mask: UInt64
    public init(mask: UInt64 = 0) { self.mask = mask }
    public init(_ caps: [Capability]) {
        mask = caps.reduce(0) { $0 | (1 << UInt64($1.number)) }
    }

    public static let empty = CapabilitySet()
    /// Every capability this kernel version knows: what an unconfined uid 0 holds after `execve`.
    public static let full = CapabilitySet(mask: (UInt64(1) << UInt64(Capability.lastKnown + 1)) - 1)

    public func contains(_ cap: Capability) -> Bool { mask & (1 << UInt64(cap.number)) != 0 }
    public var isEmpty: Bool { mask == 0 }
    public mutating func insert(_ cap: Capability) { mask |= 1 << UInt64(cap.number) }
    public func union(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(mask: mask | other.mask) }
    public func subtracting(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(mask: mask & ~other.mask) }
    public func intersection(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(mask: mask & other.mask) }

    public func makeIterator() -> IndexingIterator<[Capability]> {
        (0..<64).filter { mask & (1 << UInt64($0)) != 0 }.map(Capability.init(number:)).makeIterator()
    }

    /// `cap_dac_read_search,cap_sys_ptrace`, or `none`.
    public var description: String {
        if isEmpty { return "none" }
        if self == .full { return "all" }
        return map(\.name).joined(separator: ",")
    }

    /// Parses a comma list of names (`cap_a,cap_b`); throws the first unknown name.
    public init(parsing list: String) throws(CapabilityParseError) {
        var set = CapabilitySet()
        for part in list.split(separator: ",").map({ $0.trimmedBlanks() }) where !part.isEmpty {
            guard let cap = Capability(name: part) else { throw CapabilityParseError(name: part) }
            set.insert(cap)
        }
        self = set
    }

    public init(from decoder: any Decoder) throws {
        let names = try decoder.singleValueContainer().decode([String].self)
        self = try CapabilitySet(parsing: names.joined(separator: ","))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(map(\.name))
    }
}

public struct CapabilityParseError: Error, CustomStringConvertible {
    public let name: String
    public var description: String {
        "unknown capability '\(name)': use a name such as cap_dac_read_search or cap_sys_ptrace (see capabilities(7))"
    }
}

extension Substring {
    func trimmedBlanks() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
