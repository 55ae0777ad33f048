import PermauditCore

/// The machine permaudit runs on.
public struct LiveHost: Host {
    public let accounts: any Accounts
    public let mountTable: MountTable
    public let protectedSysctls: ProtectedSysctls
    public var securityModules: SecurityModules
    public var fileSystem: FileSystemView { .live }

    /// - Parameter pid: the process whose AppArmor confinement should be reported, if known.
    public init(pid: Int32? = nil) {
        accounts = SystemAccounts()
        if case .success(let b) = Syscalls.readSmallFile("/proc/self/mountinfo") {
            mountTable = MountTable(mountinfo: String(decoding: b, as: UTF8.self))
        } else {
            mountTable = MountTable()
        }
        protectedSysctls = KernelSettings.protectedSysctls()
        securityModules = KernelSettings.securityModules(pid: pid)
    }
}
