import Foundation
import Glibc
import Testing

/// Where a group or a capability of the service is the right tool (the journal, other users' processes),
/// the fix is a systemd drop-in for the agent's unit: written by the script, read back by the audit
/// through the unit's drop-ins, removed by the rollback.
@Suite("permaudit fix for a systemd unit (root)", .serialized, .accountsUntouched, .enabled(if: FixServiceE2E.ready, "needs root, the systemd-journal group and the fix tools"))
struct FixServiceEndToEndTests {
    @Test("journal and process findings become one drop-in; the audit of the unit then passes them; the rollback removes it")
    func dropIn() throws {
        let agent = try FixE2E.Agent()
        defer { agent.remove() }
        let unit = "pa-unit-\(getpid() % 10000)-\(Int.random(in: 1000...9999))"
        let unitFile = "/etc/systemd/system/\(unit).service"
        let dropIn = "/etc/systemd/system/\(unit).service.d/50-permaudit-service.conf"
        let work = try FixE2E.tempDir("permaudit-unit")
        // The journal rule needs a journal folder; make the volatile one when the host has none.
        let madeJournal = !FileManager.default.fileExists(atPath: "/var/log/journal") && !FileManager.default.fileExists(atPath: "/run/log/journal")
        defer {
            _ = try? FixE2E.run(["bash", "\(work)/fix.rollback.sh"])
            _ = try? FixE2E.run(["rm", "-rf", "--", work, unitFile, "/etc/systemd/system/\(unit).service.d"])
            if madeJournal { _ = try? FixE2E.run(["rm", "-rf", "/run/log/journal"]) }
        }
        if madeJournal { try FileManager.default.createDirectory(atPath: "/run/log/journal", withIntermediateDirectories: true) }
        try "[Unit]\nDescription=permaudit test agent\n\n[Service]\nUser=\(agent.name)\nExecStart=/bin/true\n"
            .write(toFile: unitFile, atomically: true, encoding: .utf8)
        let selection = ["--unit", unit, "--integration", "system.journald,system.process"]

        let before = try FixE2E.permaudit(["audit", "--format", "json"] + selection)
        #expect(try Self.state(before.out, "linux.journal.group") == "fail", "\(before.err)")
        #expect(try Self.state(before.out, "linux.processes.visibility") == "fail")

        try FixE2E.expectValidPlan(try FixE2E.permaudit(["fix", "--emit", "json"] + selection).out)
        let script = "\(work)/fix.sh"
        let planned = try FixE2E.permaudit(["fix", "-o", script] + selection)
        try #require(planned.status == 0, "\(planned.err)")
        if FixE2E.hasShellcheck {
            let sc = try FixE2E.run(["shellcheck", script, "\(work)/fix.rollback.sh"])
            #expect(sc.status == 0, "\(sc.out)")
        }
        let ran = try FixE2E.run(["bash", script])
        try #require(ran.status == 0, "\(ran.out)\(ran.err)")
        #expect(ran.out.contains("systemctl daemon-reload && systemctl restart \(unit).service"), "the script says which restart it needs: \(ran.out)")
        let content = try String(contentsOfFile: dropIn, encoding: .utf8)
        let settings = content.split(separator: "\n").filter { $0.contains("=") }
        #expect(settings == ["SupplementaryGroups=systemd-journal", "AmbientCapabilities=CAP_DAC_READ_SEARCH CAP_SYS_PTRACE"], "\(content)")

        // The audit reads the unit with its new drop-in: both findings pass now.
        let after = try FixE2E.permaudit(["audit", "--format", "json"] + selection)
        #expect(try Self.state(after.out, "linux.journal.group") == "pass", "\(after.out.prefix(400))")
        #expect(try Self.state(after.out, "linux.processes.visibility") == "pass")

        let back = try FixE2E.run(["bash", "\(work)/fix.rollback.sh"])
        #expect(back.status == 0, "\(back.out)\(back.err)")
        #expect(!FileManager.default.fileExists(atPath: dropIn), "the rollback removes the drop-in")
        #expect(try Self.state(try FixE2E.permaudit(["audit", "--format", "json"] + selection).out, "linux.journal.group") == "fail")
    }

    static func state(_ json: String, _ rule: String) throws -> String? {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "not JSON: \(json.prefix(200))")
        return ((object["findings"] as? [[String: Any]]) ?? []).first { $0["ruleId"] as? String == rule }?["state"] as? String
    }
}

enum FixServiceE2E {
    static var ready: Bool {
        FixE2E.canRun && FileManager.default.isWritableFile(atPath: "/etc/systemd/system")
            && (try? String(contentsOfFile: "/etc/group", encoding: .utf8))?.contains("\nsystemd-journal:") == true
    }
}
