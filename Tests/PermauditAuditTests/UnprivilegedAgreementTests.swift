import Foundation
import Glibc
import Testing

/// The same audit run as root and as a user who cannot look everywhere: every verdict is the same, or
/// `unknown` (with the folder and the reason) where the user could not look — never `not-applicable`
/// for a file that is there.
@Suite(
    .enabled(if: getuid() == 0, "needs root to stage the example host and to run permaudit as another user"),
    .enabled(if: ReportTestSupport.which("setfacl") != nil && ReportTestSupport.which("setpriv") != nil, "needs setfacl and setpriv"))
struct UnprivilegedAgreementTests {
    static let rules = """
        schema: permaudit/rules/v1
        rules:
          - id: pa.listing.read
            title: A log in a folder only root may list
            platforms: [linux]
            severity: high
            check: {kind: path-access, paths: ["/srv/pa/sub/*.log"], access: read}
            symptom: "permission denied"
            documented-fix: none
            least-privilege-fix: none
            remedy: acl
            sources: [test]
          - id: pa.search.read
            title: A log below a folder only root may search
            platforms: [linux]
            severity: high
            check: {kind: path-access, paths: ["/srv/pa/closed/inner/*.log"], access: read}
            symptom: "permission denied"
            documented-fix: none
            least-privilege-fix: none
            remedy: acl
            sources: [test]
          - id: pa.search.statfs
            title: A folder below a folder only root may search
            platforms: [linux]
            severity: medium
            check: {kind: mount-statfs, paths: ["/srv/pa/closed/inner/m*"]}
            symptom: "permission denied"
            documented-fix: none
            least-privilege-fix: none
            remedy: configuration
            sources: [test]

        """

    @Test("every finding of the unprivileged audit equals root's, or is unknown where it could not look")
    func agreesWithRoot() throws {
        let root = try ReportTestSupport.temporaryDirectory("unpriv-host")
        defer { try? FileManager.default.removeItem(at: root) }
        chmod(root.path, 0o755)
        let host = root.appendingPathComponent("host").path
        try stageExampleHost(at: root.appendingPathComponent("host"))
        let stage = """
            set -e; cd '\(host)'
            mkdir -p srv/pa/sub srv/pa/closed/inner/mnt; chmod 0755 srv srv/pa srv/pa/closed/inner srv/pa/closed/inner/mnt
            chmod 0700 srv/pa/sub srv/pa/closed
            echo x >srv/pa/sub/a.log; echo x >srv/pa/closed/inner/x.log; chmod 0640 srv/pa/sub/a.log srv/pa/closed/inner/x.log
            """
        #expect(try ReportTestSupport.run("/bin/bash", ["-c", stage]).status == 0)
        let rules = root.appendingPathComponent("rules").path
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: false)
        try Self.rules.write(toFile: rules + "/pa.yaml", atomically: false, encoding: .utf8)
        chmod(rules, 0o755)
        chmod(rules + "/pa.yaml", 0o644)
        let binary = root.appendingPathComponent("permaudit").path
        try FileManager.default.copyItem(atPath: ExampleReportsTests.binary, toPath: binary)
        chmod(binary, 0o755)
        let audit = [binary, "audit", "--root", host, "--rules", rules, "--format", "json"]

        let asRoot = try Self.findings(try ReportTestSupport.run(audit[0], Array(audit.dropFirst())))
        let asNobody = try Self.findings(try ReportTestSupport.run("/usr/bin/setpriv", ["--reuid", "65534", "--regid", "65534", "--clear-groups"] + audit))

        for rule in Set(asRoot.keys).union(asNobody.keys).sorted() {
            let mine = asNobody[rule] ?? [:], roots = asRoot[rule] ?? [:]
            let unknowns = mine.filter { $0.value.state == "unknown" }
            if unknowns.isEmpty {
                #expect(mine.mapValues(\.state) == roots.mapValues(\.state), "\(rule): root says \(roots.mapValues(\.state)), the unprivileged run \(mine.mapValues(\.state))")
            } else {
                for (object, f) in mine where f.state != "unknown" {
                    #expect(roots[object]?.state == f.state, "\(rule) \(object): root says \(roots[object]?.state ?? "nothing"), the unprivileged run \(f.state)")
                }
                #expect(!mine.values.contains { $0.state == "not-applicable" }, "\(rule): not-applicable beside unknown")
            }
        }
        // The three places the user cannot look: unknown, naming the folder and why; root sees a failure.
        for (rule, folder) in [("pa.listing.read", "/srv/pa/sub"), ("pa.search.read", "/srv/pa/closed"), ("pa.search.statfs", "/srv/pa/closed")] {
            let mine = Array((asNobody[rule] ?? [:]).values)
            #expect(mine.count == 1 && mine.first?.state == "unknown", "\(rule): \(mine)")
            #expect(mine.first.map { $0.message.contains(folder) && $0.message.contains("EACCES") } == true, "\(rule): \(mine)")
            #expect((asRoot[rule] ?? [:]).values.contains { $0.state == "fail" }, "\(rule) as root: \(asRoot[rule] ?? [:])")
        }
    }

    struct Seen: Equatable, CustomStringConvertible {
        var state: String
        var message: String
        var description: String { "\(state): \(message)" }
    }

    /// rule id → object → state and message.
    static func findings(_ out: ReportTestSupport.Output) throws -> [String: [String: Seen]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "\(out.stderr)")
        var byRule: [String: [String: Seen]] = [:]
        for f in (object["findings"] as? [[String: Any]]) ?? [] {
            let rule = f["ruleId"] as? String ?? "", obj = f["object"] as? String ?? ""
            byRule[rule, default: [:]][obj] = Seen(state: f["state"] as? String ?? "", message: f["message"] as? String ?? "")
        }
        return byRule
    }
}
