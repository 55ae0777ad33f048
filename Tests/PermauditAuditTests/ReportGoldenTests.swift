import Foundation
import PermauditAudit
import Testing

/// Every format of the fixture report, byte for byte, against `Reports/golden/` (a fixed
/// `generatedAt` keeps them stable). `PERMAUDIT_UPDATE_GOLDEN=1 swift test --filter ReportGolden` rewrites them.
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
        #expect(rendered == golden, "\(url.lastPathComponent) is stale: rerun with PERMAUDIT_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test func renderingIsDeterministic() {
        for format in ReportFormat.allCases {
            #expect(ReportRenderer.render(ReportFixtures.example, as: format) == ReportRenderer.render(ReportFixtures.example, as: format))
        }
    }
}
