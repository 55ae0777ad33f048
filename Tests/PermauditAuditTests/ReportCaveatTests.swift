import PermauditAudit
import PermauditCore
import Testing

/// When SELinux enforces or AppArmor may confine the agent, the permission bits are not the whole story:
/// the people's formats say so once, above every verdict, so no pass reads as a promise.
@Suite struct ReportCaveatTests {
    static let caveat = "SELinux is enforcing: the permission bits are necessary but not sufficient"

    static func example(caveats: [String]) -> AuditReport {
        var r = ReportFixtures.example
        for i in r.findings.indices where r.findings[i].decision != nil { r.findings[i].decision?.caveats = caveats }
        return r
    }
    static var report: AuditReport { example(caveats: [caveat]) }

    @Test func textSaysItOnceInTheHeader() {
        let text = ReportRenderer.render(Self.report, as: .text)
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.contains(Self.caveat) }.count == 1, "\(text.prefix(600))")
        let note = lines.firstIndex { $0.hasPrefix("note") } ?? lines.endIndex
        let firstVerdict = lines.firstIndex { $0.hasPrefix("FAIL") || $0.hasPrefix("PASS") } ?? lines.endIndex
        #expect(note < firstVerdict, "the note comes before the findings")
    }

    @Test func markdownSaysItOnceAsANote() {
        let md = ReportRenderer.render(Self.report, as: .markdown)
        #expect(md.components(separatedBy: "> **Note:** \(Self.caveat)").count == 2, "\(md.prefix(800))")
    }

    @Test func noCaveatNoNote() {
        #expect(!ReportRenderer.render(Self.example(caveats: []), as: .text).contains("\nnote "))
        #expect(!ReportRenderer.render(Self.example(caveats: []), as: .markdown).contains("> **Note:**"))
    }
}
