import PermauditCore

/// A running process's credentials, from `/proc/PID/status` (real uid and gid, the full group list,
/// the effective capabilities).
public struct ProcessStatus: Sendable, Hashable {
    public var pid: Int32
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]
    public var effectiveCapabilities: CapabilitySet

    /// Parses the text of `/proc/PID/status` (proc(5)). Uses the filesystem uid and gid, as the kernel's checks do.
    public init?(pid: Int32, status: String) {
        var fields: [String: [String]] = [:]
        for line in status.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        guard let u = fields["Uid"], u.count == 4, let fsuid = UInt32(u[3]),
              let g = fields["Gid"], g.count == 4, let fsgid = UInt32(g[3]) else { return nil }
        self.pid = pid
        name = fields["Name"]?.first ?? "?"
        uid = fsuid
        gid = fsgid
        groups = (fields["Groups"] ?? []).compactMap(UInt32.init)
        effectiveCapabilities = CapabilitySet(mask: UInt64(fields["CapEff"]?.first ?? "0", radix: 16) ?? 0)
    }

    /// Reads `/proc/PID/status` on this machine.
    public static func read(pid: Int32) throws(HostError) -> ProcessStatus {
        let text: String
        switch Syscalls.readSmallFile("/proc/\(pid)/status") {
        case .success(let b): text = String(decoding: b, as: UTF8.self)
        case .failure(var e):
            e.hint = "is process \(pid) running? (`ps -p \(pid)`)"
            throw e
        }
        guard let status = ProcessStatus(pid: pid, status: text) else {
            throw HostError("parse", path: "/proc/\(pid)/status", errno: .invalidArgument, hint: "no Uid:/Gid: lines")
        }
        return status
    }
}
