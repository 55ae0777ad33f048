import PermauditCore

/// One self-contained HTML page: inline CSS, no scripts, no external assets. A header with the host,
/// principal, profile and time; a card per state; what needs action first, each with the walk as a
/// list of ✓/✗ steps, the symptom, the narrow fix as a code block and the broad fix's warning; passes
/// and not-applicable findings folded into `<details>`. Every piece of report text is escaped.
public enum HTMLReport {
    public static func render(_ r: AuditReport) -> String {
        let ordered = ReportLayout.ordered(r.findings)
        let c = r.counts
        var h: [String] = []
        h.append("<!DOCTYPE html>")
        h.append("<html lang=\"en\">")
        h.append("<head>")
        h.append("<meta charset=\"utf-8\">")
        h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        h.append("<meta name=\"generator\" content=\"permaudit \(AuditReport.toolVersion)\">")
        h.append("<title>permaudit: \(e(r.host.hostname)) (\(e(ReportLayout.summaryLine(r))))</title>")
        h.append("<style>\n\(css)</style>")
        h.append("</head>")
        h.append("<body>")
        h.append("<header class=\"top\">")
        h.append("<div class=\"wrap\">")
        h.append("<p class=\"brand\">permaudit <span>\(AuditReport.toolVersion)</span></p>")
        h.append("<h1>\(e(r.host.hostname))</h1>")
        h.append("<dl class=\"meta\">")
        h.append(meta("principal", "<code>\(e(r.principal.description))</code> <span class=\"muted\">from \(e(r.principal.origin))</span>", wide: true))
        h.append(meta("profile", "<code>\(e(r.profile))</code>"))
        if let p = r.agentPolicy { h.append(meta("agent policy", e(p.message), wide: true)) }
        h.append(meta("host", "\(e(TextReport.osText(r.host))) · root <code>\(e(r.host.root))</code>"))
        h.append(meta("generated", "<time datetime=\"\(e(r.generatedAt))\">\(e(r.generatedAt))</time>"))
        h.append("</dl>")
        h.append("</div>")
        h.append("</header>")
        h.append("<main class=\"wrap\">")
        h.append("<section class=\"cards\" aria-label=\"summary\">")
        for s in ReportLayout.stateOrder {
            let n = c[s] ?? 0
            h.append("<div class=\"card \(cls(s))\(n == 0 ? " zero" : "")\"><span class=\"n\">\(n)</span><span class=\"l\">\(label(s))</span></div>")
        }
        h.append("</section>")
        h.append("<p class=\"summary\">\(e(ReportLayout.summaryLine(r)))</p>")

        let attention = ordered.filter(ReportLayout.needsAttention)
        if r.findings.isEmpty {
            h.append("<p class=\"allgood\">No checks ran: the profile selected no rule for this host.</p>")
        } else if attention.isEmpty {
            h.append("<p class=\"allgood\">Nothing needs action: every applicable check passed.</p>")
        } else {
            h.append("<h2>Needs action</h2>")
            h.append("<table class=\"index\">")
            h.append("<thead><tr><th>state</th><th>severity</th><th>rule</th><th>object</th></tr></thead>")
            h.append("<tbody>")
            for f in attention {
                h.append("<tr><td><span class=\"dot \(cls(f.state))\"></span>\(e(f.state.rawValue))</td><td>\(f.severity.rawValue)</td>"
                    + "<td><a href=\"#f-\(f.fingerprint)\">\(e(f.ruleTitle))</a></td><td><code class=\"path\">\(e(f.object))</code></td></tr>")
            }
            h.append("</tbody>")
            h.append("</table>")
            for f in attention { h += finding(f) }
        }
        for s in [Finding.State.pass, .notApplicable] {
            let group = ordered.filter { $0.state == s }
            if group.isEmpty { continue }
            h.append("<details class=\"fold\">")
            h.append("<summary>\(label(s)) <span class=\"count\">\(group.count)</span></summary>")
            h.append("<table>")
            h.append("<thead><tr><th>rule</th><th>object</th><th>\(s == .pass ? "found" : "why")</th></tr></thead>")
            h.append("<tbody>")
            for f in group {
                h.append("<tr><td><code>\(e(f.ruleID))</code><div class=\"muted\">\(e(f.ruleTitle))</div></td>"
                    + "<td><code class=\"path\">\(e(f.object))</code></td><td>\(e(f.message))</td></tr>")
            }
            h.append("</tbody>")
            h.append("</table>")
            h.append("</details>")
        }
        h.append("</main>")
        h.append("<footer class=\"wrap\">permaudit \(AuditReport.toolVersion) · report schema \(AuditReport.schemaVersion) · \(e(r.generatedAt))</footer>")
        h.append("</body>")
        h.append("</html>")
        return h.joined(separator: "\n") + "\n"
    }

    /// HTML text: markup escaped, controls and bidirectional overrides made visible.
    public static func e(_ s: String) -> String { XMLText.attribute(VisibleText.escape(s)) }

    static func meta(_ k: String, _ v: String, wide: Bool = false) -> String {
        "<div\(wide ? " class=\"wide\"" : "")><dt>\(k)</dt><dd>\(v)</dd></div>"
    }

    static func cls(_ s: Finding.State) -> String {
        switch s {
        case .fail: "fail"
        case .error: "error"
        case .unknown: "unknown"
        case .pass: "pass"
        case .notApplicable: "na"
        }
    }

    static func label(_ s: Finding.State) -> String {
        switch s {
        case .fail: "failing"
        case .error: "errors"
        case .unknown: "unknown"
        case .pass: "passing"
        case .notApplicable: "not applicable"
        }
    }

    static func finding(_ f: Finding) -> [String] {
        var h: [String] = []
        h.append("<article class=\"finding \(cls(f.state))\" id=\"f-\(f.fingerprint)\">")
        h.append("<header>")
        h.append("<span class=\"badge \(cls(f.state))\">\(e(f.state.rawValue))</span>")
        h.append("<span class=\"sev \(f.severity.rawValue)\">\(f.severity.rawValue)</span>")
        h.append("<h3>\(e(f.ruleTitle))</h3>")
        h.append("<code class=\"rule\">\(e(f.ruleID))</code>")
        h.append("</header>")
        let access = f.access.map { " <span class=\"access\">\($0.rawValue)</span>" } ?? ""
        h.append("<p class=\"object\"><code class=\"path\">\(e(f.object))</code>\(access)</p>")
        h.append("<p class=\"message\">\(e(f.message))</p>")
        if let s = f.symptom {
            h.append("<div class=\"symptom\"><span class=\"k\">the agent logs</span><code>\(e(s))</code></div>")
        }
        if let d = f.decision, !d.evidence.isEmpty {
            let decisive = ReportLayout.decisiveStep(d)
            h.append("<div class=\"walk\"><span class=\"k\">how the kernel decides</span>")
            h.append("<table class=\"steps\">")
            for s in d.evidence {
                let key = s == decisive ? " decisive" : ""
                let owner = s.owner != nil || s.group != nil ? "\(e(s.owner ?? "?")):\(e(s.group ?? "?"))" : ""
                let err = s.errno.flatMap { s.outcome == .granted ? nil : " <span class=\"errno\">\(e($0.name))</span>" } ?? ""
                h.append("<tr class=\"\(s.outcome.rawValue)\(key)\"><td class=\"mark\" title=\"\(s.outcome.rawValue)\">\(MarkdownReport.mark(s.outcome))</td>"
                    + "<td class=\"mode\">\(e(s.mode ?? ""))</td><td class=\"own\">\(owner)</td>"
                    + "<td><code class=\"path\">\(e(s.path))</code></td>"
                    + "<td class=\"why\"><b>\(e(s.check))</b>: \(e(s.because))\(err)</td></tr>")
            }
            h.append("</table>")
            h.append("<p class=\"reason\">\(e(d.reason))</p>")
            for c in d.caveats { h.append("<p class=\"caveat\">note: \(e(c))</p>") }
            h.append("</div>")
        }
        if !f.evidence.isEmpty {
            h.append("<ul class=\"evidence\">")
            for x in f.evidence { h.append("<li>\(e(x))</li>") }
            h.append("</ul>")
        }
        if let fix = f.leastPrivilegeFix {
            h.append("<div class=\"fix\"><span class=\"k\">least-privilege fix</span><pre><code>\(XMLText.content(VisibleText.escape(fix, keepNewlines: true)))</code></pre></div>")
        }
        if f.documentedFix != nil || f.warning != nil {
            h.append("<div class=\"warn\">")
            if let d = f.documentedFix { h.append("<p><b>Documented fix:</b> \(e(d))</p>") }
            if let w = f.warning { h.append("<p><span class=\"icon\">⚠</span> \(e(w))</p>") }
            h.append("</div>")
        }
        if !f.integrations.isEmpty {
            h.append("<p class=\"integrations\">needed by " + f.integrations.map { "<span>\(e($0))</span>" }.joined(separator: " ") + "</p>")
        }
        h.append("</article>")
        return h
    }

    static let css = """
    :root {
      --bg: #f6f7f9; --fg: #1d232b; --muted: #5f6b7a; --card: #fff; --line: #dfe3e8; --code: #eef1f4;
      --fail: #c62828; --error: #7b1fa2; --unknown: #b26a00; --pass: #2e7d32; --na: #78838f;
      --warn-bg: #fff6e0; --warn-line: #f0c36d; --top: #17202b; --top-fg: #e8edf2;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #12161b; --fg: #e3e7ec; --muted: #97a3b0; --card: #1b2129; --line: #2c3540; --code: #242c36;
        --warn-bg: #2e2614; --warn-line: #7a6022; --top: #0b0f14;
      }
    }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--fg);
      font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
    code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.9em; }
    .wrap { max-width: 1080px; margin: 0 auto; padding: 0 24px; }
    .top { background: var(--top); color: var(--top-fg); padding: 22px 0 18px; }
    .brand { margin: 0; font-size: 13px; letter-spacing: .08em; text-transform: uppercase; opacity: .7; }
    .brand span { opacity: .7; }
    h1 { margin: 2px 0 12px; font-size: 30px; font-weight: 650; overflow-wrap: anywhere; }
    .meta { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 6px 24px; margin: 0; }
    .meta div { min-width: 0; }
    .meta .wide { grid-column: 1 / -1; }
    .meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .08em; opacity: .6; }
    .meta dd { margin: 0; overflow-wrap: anywhere; }
    .meta code { background: rgba(255,255,255,.08); padding: 1px 5px; border-radius: 4px; }
    .top .muted { color: inherit; opacity: .6; }
    .cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 24px 0 8px; }
    .card { background: var(--card); border: 1px solid var(--line); border-top: 4px solid var(--c); border-radius: 8px;
      padding: 12px 16px; display: flex; flex-direction: column; }
    .card .n { font-size: 32px; font-weight: 700; color: var(--c); line-height: 1.1; }
    .card .l { color: var(--muted); font-size: 13px; }
    .card.zero { opacity: .55; }
    .fail { --c: var(--fail); } .error { --c: var(--error); } .unknown { --c: var(--unknown); }
    .pass { --c: var(--pass); } .na { --c: var(--na); }
    .summary { color: var(--muted); margin: 4px 0 20px; }
    .allgood { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--pass); padding: 14px 18px; border-radius: 8px; }
    h2 { font-size: 19px; margin: 28px 0 12px; }
    .finding { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--c); border-radius: 8px;
      padding: 16px 20px; margin: 0 0 16px; }
    .finding > header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 10px; }
    .finding h3 { margin: 0; font-size: 17px; flex: 1 1 auto; }
    .badge { background: var(--c); color: #fff; border-radius: 4px; padding: 1px 8px; font-size: 12px; font-weight: 600;
      text-transform: uppercase; letter-spacing: .04em; }
    .sev { border: 1px solid var(--line); border-radius: 4px; padding: 0 7px; font-size: 12px; color: var(--muted); }
    .sev.critical, .sev.high { color: var(--fail); border-color: currentColor; }
    .sev.medium { color: var(--unknown); border-color: currentColor; }
    .rule { color: var(--muted); }
    .object { margin: 10px 0 4px; }
    .path { background: var(--code); padding: 1px 6px; border-radius: 4px; overflow-wrap: anywhere; }
    .access { font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; margin-left: 4px; }
    .message { margin: 4px 0 12px; }
    .k { display: block; font-size: 11px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin-bottom: 4px; }
    .symptom { margin: 0 0 12px; }
    .symptom code { display: block; background: var(--top); color: #ffb4a8; padding: 8px 12px; border-radius: 6px;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .walk { margin: 0 0 12px; }
    .steps { border: 1px solid var(--line); border-radius: 6px; border-collapse: separate; border-spacing: 0; overflow: hidden; }
    .steps td { padding: 5px 10px; border-top: 1px solid var(--line); vertical-align: baseline; }
    .steps tr:first-child td { border-top: 0; }
    .steps .mark { width: 18px; font-weight: 700; text-align: center; padding-right: 0; }
    .steps .mode, .steps .own { width: 1%; padding-right: 14px; }
    .steps .mode { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; color: var(--muted); white-space: nowrap; }
    .steps .own { font-size: 13px; color: var(--muted); white-space: nowrap; }
    .steps .why { font-size: 13px; color: var(--muted); width: 50%; }
    .steps .granted .mark { color: var(--pass); }
    .steps .denied .mark { color: var(--fail); }
    .steps .unknown .mark { color: var(--unknown); }
    .steps .info .mark { color: var(--muted); }
    .steps .decisive td { background: color-mix(in srgb, var(--fail) 8%, transparent); }
    .steps .unknown.decisive td { background: color-mix(in srgb, var(--unknown) 12%, transparent); }
    .steps .decisive .why { color: var(--fg); }
    .errno { font-family: ui-monospace, monospace; color: var(--fail); font-weight: 600; margin-left: 4px; }
    .reason { margin: 6px 0 0; font-size: 14px; }
    .caveat { margin: 4px 0 0; font-size: 13px; color: var(--unknown); }
    .evidence { margin: 0 0 12px; padding-left: 20px; }
    .evidence li { overflow-wrap: anywhere; }
    .fix pre { margin: 0 0 12px; background: var(--code); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .warn { background: var(--warn-bg); border: 1px solid var(--warn-line); border-radius: 6px; padding: 8px 12px; font-size: 14px; }
    .warn p { margin: 2px 0; }
    .warn .icon { color: var(--unknown); font-weight: 700; }
    .integrations { margin: 10px 0 0; font-size: 13px; color: var(--muted); }
    .integrations span { background: var(--code); border-radius: 10px; padding: 1px 8px; margin-right: 4px; }
    .fold { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: 0 0 12px; }
    .fold summary { cursor: pointer; padding: 12px 18px; font-weight: 600; }
    .fold .count { color: var(--muted); font-weight: 400; margin-left: 6px; }
    table { width: 100%; border-collapse: collapse; font-size: 14px; }
    th, td { text-align: left; padding: 6px 18px; border-top: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
    th { font-size: 11px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
    .muted { color: var(--muted); font-size: 13px; }
    .index { background: var(--card); border: 1px solid var(--line); border-radius: 8px; border-collapse: separate;
      border-spacing: 0; margin: 0 0 20px; overflow: hidden; }
    .index tr:first-child th { border-top: 0; }
    .index td:nth-child(-n+2), .index th { white-space: nowrap; width: 1%; }
    .index th:nth-child(n+3) { width: auto; }
    .index a { color: inherit; text-decoration: none; border-bottom: 1px dotted var(--muted); }
    .index a:hover { color: var(--c, #1565c0); }
    .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--c); margin-right: 7px; }
    .finding { scroll-margin-top: 12px; }
    footer { color: var(--muted); font-size: 12px; padding: 12px 24px 32px; }
    @media (max-width: 720px) { .cards { grid-template-columns: repeat(2, 1fr); } }
    @media print { .fold { break-inside: avoid; } details { display: block; } .top { background: none; color: var(--fg); } }

    """
}
