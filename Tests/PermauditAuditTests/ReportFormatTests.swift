import Foundation
import PermauditAudit
import PermauditCore
import Testing

/// What each format promises beyond its schema: order, summary, colour, escaping of hostile names,
/// SARIF's kinds and fingerprints, ECS's outcomes, file URIs.
@Suite struct ReportFormatTests {
    let example = ReportFixtures.example
    let hostile = ReportFixtures.hostile

    /// Control characters a renderer must never pass through from report data.
    static func rawControls(_ s: String, allowing: Set<Unicode.Scalar> = ["\n"]) -> [Unicode.Scalar] {
        s.unicodeScalars.filter { u in
            !allowing.contains(u) && (u.value < 0x20 || u.value == 0x7F || (0x80...0x9F).contains(u.value) || (0x202A...0x202E).contains(u.value))
        }
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func summaryLine() {
        #expect(ReportLayout.summaryLine(example) == "13 checks: 4 fail, 1 error, 1 unknown, 3 pass, 4 not-applicable")
        #expect(ReportLayout.summaryLine(ReportFixtures.empty) == "0 checks")
        var one = ReportFixtures.empty
        one.findings = [example.findings[6]]
        #expect(ReportLayout.summaryLine(one) == "1 check: 1 pass")
    }

    @Test func orderPutsFailuresFirstBySeverity() {
        let states = ReportLayout.ordered(example.findings).map(\.state)
        #expect(states == [.fail, .fail, .fail, .fail, .error, .unknown, .pass, .pass, .pass, .notApplicable, .notApplicable, .notApplicable, .notApplicable])
        let fails = ReportLayout.ordered(example.findings).filter { $0.state == .fail }.map(\.severity)
        #expect(fails == fails.sorted(by: >))
    }

    @Test func textFitsHundredColumnsAndEndsWithTheSummary() {
        let text = TextReport.render(example)
        for line in text.split(separator: "\n") { #expect(line.count <= 100, "too wide: \(line)") }
        #expect(text.hasSuffix(ReportLayout.summaryLine(example) + "\n"))
        #expect(!text.contains("\u{1B}"))
        let fail = text.range(of: "FAIL (4)"), pass = text.range(of: "PASS (3)")
        #expect(fail != nil && pass != nil && fail!.lowerBound < pass!.lowerBound)
        #expect(text.contains("-rw-r----- root adm /var/log/auth.log  read: other has --- [EACCES]"))
        #expect(text.contains("setfacl -m g:elastic-agent:r /var/log/auth.log /var/log/auth.log.1"))
    }

    @Test func textIsColouredOnlyWhenAsked() {
        #expect(TextReport.render(example, color: true).contains("\u{1B}[1;31mFAIL\u{1B}[0m"))
        #expect(!ReportRenderer.render(example, as: .text, color: false).contains("\u{1B}"))
    }

    @Test(arguments: ReportFormat.allCases)
    func hostileNamesCannotInjectControlCharacters(_ format: ReportFormat) {
        let out = ReportRenderer.render(hostile, as: format)
        // JSON formats keep data exact: JSONWriter escapes controls as \u sequences but leaves the
        // bidirectional overrides (valid JSON text) as they are.
        let bidi: Set<Unicode.Scalar> = [.init(0x202A)!, .init(0x202B)!, .init(0x202C)!, .init(0x202D)!, .init(0x202E)!]
        let allowed: Set<Unicode.Scalar> = [.json, .sarif, .ecs].contains(format) ? bidi.union(["\n"]) : ["\n"]
        #expect(Self.rawControls(out, allowing: allowed).isEmpty, "\(format) passes raw control characters through")
    }

    @Test func markdownTablesKeepTheirShape() {
        let md = MarkdownReport.render(hostile)
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains(" | ") }
        #expect(!rows.isEmpty)
        for row in rows {
            // Cells split on `|` not preceded by a backslash.
            var cells = 0, previous: Character = " "
            for ch in row {
                if ch == "|" && previous != "\\" { cells += 1 }
                previous = ch
            }
            #expect([3, 6].contains(cells), "row with \(cells - 1) cells: \(row)")
        }
        #expect(md.contains("``/var/log/evil\\|`x`<script>"))
    }

    @Test func markdownCodeSpansOutgrowBackticks() {
        #expect(MarkdownReport.code("a`b") == "``a`b``")
        #expect(MarkdownReport.code("`x`") == "`` `x` ``")
        #expect(MarkdownReport.code("a|b", inTable: true) == "`a\\|b`")
        #expect(MarkdownReport.text("*a* [b](c) <d>") == "\\*a\\* \\[b\\](c) \\<d\\>")
    }

    @Test func htmlIsSelfContainedAndEscaped() {
        let html = HTMLReport.render(hostile)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;\\n\\x1B[31mred"))
        #expect(html.contains("\\u{202E}"))
        let good = HTMLReport.render(example)
        #expect(!good.contains("<script"))
        #expect(!good.contains("<link"))
        #expect(!good.contains("src="))
        #expect(!good.contains("url("))
        #expect(good.components(separatedBy: "<details").count - 1 == 2)
        #expect(good.components(separatedBy: "<article").count - 1 == 6)
        #expect(good.contains("<p class=\"summary\">13 checks: 4 fail, 1 error, 1 unknown, 3 pass, 4 not-applicable</p>"))
    }

    @Test func sarifResultsKindsLevelsAndFingerprints() throws {
        let log = try json(SARIFReport.render(example))
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 5)  // 4 fail + 1 unknown
        #expect(Set(rules.compactMap { $0["id"] as? String }) == Set(example.findings.map(\.ruleID)))
        for r in results {
            let id = try #require(r["ruleId"] as? String)
            let index = try #require(r["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == id)
            let kind = r["kind"] as? String, level = r["level"] as? String
            if kind == "review" { #expect(level == "none") } else { #expect(kind == "fail" && level != "none") }
            let uri = (((r["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String
            let fp = (r["partialFingerprints"] as? [String: String])?[SARIFReport.fingerprintKey]
            let finding = try #require(example.findings.first { $0.ruleID == id && $0.fingerprint == fp })
            if finding.object.hasPrefix("/") { #expect(uri.flatMap { "/" + ($0.removingPercentEncoding ?? "") } == finding.object) }
        }
        let high = try #require(results.first { $0["ruleId"] as? String == "linux.auth-log.read" })
        #expect(high["level"] as? String == "error")
        let notes = ((run["invocations"] as? [[String: Any]])?.first?["toolExecutionNotifications"] as? [[String: Any]]) ?? []
        #expect(notes.count == 1)
    }

    @Test func sarifRootIsABaseURI() throws {
        let log = try json(SARIFReport.render(hostile))
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let base = ((run["originalUriBaseIds"] as? [String: Any])?[SARIFReport.rootBaseID] as? [String: Any])?["uri"] as? String
        #expect(base == "file:///mnt/image%20root/")
        let result = try #require((run["results"] as? [[String: Any]])?.first)
        let uri = try #require((((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String)
        #expect(uri.allSatisfy { $0.isASCII && !" #?|<>`\n".contains($0) })
        #expect("/" + (uri.removingPercentEncoding ?? "") == ReportFixtures.hostilePath)
    }

    @Test(arguments: [
        ("/var/log/auth.log", "/var/log/auth.log"),
        ("/a b/100%/#?", "/a%20b/100%25/%23%3F"),
        ("/журнал", "/%D0%B6%D1%83%D1%80%D0%BD%D0%B0%D0%BB"),
        ("/x:y@z", "/x%3Ay%40z"),
    ])
    func fileURIsPercentEncodeUTF8(_ path: String, _ encoded: String) {
        #expect(FileURI.encodePath(path) == encoded)
        #expect(FileURI.absolute(path) == "file://" + encoded)
    }

    @Test func ecsOneEventPerFindingWithOutcomes() throws {
        let lines = ECSReport.render(example).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        let events = try lines.dropLast().map { try json(String($0)) }
        #expect(events.count == example.findings.count)
        for e in events {
            let event = try #require(e["event"] as? [String: Any])
            let state = (e["permaudit"] as? [String: Any])?["state"] as? String
            switch state {
            case "fail": #expect(event["kind"] as? String == "alert" && event["outcome"] as? String == "failure")
            case "pass": #expect(event["kind"] as? String == "state" && event["outcome"] as? String == "success")
            default: #expect(event["kind"] as? String == "state" && event["outcome"] as? String == "unknown")
            }
            #expect(event["dataset"] as? String == "permaudit.finding")
            #expect((e["ecs"] as? [String: Any])?["version"] as? String == ECSReport.ecsVersion)
        }
        let auth = try #require(events.first { ($0["file"] as? [String: Any])?["path"] as? String == "/var/log/auth.log" })
        let file = try #require(auth["file"] as? [String: Any])
        #expect(file["mode"] as? String == "0640" && file["owner"] as? String == "root" && file["group"] as? String == "adm")
        #expect((auth["user"] as? [String: Any])?["name"] as? String == "elastic-agent-user")
    }

    /// Modes travel as numbers: `ls -l`'s text for people and ECS's octal text are both rendered from them.
    @Test(arguments: [
        (FileType.regular, UInt16(0o640), false, "-rw-r-----", "0640"), (.directory, 0o2755, true, "drwxr-sr-x+", "2755"),
        (.directory, 0o1777, false, "drwxrwxrwt", "1777"), (.regular, 0o4755, false, "-rwsr-xr-x", "4755"), (.regular, 0o4600, false, "-rwS------", "4600"),
    ])
    func ecsOctalModes(_ type: FileType, _ bits: UInt16, _ acl: Bool, _ symbolic: String, _ octal: String) {
        let step = EvidenceStep(path: "/x", role: .target, check: "read", outcome: .granted, because: "", fileType: type, fileMode: FileMode(bits), hasACL: acl)
        #expect(step.mode == symbolic)
        #expect(ECSReport.octalMode(FileMode(bits)) == octal)
    }

    @Test func junitCountsAndUnknownAsSkipped() {
        let xml = JUnitReport.render(example)
        // junit-10.xsd has no skipped on <testsuites>: the skips are counted per <testsuite>.
        #expect(xml.contains("<testsuites name=\"permaudit elastic-agent on web-01.example.internal\" tests=\"13\" failures=\"4\" errors=\"1\" time=\"0\">"))
        let skipped = xml.split(separator: "\n").filter { $0.contains("<testsuite ") }.compactMap { line in
            line.firstRange(of: "skipped=\"").flatMap { r in Int(line[r.upperBound...].prefix { $0.isNumber }) }
        }
        #expect(skipped.reduce(0, +) == 5)
        #expect(xml.contains("<skipped message=\"unknown: could not look inside"))
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 13)
        let bad = JUnitReport.render(hostile)
        #expect(!bad.contains("\u{1}") && !bad.contains("\u{FFFE}") && !bad.contains("\u{0}"))
        #expect(bad.contains("&lt;script&gt;"))
    }
}

/// `explain`'s text: the decisive step is marked and host text cannot reach the terminal raw.
@Suite struct ReportDecisionTextTests {
    @Test func decisiveStepIsMarkedAndControlsAreVisible() {
        let text = DecisionRenderer.text(ReportFixtures.logDecision("/var/log/auth.log"))
        let marked = text.split(separator: "\n").filter { $0.contains("<- decided here") }
        #expect(marked.count == 1 && marked[0].contains("/var/log/auth.log") && marked[0].contains("NO "))
        let hostile = ReportFixtures.hostile.findings[0].decision!
        let out = DecisionRenderer.text(hostile, color: false)
        #expect(!out.contains("\u{1B}") && !out.contains("\u{202E}") && out.contains("\\x1B[31mred"))
        #expect(!DecisionRenderer.text(ReportFixtures.logDecision("/x"), color: false).contains("\u{1B}"))
    }
}

/// The schema file and the code agree on the report's major version.
@Suite struct ReportSchemaVersionTests {
    @Test func schemaFileCoversTheCurrentMajorVersion() throws {
        let url = ReportTestSupport.schemaDir.appendingPathComponent("report.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let major = try #require(AuditReport.schemaVersion.split(separator: ".").first)
        let pattern = (((schema["properties"] as? [String: Any])?["schemaVersion"] as? [String: Any])?["pattern"] as? String)
        #expect(pattern == "^\(major)\\.[0-9]+$", "bump Reports/schema/report.schema.json with AuditReport.schemaVersion")
        #expect((schema["$id"] as? String)?.hasSuffix("report-\(major).json") == true)
    }
}

/// Large and empty reports stay readable.
@Suite struct ReportSizeTests {
    @Test func manyPassesCollapseToACount() {
        var r = ReportFixtures.empty
        r.findings = (0..<20).map { i in
            Finding(ruleID: "linux.many.read", ruleTitle: "t", severity: .low, object: "/var/log/f\(i)", state: .pass, message: "ok")
        }
        let text = TextReport.render(r)
        #expect(text.contains("PASS (20)\n  (20 findings; --format json lists them all)\n"))
        #expect(!text.contains("/var/log/f7"))
        #expect(text.hasSuffix("20 checks: 20 pass\n"))
        #expect(HTMLReport.render(r).contains("Nothing needs action"))
    }

    @Test func emptyReportSaysNothingRan() {
        let text = TextReport.render(ReportFixtures.empty)
        #expect(text.hasSuffix("No checks ran: the profile selected no rule for this host.\n\n0 checks\n"))
        #expect(HTMLReport.render(ReportFixtures.empty).contains("No checks ran"))
        #expect(ECSReport.render(ReportFixtures.empty) == "")
    }
}
