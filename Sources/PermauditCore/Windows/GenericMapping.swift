/// The kinds of Windows object permaudit judges, each with its generic mapping (what GENERIC_READ and
/// friends mean on it) and the names of its specific rights.
public enum WindowsObjectKind: String, Sendable, Hashable, CaseIterable {
    case registryKey = "registry-key", eventChannel = "event-channel", service, file

    /// GENERIC_READ, GENERIC_WRITE, GENERIC_EXECUTE, GENERIC_ALL as this object type maps them.
    public var mapping: GenericMapping {
        switch self {
        // KEY_READ, KEY_WRITE, KEY_EXECUTE, KEY_ALL_ACCESS (winnt.h).
        case .registryKey: GenericMapping(read: 0x20019, write: 0x20006, execute: 0x20019, all: 0xF003F)
        // The event log's: READ_CONTROL | ELF_LOGFILE_READ, | WRITE | CLEAR, READ_CONTROL, all three with STANDARD_RIGHTS_REQUIRED.
        case .eventChannel: GenericMapping(read: 0x20001, write: 0x20006, execute: 0x20000, all: 0xF0007)
        // SERVICE_* (winsvc.h): read = query config/status, interrogate, enumerate dependents; execute = start, stop, pause, user control.
        case .service: GenericMapping(read: 0x2008D, write: 0x20002, execute: 0x20170, all: 0xF01FF)
        // FILE_GENERIC_READ/WRITE/EXECUTE, FILE_ALL_ACCESS.
        case .file: GenericMapping(read: 0x120089, write: 0x120116, execute: 0x1200A0, all: 0x1F01FF)
        }
    }

    /// The object-specific rights, low bits first, with the names `--access` takes.
    public var specificRights: [(name: String, bit: UInt32)] {
        switch self {
        case .registryKey:
            [("query-value", 0x1), ("set-value", 0x2), ("create-sub-key", 0x4), ("enumerate-sub-keys", 0x8), ("notify", 0x10), ("create-link", 0x20)]
        case .eventChannel:
            [("read", 0x1), ("write", 0x2), ("clear", 0x4)]
        case .service:
            [("query-config", 0x1), ("change-config", 0x2), ("query-status", 0x4), ("enumerate-dependents", 0x8), ("start", 0x10), ("stop", 0x20),
             ("pause-continue", 0x40), ("interrogate", 0x80), ("user-defined-control", 0x100)]
        case .file:
            [("read-data", 0x1), ("write-data", 0x2), ("append-data", 0x4), ("read-ea", 0x8), ("write-ea", 0x10), ("execute", 0x20),
             ("delete-child", 0x40), ("read-attributes", 0x80), ("write-attributes", 0x100)]
        }
    }

    /// Names for combinations: `read`, `write`, `execute`, `full-control` (the mapped generic rights).
    public var combinedRights: [(name: String, mask: UInt32)] {
        let m = mapping
        var out: [(String, UInt32)] = [("full-control", m.all), ("write", m.write), ("execute", m.execute)]
        // On an event channel `read` is the specific right ELF_LOGFILE_READ, as wevtutil shows it.
        if self != .eventChannel { out.insert(("read", m.read), at: 0) }
        return out
    }
}

/// What the four generic rights mean on one object type.
public struct GenericMapping: Sendable, Hashable {
    public var read: UInt32
    public var write: UInt32
    public var execute: UInt32
    public var all: UInt32

    public init(read: UInt32, write: UInt32, execute: UInt32, all: UInt32) {
        self.read = read
        self.write = write
        self.execute = execute
        self.all = all
    }

    /// The mask with each generic bit replaced by what it means here (the kernel's `RtlMapGenericMask`).
    public func map(_ mask: UInt32) -> UInt32 {
        var m = mask & ~WindowsRights.genericBits
        if mask & WindowsRights.genericRead != 0 { m |= read }
        if mask & WindowsRights.genericWrite != 0 { m |= write }
        if mask & WindowsRights.genericExecute != 0 { m |= execute }
        if mask & WindowsRights.genericAll != 0 { m |= all }
        return m
    }
}
