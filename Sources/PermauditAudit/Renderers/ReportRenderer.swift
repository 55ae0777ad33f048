/// Renders an audit report in one of the formats; the one entry point the CLI uses.
public enum ReportRenderer {
    /// - Parameters:
    ///   - color: ANSI colour in the text format (only when writing to a terminal).
    public static func render(_ report: AuditReport, as format: ReportFormat, color: Bool = false) -> String {
        switch format {
        case .json: return JSONReport.render(report)
        case .text: return TextReport.render(report, color: color)
        default: return JSONReport.render(report)  // other formats: see Renderers/
        }
    }
}
