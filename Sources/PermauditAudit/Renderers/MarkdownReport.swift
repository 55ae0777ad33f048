import PermauditCore

/// GitHub-flavoured Markdown: a header table, the summary, one table of every finding, then a section
/// per finding that needs action. Safe for any bytes in paths: control characters become visible
/// escapes, `|` is escaped in tables, code spans and fences grow longer than any backtick run inside.
public enum MarkdownReport {
    public static func render(_ r: AuditReport) -> String {
        var md: [String] = []
        md.append("# permaudit report: \(text(r.host.hostname))")
        md.append("")
        md.append("| | |")
        md.append("|---|---|")
        md.append("| Host | \(code(r.host.hostname, inTable: true)) (\(text(TextReport.osText(r.host), inTable: true))) |")
        md.append("| Root | \(code(r.host.root, inTable: true)) |")
        md.append("| Principal | \(code(r.principal.description, inTable: true)) from \(text(r.principal.origin, inTable: true)) |")
        md.append("| Profile | \(code(r.profile, inTable: true)) |")
        if let p = r.agentPolicy { md.append("| Agent policy | \(text(p.message, inTable: true)) |") }
        md.append("| Generated | \(text(r.generatedAt, inTable: true)) by permaudit \(AuditReport.toolVersion) |")
        md.append("")
        for c in ReportLayout.caveats(r) {
            md.append("> **Note:** \(text(c))")
            md.append("")
        }
        md.append("## Summary")
        md.append("")
        md.append("**\(text(ReportLayout.summaryLine(r)))**")
        md.append("")
        md.append("| State | Count |")
        md.append("|---|--:|")
        let c = r.counts
        for s in ReportLayout.stateOrder { md.append("| \(icon(s)) \(s.rawValue) | \(c[s] ?? 0) |") }
        let ordered = ReportLayout.ordered(r.findings)
        if !ordered.isEmpty {
            md.append("")
            md.append("## Findings")
            md.append("")
            md.append("| State | Severity | Rule | Object | Message |")
            md.append("|---|---|---|---|---|")
            for f in ordered {
                let object = code(f.object, inTable: true) + (f.access.map { " (\($0.rawValue))" } ?? "")
                md.append("| \(icon(f.state)) \(f.state.rawValue) | \(f.severity.rawValue) | \(code(f.ruleID, inTable: true)) | \(object) | \(text(f.message, inTable: true)) |")
            }
        }
        let attention = ordered.filter(ReportLayout.needsAttention)
        if !attention.isEmpty {
            md.append("")
            md.append("## What needs action")
            for f in attention { md += section(f) }
        }
        return md.joined(separator: "\n") + "\n"
    }

    static func section(_ f: Finding) -> [String] {
        var md = ["", "### \(icon(f.state)) \(text(f.ruleID)): \(text(f.ruleTitle))", ""]
        md.append("- **State:** \(f.state.rawValue), severity \(f.severity.rawValue)")
        md.append("- **Object:** \(code(f.object))" + (f.access.map { " (\($0.rawValue))" } ?? ""))
        md.append("- **\(f.state == .fail ? "Found" : "Why"):** \(text(f.message))")
        if let s = f.symptom { md.append("- **Symptom in the agent's log:** \(code(s))") }
        if let d = f.decision, let step = ReportLayout.decisiveStep(d) {
            md.append("- **Decided at:** \(code(ReportLayout.nameiLine(step)))")
        }
        if !f.evidence.isEmpty {
            md.append("- **Evidence:**")
            for e in f.evidence { md.append("  - \(text(e))") }
        }
        if let d = f.decision, !d.evidence.isEmpty {
            md.append("")
            md.append("Every step of the walk (" + text(d.reason) + "):")
            md.append("")
            md += fence(d.evidence.map { mark($0.outcome) + " " + VisibleText.escape(ReportLayout.nameiLine($0)) }.joined(separator: "\n"), info: "text")
        }
        if let fix = f.leastPrivilegeFix {
            md.append("")
            md.append("**Least-privilege fix:**")
            md.append("")
            md += fence(fix, info: "sh")
        }
        if let doc = f.documentedFix {
            md.append("")
            md.append("Documented fix: \(text(doc))")
        }
        if let w = f.warning {
            md.append("")
            md.append("> **Warning:** \(text(w))")
        }
        return md
    }

    static func icon(_ s: Finding.State) -> String {
        switch s {
        case .fail: "❌"
        case .error: "💥"
        case .unknown: "❔"
        case .pass: "✅"
        case .notApplicable: "➖"
        }
    }

    static func mark(_ o: EvidenceStep.Outcome) -> String {
        switch o {
        case .granted: "✓"
        case .denied: "✗"
        case .unknown: "?"
        case .info: "→"
        }
    }

    /// Plain text: control characters visible, Markdown punctuation backslash-escaped (`|` too in tables).
    public static func text(_ s: String, inTable: Bool = false) -> String {
        var out = ""
        for ch in VisibleText.escape(s) {
            if "\\`*_[]<>&#!~|".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// A code span whose delimiter is longer than any backtick run inside; `|` escaped in tables
    /// (GFM splits cells before it parses code spans).
    public static func code(_ s: String, inTable: Bool = false) -> String {
        var body = VisibleText.escape(s)
        if inTable { body = body.replacing("|", with: "\\|") }
        if body.isEmpty { return "` `" }
        let ticks = String(repeating: "`", count: longestRun(of: "`", in: body) + 1)
        let pad = body.hasPrefix("`") || body.hasSuffix("`") || body.hasPrefix(" ") && body.hasSuffix(" ") ? " " : ""
        return ticks + pad + body + pad + ticks
    }

    /// A fenced block longer than any backtick run inside; newlines kept, other controls made visible.
    static func fence(_ s: String, info: String) -> [String] {
        let body = VisibleText.escape(s, keepNewlines: true)
        let ticks = String(repeating: "`", count: max(3, longestRun(of: "`", in: body) + 1))
        return [ticks + info] + body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) + [ticks]
    }

    static func longestRun(of c: Character, in s: String) -> Int {
        var best = 0, run = 0
        for ch in s {
            run = ch == c ? run + 1 : 0
            best = max(best, run)
        }
        return best
    }
}
