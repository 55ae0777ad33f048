import Foundation
import PermauditAudit
import Testing

/// Every format of the fixture report, byte for byte, against `Reports/golden/` (a fixed
/// `generatedAt` keeps them stable). `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter ReportGolden` rewrites them.
/// The files were written by another process, with another hash seed: a match also shows the rendering does
/// not depend on dictionary order (rendering twice in one process, with one seed, could not show that).
@Suite struct ReportGoldenTests {
    @Test(arguments: ReportFormat.allCases)
    func exampleReportMatchesGolden(_ format: ReportFormat) throws {
        let rendered = ReportRenderer.render(ReportFixtures.example, as: format)
        let url = ReportTestSupport.goldenDir.appendingPathComponent("example.\(ReportRenderer.fileExtension(format))")
        if ReportTestSupport.updatingGolden {
            try FileManager.default.createDirectory(at: ReportTestSupport.goldenDir, withIntermediateDirectories: true)
            try Data(rendered.utf8).write(to: url)
            return
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        if rendered != golden {
            let a = rendered.split(separator: "\n", omittingEmptySubsequences: false)
            let b = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            let got = line < a.count ? String(a[line]) : "<end>", want = line < b.count ? String(b[line]) : "<end>"
            Issue.record("""
                Reports/golden/\(url.lastPathComponent) is stale at line \(line + 1):
                  rendered: \(got)
                  golden:   \(want)
                rerun with PERMAUDIT_UPDATE_GOLDEN=1 and review `git diff Reports/golden`
                """)
        }
    }
}
