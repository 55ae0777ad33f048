import PermauditCore
import PermauditHost

/// A systemd drop-in for the agent's unit: the step that writes it, and the restart it needs.
enum SystemdDropIn {
    /// `NAME` → `NAME.service`; a name with a type suffix stays as it is.
    static func serviceName(_ unit: String) -> String { unit.contains(".") ? unit : unit + ".service" }

    /// Writes `[Service]` with these lines to `/etc/systemd/system/UNIT.d/FILE` (removed by the rollback).
    static func step(unit: String, file: String, lines: [String], why: String, blastRadius: BlastRadius, number: Int) -> FixStep {
        let name = serviceName(unit)
        let path = RawPath("/etc/systemd/system/\(name).d/\(file)")
        let content = "# Written by permaudit fix; removed by its rollback.\n[Service]\n" + lines.joined(separator: "\n") + "\n"
        return FixStep(
            number: number, action: .writeFile(NewFile(path: path, content: Array(content.utf8), mode: 0o644)),
            why: why, change: "write the drop-in \(path.display): \(lines.joined(separator: ", "))", blastRadius: blastRadius,
            persistence: "a drop-in persists across restarts and package upgrades",
            followUp: "systemctl daemon-reload && systemctl restart \(name)")
    }
}
