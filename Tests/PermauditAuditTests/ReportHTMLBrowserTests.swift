import Foundation
import PermauditAudit
import Testing

/// The HTML report opened in a real browser: headless Chromium renders it and writes a screenshot.
/// Skipped when no Chromium is installed (`apt-get install chromium`).
@Suite struct ReportHTMLBrowserTests {
    /// python3 with html5lib (Debian: python3-html5lib), for a strict HTML5 parse.
    static let html5lib: String? = ReportTestSupport.python(with: "html5lib")

    @Test(.enabled(if: html5lib != nil, "python3 html5lib missing (apt-get install python3-html5lib)"), arguments: ReportFixtures.all.map(\.0))
    func htmlParsesWithoutErrors(_ fixture: String) throws {
        let report = ReportFixtures.all.first { $0.0 == fixture }?.1 ?? ReportFixtures.example
        let dir = try ReportTestSupport.temporaryDirectory("html5")
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = try ReportTestSupport.write(ReportRenderer.render(report, as: .html), to: "report.html", in: dir)
        let script = ReportTestSupport.schemaDir.appendingPathComponent("validate_html.py").path
        let out = try ReportTestSupport.run(try #require(Self.html5lib), [script, html.path])
        #expect(out.status == 0, "\(fixture): \(out.stdout)\(out.stderr)")
    }

    static let chromium: String? = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .lazy.compactMap(ReportTestSupport.which).first

    @Test(.enabled(if: chromium != nil, "no chromium on PATH (apt-get install chromium)"), arguments: ["example", "hostile"])
    func chromiumRendersTheReport(_ fixture: String) throws {
        let browser = try #require(Self.chromium)
        let report = ReportFixtures.all.first { $0.0 == fixture }?.1 ?? ReportFixtures.example
        let dir = try ReportTestSupport.temporaryDirectory("html")
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = try ReportTestSupport.write(ReportRenderer.render(report, as: .html), to: "report.html", in: dir)
        let png = dir.appendingPathComponent("report.png")
        let dom = try ReportTestSupport.run(browser, [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir.path)/profile",
            "--dump-dom", html.absoluteString,
        ])
        #expect(dom.status == 0, "chromium --dump-dom failed: \(dom.stderr)")
        // The browser parsed the page as written: the summary is there and no hostile name became markup.
        #expect(dom.stdout.contains(ReportLayout.summaryLine(report)))
        #expect(!dom.stdout.contains("<script"))
        #expect(!dom.stdout.contains("<img"))
        let shot = try ReportTestSupport.run(browser, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir.path)/profile",
            "--screenshot=\(png.path)", "--window-size=1280,1600", html.absoluteString,
        ])
        #expect(shot.status == 0, "chromium --screenshot failed: \(shot.stderr)")
        let data = try Data(contentsOf: png)
        #expect(data.count > 10_000, "screenshot is suspiciously small: \(data.count) bytes")
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        if let keep = ProcessInfo.processInfo.environment["PERMAUDIT_KEEP_SCREENSHOTS"] {
            try? FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep).appendingPathComponent("report-\(fixture).png"))
        }
    }
}
