/// Renders an audit report in one of the formats; the one entry point the CLI uses.
public enum ReportRenderer {
    /// - Parameters:
    ///   - color: ANSI colour in the text format (only when writing to a terminal); the other formats ignore it.
    public static func render(_ report: AuditReport, as format: ReportFormat, color: Bool = false) -> String {
        switch format {
        case .text: TextReport.render(report, color: color)
        case .json: JSONReport.render(report)
        case .sarif: SARIFReport.render(report)
        case .junit: JUnitReport.render(report)
        case .ecs: ECSReport.render(report)
        case .markdown: MarkdownReport.render(report)
        case .html: HTMLReport.render(report)
        }
    }

    /// The usual file extension for a format, for `-o` defaults and example file names.
    public static func fileExtension(_ format: ReportFormat) -> String {
        switch format {
        case .text: "txt"
        case .json: "json"
        case .sarif: "sarif"
        case .junit: "junit.xml"
        case .ecs: "ecs.ndjson"
        case .markdown: "md"
        case .html: "html"
        }
    }
}
