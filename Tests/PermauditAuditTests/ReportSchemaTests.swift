import Foundation
import PermauditAudit
import Testing

/// Every machine format validated against its schema by an outside validator: the JSON report against
/// `report.schema.json`, SARIF against the SARIF 2.1.0 schema subset, each ECS line against
/// `ecs-event.schema.json` (python3 jsonschema), JUnit against `junit.xsd` (xmllint).
@Suite struct ReportSchemaTests {
    static let hasJSONSchema = ReportTestSupport.pythonWithJSONSchema != nil
    static let hasXmllint = ReportTestSupport.xmllint != nil
    static let fixtures = ReportFixtures.all.map(\.0)

    static func report(_ name: String) -> AuditReport {
        ReportFixtures.all.first { $0.0 == name }?.1 ?? ReportFixtures.example
    }

    func rendered(_ name: String, _ format: ReportFormat, in dir: URL) throws -> URL {
        try ReportTestSupport.write(
            ReportRenderer.render(Self.report(name), as: format), to: "\(name).\(ReportRenderer.fileExtension(format))", in: dir)
    }

    func expectValid(_ schema: String, _ format: ReportFormat, fixture: String, ndjson: Bool = false) throws {
        let dir = try ReportTestSupport.temporaryDirectory("schema")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try rendered(fixture, format, in: dir)
        let out = try #require(try ReportTestSupport.validateJSON(schema: schema, files: [file], ndjson: ndjson))
        #expect(out.status == 0, "\(fixture) \(format) against \(schema):\n\(out.stdout)\(out.stderr)")
    }

    @Test(.enabled(if: hasJSONSchema, "python3 with jsonschema missing (apt-get install python3-jsonschema)"), arguments: fixtures)
    func jsonReportMatchesItsSchema(_ fixture: String) throws {
        try expectValid("report.schema.json", .json, fixture: fixture)
    }

    @Test(.enabled(if: hasJSONSchema, "python3 with jsonschema missing (apt-get install python3-jsonschema)"), arguments: fixtures)
    func sarifMatchesTheSARIF210Schema(_ fixture: String) throws {
        try expectValid("sarif-2.1.0-subset.schema.json", .sarif, fixture: fixture)
    }

    @Test(.enabled(if: hasJSONSchema, "python3 with jsonschema missing (apt-get install python3-jsonschema)"), arguments: fixtures)
    func everyECSLineMatchesTheEventSchema(_ fixture: String) throws {
        try expectValid("ecs-event.schema.json", .ecs, fixture: fixture, ndjson: true)
    }

    @Test(.enabled(if: hasXmllint, "xmllint missing (apt-get install libxml2-utils)"), arguments: fixtures)
    func junitMatchesTheJUnitXSD(_ fixture: String) throws {
        let dir = try ReportTestSupport.temporaryDirectory("junit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try rendered(fixture, .junit, in: dir)
        let xsd = ReportTestSupport.schemaDir.appendingPathComponent("junit.xsd").path
        let out = try ReportTestSupport.run(try #require(ReportTestSupport.xmllint), ["--noout", "--schema", xsd, file.path])
        #expect(out.status == 0, "\(fixture) JUnit against junit.xsd:\n\(out.stderr)")
    }

    /// The validators must be able to fail: a report with a field removed, a SARIF with a bad level,
    /// an ECS event with a made-up `event.kind` and a JUnit file with a misplaced element are refused.
    @Test(.enabled(if: hasJSONSchema, "python3 with jsonschema missing (apt-get install python3-jsonschema)"))
    func jsonValidatorsRefuseBrokenDocuments() throws {
        let dir = try ReportTestSupport.temporaryDirectory("broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, ReportFormat, String, String, Bool)] = [
            ("report.schema.json", .json, "\"findings\": [", "\"findingz\": [", false),
            ("sarif-2.1.0-subset.schema.json", .sarif, "\"level\": \"error\"", "\"level\": \"fatal\"", false),
            ("sarif-2.1.0-subset.schema.json", .sarif, "\"ruleId\":", "\"ruleID\":", false),
            ("ecs-event.schema.json", .ecs, "\"kind\":\"alert\"", "\"kind\":\"finding\"", true),
        ]
        for (i, (schema, format, from, to, ndjson)) in cases.enumerated() {
            let text = ReportRenderer.render(ReportFixtures.example, as: format)
            #expect(text.contains(from), "case \(i): \(from) not in \(format)")
            let file = try ReportTestSupport.write(text.replacing(from, with: to), to: "broken\(i)", in: dir)
            let out = try #require(try ReportTestSupport.validateJSON(schema: schema, files: [file], ndjson: ndjson))
            #expect(out.status == 1, "case \(i): \(schema) accepted \(to)")
        }
    }

    @Test(.enabled(if: hasXmllint, "xmllint missing (apt-get install libxml2-utils)"))
    func junitXSDRefusesBrokenDocuments() throws {
        let dir = try ReportTestSupport.temporaryDirectory("broken-junit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = ReportRenderer.render(ReportFixtures.example, as: .junit)
            .replacing("<system-out>", with: "<failure/><system-out>")
        let file = try ReportTestSupport.write(text, to: "broken.xml", in: dir)
        let xsd = ReportTestSupport.schemaDir.appendingPathComponent("junit.xsd").path
        let out = try ReportTestSupport.run(try #require(ReportTestSupport.xmllint), ["--noout", "--schema", xsd, file.path])
        #expect(out.status != 0)
    }
}
