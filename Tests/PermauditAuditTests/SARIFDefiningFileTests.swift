import Foundation
import Glibc
import PermauditAudit
import Testing

/// A capability finding of a `--unit` principal points at the unit line that grants it, and a group
/// finding at the group's line of the image's `/etc/group`: the files an admin edits to fix them.
@Suite struct SARIFDefiningFileTests {
    static var binary: String {
        ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] ?? ReportTestSupport.packageRoot.appendingPathComponent(".build/debug/permaudit").path
    }

    @Test func unitCapabilitiesAndGroupsPointAtTheirLines() throws {
        let root = try ReportTestSupport.temporaryDirectory("sarif-unit")
        defer { try? FileManager.default.removeItem(at: root) }
        let files: [(String, String)] = [
            ("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nsvc-agent:x:5101:6101::/nonexistent:/usr/sbin/nologin\n"),
            ("etc/group", "root:x:0:\nadm:x:4:svc-agent\nsvc-agent:x:6101:\n"),
            ("etc/os-release", "ID=debian\n"),
            ("etc/systemd/system/svc-agent.service", "[Unit]\nDescription=test\n\n[Service]\nUser=svc-agent\nAmbientCapabilities=CAP_DAC_OVERRIDE\nExecStart=/bin/true\n"),
        ]
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let out = try ReportTestSupport.run(Self.binary, ["audit", "--root", root.path, "--unit", "svc-agent", "--format", "sarif"])
        #expect(out.status == 1, "\(out.stderr)")
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let results = try #require(((sarif["runs"] as? [[String: Any]])?.first)?["results"] as? [[String: Any]])
        func physical(_ object: String) -> (String?, Int?)? {
            for r in results {
                guard let loc = (r["locations"] as? [[String: Any]])?.first,
                      (loc["logicalLocations"] as? [[String: Any]])?.first?["name"] as? String == object,
                      let p = loc["physicalLocation"] as? [String: Any] else { continue }
                return ((p["artifactLocation"] as? [String: Any])?["uri"] as? String, (p["region"] as? [String: Any])?["startLine"] as? Int)
            }
            return nil
        }
        let cap = try #require(physical("capability cap_dac_override"), "no result for cap_dac_override: \(results.compactMap { $0["ruleId"] })")
        #expect(cap.0 == "etc/systemd/system/svc-agent.service" && cap.1 == 6)
        let adm = try #require(physical("group adm"), "no result for group adm")
        #expect(adm.0 == "etc/group" && adm.1 == 2)
    }
}
