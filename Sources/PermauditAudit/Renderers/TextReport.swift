import PermauditCore

/// The report for people in a terminal: findings that need action first, grouped by state and sorted
/// by severity, each with the evidence step that decided it and the narrow fix; passes collapsed; a
/// summary line last. Lines fit 100 columns (a long path alone may overflow); ANSI colour only when asked.
public enum TextReport {
    public static let width = 100
    /// Passes and not-applicable findings are listed one per line up to this many, then only counted.
    public static let collapsedListLimit = 12

    public static func render(_ r: AuditReport, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        var out: [String] = []
        let v = { (s: String) in VisibleText.escape(s) }
        out.append(paint.bold("permaudit \(AuditReport.toolVersion) audit of \(v(r.host.hostname))") + "  " + v(r.generatedAt))
        out += field("host", "\(v(r.host.hostname)), root \(v(r.host.root)), os \(v(osText(r.host)))", paint: paint, indent: 0)
        out += field("principal", v("\(r.principal)") + " [\(v(r.principal.origin))]", paint: paint, indent: 0)
        if r.principal.isPlanned {
            out += field("preflight", "the user does not exist yet: judged as the installer will create it (a new user in a new group, no ACL entries)", paint: paint, indent: 0, label: paint.yellow)
        }
        out += field("profile", v(r.profile), paint: paint, indent: 0)
        if let p = r.agentPolicy { out += field("policy", v(p.message), paint: paint, indent: 0) }
        if let es = r.elasticsearch {
            let state = es.enabled ? "enabled" : "off"
            out += field("operator", v("privileges \(state) in \(es.configDir), operator_users.yml \(es.operatorUsersFile); compare nodes by \(es.digest)"), paint: paint, indent: 0)
        }
        // What the permission bits do not decide (SELinux, AppArmor): said once, above every verdict.
        for c in ReportLayout.caveats(r) { out += field("note", v(c), paint: paint, indent: 0, label: paint.yellow) }

        let ordered = ReportLayout.ordered(r.findings)
        for state in [Finding.State.fail, .error, .unknown] {
            let group = ordered.filter { $0.state == state }
            if group.isEmpty { continue }
            out.append("")
            out.append(heading(state, group.count, paint: paint))
            for f in group {
                out.append("")
                out += detail(f, paint: paint)
            }
        }
        for state in [Finding.State.pass, .notApplicable] {
            let group = ordered.filter { $0.state == state }
            if group.isEmpty { continue }
            out.append("")
            out.append(heading(state, group.count, paint: paint))
            if group.count > collapsedListLimit {
                out.append("  " + paint.dim("(\(group.count) findings; --format json lists them all)"))
                continue
            }
            let idWidth = min(40, group.map { $0.ruleID.count }.max() ?? 0)
            for f in group {
                let line = "  " + v(f.ruleID).padding(idWidth) + "  " + v(f.object)
                guard state == .notApplicable else {
                    out.append(line)
                    continue
                }
                let why = v(f.message)
                if line.count + 2 + why.count <= width {
                    out.append(line + "  " + paint.dim(why))
                } else {
                    out.append(line)
                    let hang = String(repeating: " ", count: 4 + idWidth)
                    out += wrap(why, width: width - hang.count).map { hang + paint.dim($0) }
                }
            }
        }
        if r.findings.isEmpty {
            out.append("")
            out.append("No checks ran: the profile selected no rule for this host.")
        }
        out.append("")
        out.append(paint.bold(ReportLayout.summaryLine(r)))
        return out.joined(separator: "\n") + "\n"
    }

    static func osText(_ h: AuditReport.HostInfo) -> String {
        h.osID + (h.osLike.isEmpty ? "" : " (like " + h.osLike.joined(separator: ", ") + ")")
            + (h.kernel.map { ", kernel " + $0 } ?? "")
    }

    static func heading(_ s: Finding.State, _ n: Int, paint: Paint) -> String {
        let title: String
        switch s {
        case .fail: title = paint.red("FAIL")
        case .error: title = paint.red("ERROR")
        case .unknown: title = paint.yellow("UNKNOWN")
        case .pass: title = paint.green("PASS")
        case .notApplicable: title = paint.dim("NOT APPLICABLE")
        }
        return title + " (\(n))"
    }

    static func detail(_ f: Finding, paint: Paint) -> [String] {
        let v = { (s: String) in VisibleText.escape(s) }
        let severity = f.severity.rawValue.uppercased().padding(9)
        let paintSeverity: (String) -> String =
            switch f.severity {
            case .critical, .high: paint.red
            case .medium: paint.yellow
            case .low, .info: paint.bold
            }
        var lines = ["  " + paintSeverity(severity) + paint.bold(v(f.ruleID)) + "  " + v(f.ruleTitle)]
        let object = v(f.object) + (f.access.map { " (\($0.rawValue))" } ?? "")
        lines += field("object", object, paint: paint)
        lines += field(f.state == .fail ? "found" : "why", v(f.message), paint: paint)
        if let s = f.symptom, f.state == .fail { lines += field("symptom", v(s), paint: paint) }
        if let d = f.decision, let step = ReportLayout.decisiveStep(d) {
            lines += field("evidence", v(ReportLayout.nameiLine(step)), paint: paint)
            if d.evidence.count > 1 {
                let hint = "(\(d.evidence.count) steps: permaudit explain \(shellWord(d.path)) --access \(d.access.rawValue))"
                lines += field("", v(hint), paint: paint, dimValue: true)
            }
        }
        for (i, e) in f.evidence.enumerated() {
            lines += field(i == 0 && f.decision == nil ? "evidence" : "", v(e), paint: paint)
        }
        if f.state == .fail || f.state == .unknown {
            if let fix = f.leastPrivilegeFix {
                let fixLines = fix.split(separator: "\n", omittingEmptySubsequences: false).map { v(String($0)) }
                // Commands are not wrapped: a copied line must run as it is.
                for (i, l) in fixLines.enumerated() { lines += field(i == 0 ? "fix" : "", l, paint: paint, wrapValue: false) }
            }
            if let w = f.warning { lines += field("warning", v(w), paint: paint, label: paint.yellow) }
        }
        return lines
    }

    static let labelWidth = 10

    /// `    label     value`, the value wrapped at `width` with a hanging indent.
    static func field(
        _ label: String, _ value: String, paint: Paint, indent: Int = 4, dimValue: Bool = false, wrapValue: Bool = true,
        label style: ((String) -> String)? = nil
    ) -> [String] {
        let pad = String(repeating: " ", count: indent)
        let hang = String(repeating: " ", count: indent + labelWidth)
        let wrapped = wrapValue ? wrap(value, width: width - indent - labelWidth) : [value]
        let paintLabel = style ?? paint.dim
        return wrapped.enumerated().map { i, l in
            let body = dimValue ? paint.dim(l) : l
            if i == 0 { return pad + (label.isEmpty ? String(repeating: " ", count: labelWidth) : paintLabel(label.padding(labelWidth))) + body }
            return hang + body
        }
    }

    /// Greedy word wrap on spaces; a word longer than the line stays whole.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        lines.append(line)
        return lines
    }

    /// A path quoted for a shell command line, only when it needs it.
    static func shellWord(_ s: String) -> String {
        let safe = s.unicodeScalars.allSatisfy { c in
            (c.properties.isAlphabetic && c.isASCII) || ("0"..."9").contains(c) || "/._-+,:@%=".unicodeScalars.contains(c)
        }
        if safe && !s.isEmpty { return s }
        return "'" + s.replacing("'", with: "'\\''") + "'"
    }
}
