import PermauditCore

/// The machine permaudit runs on.
public struct LiveHost: Host {
    public let accounts: any Accounts
    public let mountTable: MountTable
    public let protectedSysctls: ProtectedSysctls
    public var securityModules: SecurityModules
    let reader = FactReader(prefix: "")

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

    public var rootDescription: String { "/" }
    public func lookup(_ path: String) -> FactLookup { reader.lookup(path) }
    public func listDirectory(_ path: String) -> Result<[String], HostError> { Syscalls.listDirectory(path) }
    public func readTextFile(_ path: String) -> Result<String, HostError> {
        Syscalls.readSmallFile(path).map { String(decoding: $0, as: UTF8.self) }
    }
    public func realPath(_ path: String) -> String { path }
}
