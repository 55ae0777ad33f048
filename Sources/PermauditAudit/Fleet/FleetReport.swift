import PermauditCore

/// The fleet view in the formats `merge` prints: text, json (`Reports/schema/fleet.schema.json`),
/// markdown and html. SARIF, JUnit and ECS stay per host (a code-scanning alert, a test case and a
/// log event are each about one host's finding): upload or ship each host's own report for those.
public enum FleetReport {
    public enum Format: String, CaseIterable, Sendable {
        case text, json, markdown, html
    }

    public static func render(_ v: FleetView, as format: Format) -> String {
        switch format {
        case .text: text(v)
        case .json: json(v).rendered(pretty: true) + "\n"
        case .markdown: markdown(v)
        case .html: html(v)
        }
    }

    /// The states in the columns of every format.
    static let columns: [Finding.State] = [.fail, .error, .unknown, .pass, .notApplicable]

    static func stateWord(_ s: Finding.State?) -> String { s?.rawValue ?? "none" }

    // MARK: text

    static func text(_ v: FleetView) -> String {
        let t = { (s: String) in VisibleText.escape(s) }
        var x = ["permaudit fleet view: \(v.summaryLine)", "generated \(v.generatedAt)", ""]
        x.append("HOSTS")
        for h in v.hosts {
            x.append("  \(t(h.name))  \(t(h.hostname)) \(t(h.osID)) root \(t(h.root))  \(t(h.principal))  profile \(t(h.profile))  at \(t(h.generatedAt))")
        }
        if !v.unusable.isEmpty {
            x.append("")
            x.append("NOT COUNTED (no usable report)")
            for u in v.unusable { x.append("  \(t(u.name))  \(u.reason.rawValue): \(t(u.detail))") }
        }
        x.append("")
        x.append("RULES (hosts per state)")
        for r in v.rules {
            let counts = columns.map { "\($0.rawValue) \(r.hosts(in: $0).count)" }.joined(separator: ", ")
            x.append("  \(t(r.ruleID)) [\(r.severity.rawValue)]  \(counts)")
            for s in columns where !r.hosts(in: s).isEmpty && s != .notApplicable {
                x.append("      \(s.rawValue): \(r.hosts(in: s).map(t).joined(separator: ", "))")
            }
        }
        let split = v.disagreements
        x.append("")
        x.append("HOSTS THAT DIFFER FROM THE MAJORITY")
        if split.isEmpty { x.append("  none: every host agrees on every rule") }
        for r in split {
            let majority = r.majority.map { "most hosts \($0.rawValue)" } ?? "no majority"
            let who = r.deviants.map { "\(t($0)) \(stateWord(r.states[$0]))" + objectsNote(r, $0, t) }.joined(separator: "; ")
            x.append("  \(t(r.ruleID)) (\(majority)): \(who)")
        }
        if !v.operatorPrivileges.nodes.isEmpty { x += operatorPrivilegesText(v.operatorPrivileges, t) }
        x.append("")
        x.append(v.summaryLine)
        return x.joined(separator: "\n") + "\n"
    }

    static func objectsNote(_ r: FleetView.RuleRow, _ host: String, _ t: (String) -> String) -> String {
        guard let o = r.objects[host], !o.isEmpty else { return "" }
        return " (" + o.prefix(3).map(t).joined(separator: ", ") + (o.count > 3 ? ", …" : "") + ")"
    }

    // MARK: json

    public static func json(_ v: FleetView) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("schemaVersion", .string(FleetView.schemaVersion)),
            ("tool", .object([("name", .string("permaudit")), ("version", .string(AuditReport.toolVersion))])),
            ("generatedAt", .string(v.generatedAt)),
            ("summary", .object([
                ("hosts", .int(v.hosts.count)), ("unusable", .int(v.unusable.count)), ("rules", .int(v.rules.count)),
                ("failingRules", .int(v.rules.filter { !$0.hosts(in: .fail).isEmpty || !$0.hosts(in: .error).isEmpty }.count)),
                ("disagreements", .int(v.disagreements.count)),
            ])),
            ("hosts", .array(v.hosts.map { h in
                .object([
                    ("name", .string(h.name)), ("hostname", .string(h.hostname)), ("root", .string(h.root)), ("osId", .string(h.osID)),
                    ("principal", .string(h.principal)), ("profile", .string(h.profile)), ("generatedAt", .string(h.generatedAt)),
                    ("schemaVersion", .string(h.schemaVersion)),
                    ("summary", .object(Finding.State.allCases.map { s in (s.jsonKey, .int(h.findings.filter { $0.state == s }.count)) })),
                ])
            })),
            ("unusable", .array(v.unusable.map { u in
                .object([("name", .string(u.name)), ("reason", .string(u.reason.rawValue)), ("detail", .string(u.detail))])
            })),
            ("rules", .array(v.rules.map { r in
                .object([
                    ("ruleId", .string(r.ruleID)), ("title", .string(r.title)), ("severity", .string(r.severity.rawValue)),
                    ("counts", .object(columns.map { ($0.jsonKey, .int(r.hosts(in: $0).count)) })),
                    ("hosts", .object(columns.map { s in (s.jsonKey, .array(r.hosts(in: s).map(JSONValue.string))) })),
                    ("majority", r.majority.map { .string($0.rawValue) } ?? .null),
                    ("deviants", .array(r.deviants.map { h in
                        .object([
                            ("host", .string(h)), ("state", .string(stateWord(r.states[h]))),
                            ("objects", .array((r.objects[h] ?? []).map(JSONValue.string))),
                        ])
                    })),
                ])
            })),
        ]
        // Present only when some host is an Elasticsearch node (schema 1.1).
        if !v.operatorPrivileges.nodes.isEmpty { fields.append(("elasticsearch", operatorPrivilegesJSON(v.operatorPrivileges))) }
        return .object(fields)
    }

    // MARK: markdown

    static func markdown(_ v: FleetView) -> String {
        let m = { (s: String) in MarkdownReport.text(s, inTable: true) }
        let c = { (s: String) in MarkdownReport.code(s, inTable: true) }
        var x = ["# permaudit fleet view", "", MarkdownReport.text(v.summaryLine) + ", generated \(v.generatedAt).", ""]
        x.append("## Hosts")
        x.append("")
        x.append("| host | hostname | OS | root | principal | profile | generated |")
        x.append("|---|---|---|---|---|---|---|")
        for h in v.hosts { x.append("| \(c(h.name)) | \(m(h.hostname)) | \(m(h.osID)) | \(c(h.root)) | \(c(h.principal)) | \(c(h.profile)) | \(m(h.generatedAt)) |") }
        if !v.unusable.isEmpty {
            x += ["", "## Not counted", "", "| host | reason | detail |", "|---|---|---|"]
            for u in v.unusable { x.append("| \(c(u.name)) | \(u.reason.rawValue) | \(m(u.detail)) |") }
        }
        x += ["", "## Rules", "", "| rule | severity | " + columns.map(\.rawValue).joined(separator: " | ") + " | failing hosts |", "|---|---|" + String(repeating: "---:|", count: columns.count) + "---|"]
        for r in v.rules {
            let failing = (r.hosts(in: .fail) + r.hosts(in: .error)).map(c).joined(separator: ", ")
            x.append("| \(c(r.ruleID)) | \(r.severity.rawValue) | " + columns.map { String(r.hosts(in: $0).count) }.joined(separator: " | ") + " | \(failing) |")
        }
        x += ["", "## Hosts that differ from the majority", ""]
        if v.disagreements.isEmpty { x.append("Every host agrees on every rule.") }
        else {
            x += ["| rule | majority | differing hosts |", "|---|---|---|"]
            for r in v.disagreements {
                let who = r.deviants.map { "\(c($0)) \(stateWord(r.states[$0]))" + objectsNote(r, $0, m) }.joined(separator: "; ")
                x.append("| \(c(r.ruleID)) | \(stateWord(r.majority)) | \(who) |")
            }
        }
        if !v.operatorPrivileges.nodes.isEmpty { x += operatorPrivilegesMarkdown(v.operatorPrivileges) }
        return x.joined(separator: "\n") + "\n"
    }

    // MARK: html

    static func html(_ v: FleetView) -> String {
        let e = HTMLReport.e
        var h = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                 "<meta name=\"generator\" content=\"permaudit \(AuditReport.toolVersion)\">",
                 "<title>permaudit fleet view (\(e(v.summaryLine)))</title>", "<style>\n\(css)</style>", "</head>", "<body>", "<main>"]
        h.append("<h1>permaudit fleet view</h1>")
        h.append("<p class=\"summary\">\(e(v.summaryLine)), generated <time datetime=\"\(e(v.generatedAt))\">\(e(v.generatedAt))</time>.</p>")
        h.append("<h2>Hosts</h2>")
        h.append("<table><thead><tr><th>host</th><th>hostname</th><th>OS</th><th>root</th><th>principal</th><th>profile</th><th>generated</th></tr></thead><tbody>")
        for x in v.hosts {
            h.append("<tr><td><code>\(e(x.name))</code></td><td>\(e(x.hostname))</td><td>\(e(x.osID))</td><td><code>\(e(x.root))</code></td><td><code>\(e(x.principal))</code></td><td><code>\(e(x.profile))</code></td><td>\(e(x.generatedAt))</td></tr>")
        }
        h.append("</tbody></table>")
        if !v.unusable.isEmpty {
            h.append("<h2>Not counted</h2>")
            h.append("<table><thead><tr><th>host</th><th>reason</th><th>detail</th></tr></thead><tbody>")
            for u in v.unusable { h.append("<tr class=\"bad\"><td><code>\(e(u.name))</code></td><td>\(u.reason.rawValue)</td><td>\(e(u.detail))</td></tr>") }
            h.append("</tbody></table>")
        }
        h.append("<h2>Rules</h2>")
        h.append("<table><thead><tr><th>rule</th><th>severity</th>" + columns.map { "<th>\($0.rawValue)</th>" }.joined() + "<th>failing hosts</th></tr></thead><tbody>")
        for r in v.rules {
            let failing = (r.hosts(in: .fail) + r.hosts(in: .error)).map { "<code>\(e($0))</code>" }.joined(separator: ", ")
            h.append("<tr><td><code>\(e(r.ruleID))</code><br><span class=\"muted\">\(e(r.title))</span></td><td>\(r.severity.rawValue)</td>"
                + columns.map { "<td class=\"n\">\(r.hosts(in: $0).count)</td>" }.joined() + "<td>\(failing)</td></tr>")
        }
        h.append("</tbody></table>")
        h.append("<h2>Hosts that differ from the majority</h2>")
        if v.disagreements.isEmpty { h.append("<p>Every host agrees on every rule.</p>") } else {
            h.append("<table><thead><tr><th>rule</th><th>majority</th><th>differing hosts</th></tr></thead><tbody>")
            for r in v.disagreements {
                let who = r.deviants.map { "<code>\(e($0))</code> \(stateWord(r.states[$0]))" + objectsNote(r, $0, e) }.joined(separator: "; ")
                h.append("<tr><td><code>\(e(r.ruleID))</code></td><td>\(stateWord(r.majority))</td><td>\(who)</td></tr>")
            }
            h.append("</tbody></table>")
        }
        if !v.operatorPrivileges.nodes.isEmpty { h += operatorPrivilegesHTML(v.operatorPrivileges) }
        h += ["</main>", "</body>", "</html>"]
        return h.joined(separator: "\n") + "\n"
    }

    static let css = """
        :root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de; --bad: #cf222e; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0; --line: #30363d; --bad: #ff7b72; } }
        body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
        th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.bad td, p.bad { color: var(--bad); }
        .muted { color: var(--muted); font-size: .9em; }
        code { font: 13px ui-monospace, monospace; overflow-wrap: anywhere; }

        """
}
