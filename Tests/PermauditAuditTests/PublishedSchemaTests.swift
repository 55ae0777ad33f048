import Foundation
import Glibc
import PermauditAudit
import Testing

/// The reports as their consumers judge them, against the consumers' own published files in
/// `../shared/schemas` (beside the clone in CI; `PERMAUDIT_SHARED_SCHEMAS` overrides): SARIF against
/// the OASIS SARIF 2.1.0 schema (draft-04) and GitHub code scanning's upload rules, JUnit against the
/// Jenkins xunit plugin's `junit-10.xsd` (and the project's `junit.xsd`, which must be no looser), ECS
/// against Elastic's field definitions of the version the events declare. Checked on the hand-built
/// fixtures and on a live audit of the staged example host.
@Suite struct PublishedSchemaTests {
    static let shared: URL = ProcessInfo.processInfo.environment["PERMAUDIT_SHARED_SCHEMAS"].map { URL(fileURLWithPath: $0) }
        ?? ReportTestSupport.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas")
    static let hasShared = FileManager.default.fileExists(atPath: shared.appendingPathComponent("sarif-schema-2.1.0.json").path)
    static let sharedMissing = "the published schemas are not at \(shared.path) (CI has shared/ beside the clone)"
    static let python = ReportTestSupport.pythonWithJSONSchema
    static let canStage = getuid() == 0 && ReportTestSupport.which("setfacl") != nil
    static let fixtures = ReportFixtures.all.map(\.0)
    static let sources = fixtures + ["live"]

    static var binary: String {
        ProcessInfo.processInfo.environment["PERMAUDIT_BIN"] ?? ReportTestSupport.packageRoot.appendingPathComponent(".build/debug/permaudit").path
    }

    /// The report in one format: a fixture rendered, or `live`, the built binary's audit of the staged example host.
    static func report(_ source: String, _ format: ReportFormat, in dir: URL) throws -> URL {
        let name = "\(source).\(ReportRenderer.fileExtension(format))"
        if source != "live" {
            let r = ReportFixtures.all.first { $0.0 == source }?.1 ?? ReportFixtures.example
            return try ReportTestSupport.write(ReportRenderer.render(r, as: format), to: name, in: dir)
        }
        let root = dir.appendingPathComponent("host")
        try stageExampleHost(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        let out = try ReportTestSupport.run(binary, ["audit", "--root", root.path, "--format", format.rawValue])
        #expect(out.status == 1 && out.stderr.isEmpty, "live audit: exit \(out.status) \(out.stderr)")
        #expect(!out.stdout.isEmpty)
        return try ReportTestSupport.write(out.stdout, to: name, in: dir)
    }

    static func python(_ script: String, _ args: [String]) throws -> ReportTestSupport.Output {
        let py = try #require(python)
        return try ReportTestSupport.run(py, [ReportTestSupport.schemaDir.appendingPathComponent(script).path] + args)
    }

    static func xmllint(_ xsd: URL, _ file: URL) throws -> ReportTestSupport.Output {
        try ReportTestSupport.run(try #require(ReportTestSupport.xmllint), ["--noout", "--schema", xsd.path, file.path])
    }

    static func enabled(_ source: String) -> Bool { source != "live" || canStage }

    @Test(.enabled(if: hasShared, "\(sharedMissing)"), .enabled(if: python != nil, "python3 with jsonschema missing (apt-get install python3-jsonschema)"),
          arguments: sources)
    func sarifMeetsTheOASISSchemaAndGitHubsRules(_ source: String) throws {
        guard Self.enabled(source) else { return }
        let dir = try ReportTestSupport.temporaryDirectory("sarif-published")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.report(source, .sarif, in: dir)
        let schema = try Self.python("validate_json.py", [Self.shared.appendingPathComponent("sarif-schema-2.1.0.json").path, file.path])
        #expect(schema.status == 0, "\(source): \(schema.stdout)\(schema.stderr)")
        #expect(schema.stderr.contains("Draft4Validator"), "the OASIS schema is draft-04: \(schema.stderr)")
        let github = try Self.python("check_sarif_github.py", [file.path])
        #expect(github.status == 0, "\(source): \(github.stdout)\(github.stderr)")
    }

    /// A live report's results that are not paths point at the defining file, with its line.
    @Test(.enabled(if: canStage, "needs root and setfacl to stage the example host"))
    func liveSARIFPointsGroupsAtEtcGroupWithTheirLine() throws {
        let dir = try ReportTestSupport.temporaryDirectory("sarif-lines")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.report("live", .sarif, in: dir)
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        let group = try ExampleHostFiles.text("etc/group").split(separator: "\n", omittingEmptySubsequences: false)
        var checked = 0
        for result in results {
            let location = try #require((result["locations"] as? [[String: Any]])?.first)
            guard let logical = (location["logicalLocations"] as? [[String: Any]])?.first?["name"] as? String, logical.hasPrefix("group ") else { continue }
            let physical = try #require(location["physicalLocation"] as? [String: Any])
            let artifact = try #require(physical["artifactLocation"] as? [String: Any])
            #expect(artifact["uri"] as? String == "etc/group" && artifact["uriBaseId"] as? String == "HOSTROOT")
            let line = try #require((physical["region"] as? [String: Any])?["startLine"] as? Int)
            let name = String(logical.dropFirst(6))
            #expect(line >= 1 && line <= group.count && group[line - 1].hasPrefix(name + ":"), "\(logical) at etc/group:\(line)")
            checked += 1
        }
        #expect(checked > 0, "the example host's audit has group results")
    }

    @Test(.enabled(if: hasShared, "\(sharedMissing)"), .enabled(if: ReportTestSupport.xmllint != nil, "xmllint missing (apt-get install libxml2-utils)"),
          arguments: sources)
    func junitMeetsJenkinsXSDAndOurs(_ source: String) throws {
        guard Self.enabled(source) else { return }
        let dir = try ReportTestSupport.temporaryDirectory("junit-published")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.report(source, .junit, in: dir)
        for xsd in [Self.shared.appendingPathComponent("jenkins-xunit-junit-10.xsd"), ReportTestSupport.schemaDir.appendingPathComponent("junit.xsd")] {
            let out = try Self.xmllint(xsd, file)
            #expect(out.status == 0, "\(source) against \(xsd.lastPathComponent): \(out.stderr)")
        }
    }

    /// What Jenkins refuses, ours refuses too: the project's XSD is no looser than junit-10.xsd.
    @Test(.enabled(if: hasShared, "\(sharedMissing)"), .enabled(if: ReportTestSupport.xmllint != nil, "xmllint missing (apt-get install libxml2-utils)"),
          arguments: [
              ("<testsuites ", "<testsuites skipped=\"1\" "),
              ("<testsuites ", "<testsuites timestamp=\"2026-11-23T12:00:00\" "),
              ("<testsuite name=", "<testsuite assertions=\"1\" name="),
              ("<testcase name=", "<testcase line=\"3\" name="),
              ("<testsuite name=", "<testsuite time=\"1.2345\" name="),
              (" failures=\"2\" errors=", " errors="),
          ])
    func junitXSDIsNoLooserThanJenkins(_ from: String, _ to: String) throws {
        let dir = try ReportTestSupport.temporaryDirectory("junit-looser")
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ReportRenderer.render(ReportFixtures.example, as: .junit)
        let range = try #require(text.range(of: from), "\(from) not in the report")
        text.replaceSubrange(range, with: to)
        let file = try ReportTestSupport.write(text, to: "broken.xml", in: dir)
        for xsd in [Self.shared.appendingPathComponent("jenkins-xunit-junit-10.xsd"), ReportTestSupport.schemaDir.appendingPathComponent("junit.xsd")] {
            #expect(try Self.xmllint(xsd, file).status != 0, "\(xsd.lastPathComponent) accepts \(to)")
        }
    }

    @Test(.enabled(if: hasShared, "\(sharedMissing)"), .enabled(if: python != nil, "python3 missing"), arguments: sources)
    func ecsFieldsAreECSFieldsOfTheDeclaredVersion(_ source: String) throws {
        guard Self.enabled(source) else { return }
        let dir = try ReportTestSupport.temporaryDirectory("ecs-published")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.report(source, .ecs, in: dir)
        let fields = Self.shared.appendingPathComponent("ecs-\(ECSReport.ecsVersion)-fields.json")
        #expect(FileManager.default.fileExists(atPath: fields.path), "ECSReport declares ECS \(ECSReport.ecsVersion); no definitions for it in \(Self.shared.path)")
        let out = try Self.python("validate_ecs.py", [fields.path, file.path])
        #expect(out.status == 0, "\(source): \(out.stdout)\(out.stderr)")
    }

    /// The checkers can fail: each refuses a document with one thing a consumer refuses.
    @Test(.enabled(if: hasShared, "\(sharedMissing)"), .enabled(if: python != nil, "python3 with jsonschema missing (apt-get install python3-jsonschema)"))
    func publishedCheckersRefuseBrokenDocuments() throws {
        let dir = try ReportTestSupport.temporaryDirectory("published-broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sarif = ReportRenderer.render(ReportFixtures.example, as: .sarif)
        let ecs = ReportRenderer.render(ReportFixtures.example, as: .ecs)
        let sarifSchema = Self.shared.appendingPathComponent("sarif-schema-2.1.0.json").path
        let ecsFields = Self.shared.appendingPathComponent("ecs-\(ECSReport.ecsVersion)-fields.json").path
        let cases: [(String, String, String, String, [String])] = [
            ("validate_json.py", sarif, "\"kind\": \"fail\"", "\"kind\": \"failed\"", [sarifSchema]),
            ("check_sarif_github.py", sarif, "\"physicalLocation\"", "\"physicalLocatio\"", []),
            ("check_sarif_github.py", sarif, "\"primaryLocationLineHash\"", "\"primaryLocationHash\"", []),
            ("check_sarif_github.py", sarif, "\"startLine\": ", "\"startLine\": -", []),
            ("validate_ecs.py", ecs, "\"severity\":3", "\"severity\":\"3\"", [ecsFields]),
            ("validate_ecs.py", ecs, "\"outcome\":\"failure\"", "\"outcomes\":\"failure\"", [ecsFields]),
            ("validate_ecs.py", ecs, "\"version\":\"\(ECSReport.ecsVersion)\"", "\"version\":\"1.0.0\"", [ecsFields]),
        ]
        for (i, (script, text, from, to, args)) in cases.enumerated() {
            #expect(text.contains(from), "case \(i): \(from) not in the report")
            let file = try ReportTestSupport.write(text.replacing(from, with: to), to: "broken\(i)", in: dir)
            let out = try Self.python(script, args + [file.path])
            #expect(out.status == 1, "case \(i): \(script) accepted \(to): \(out.stdout)\(out.stderr)")
        }
    }
}

/// The example host's source files (`Tests/ExampleHost/files/`).
enum ExampleHostFiles {
    static func text(_ relative: String) throws -> String {
        try String(contentsOf: ExampleHost.filesURL.appendingPathComponent(relative), encoding: .utf8)
    }
}
