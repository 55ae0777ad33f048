import PermauditCore

/// The fleet view's section "Elasticsearch operator privileges" in each format: the nodes grouped by
/// digest, the majority, the nodes that differ and what differs. Printed only when some host is a node.
extension FleetReport {
    static let operatorPrivilegesTitle = "Elasticsearch operator privileges"

    static func notNodesNote(_ o: OperatorPrivilegesAcrossNodes) -> String {
        let n = o.notNodes.count
        return n == 0 ? "every host reported a node" : "\(n) host\(n == 1 ? "" : "s") reported no node, not counted here"
    }

    static func groupLine(_ o: OperatorPrivilegesAcrossNodes, _ g: OperatorPrivilegesAcrossNodes.Group) -> String {
        let role = o.majority?.digest == g.digest ? (o.agree ? "all" : "majority") : "differs"
        return "\(g.nodes.count) node\(g.nodes.count == 1 ? "" : "s"), \(role): "
            + OperatorPrivilegesAcrossNodes.describe(enabled: g.enabled, file: g.operatorUsersFile, sha256: g.operatorUsersSHA256)
    }

    static let verdictSplit = "the nodes disagree: a high finding, merge exits 1 (with --fail-on high or lower)"
    static let verdictAgree = "every node agrees"

    /// A verdict as a sentence: capitalised.
    static func sentence(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    // MARK: text

    static func operatorPrivilegesText(_ o: OperatorPrivilegesAcrossNodes, _ t: (String) -> String) -> [String] {
        var x = ["", "ELASTICSEARCH OPERATOR PRIVILEGES (\(o.nodes.count) node\(o.nodes.count == 1 ? "" : "s"); \(notNodesNote(o)))"]
        for g in o.groups {
            x.append("  \(t(g.digest))  \(groupLine(o, g))")
            x.append("      \(g.nodes.map(t).joined(separator: ", "))")
        }
        if o.agree { x.append("  \(verdictAgree)") } else {
            x.append("  " + (o.majority == nil ? "no majority: " : "") + verdictSplit)
            for d in o.differing { x.append("  DIFFERS \(t(d.node)): \(t(o.differenceNote(d)))") }
        }
        if !o.notNodes.isEmpty { x.append("  no node: \(o.notNodes.map(t).joined(separator: ", "))") }
        return x
    }

    // MARK: json

    static func operatorPrivilegesJSON(_ o: OperatorPrivilegesAcrossNodes) -> JSONValue {
        let group = { (g: OperatorPrivilegesAcrossNodes.Group) -> JSONValue in
            .object([
                ("digest", .string(g.digest)), ("enabled", .bool(g.enabled)), ("operatorUsersFile", .string(g.operatorUsersFile)),
                ("operatorUsersSha256", g.operatorUsersSHA256.map(JSONValue.string) ?? .null),
                ("nodes", .array(g.nodes.map(JSONValue.string))),
            ])
        }
        return .object([
            ("operatorPrivileges", .object([
                ("nodes", .int(o.nodes.count)),
                ("hostsWithoutNode", .array(o.notNodes.map(JSONValue.string))),
                ("agree", .bool(o.agree)),
                ("severity", .string(OperatorPrivilegesAcrossNodes.severity.rawValue)),
                ("groups", .array(o.groups.map(group))),
                ("majority", o.majority.map { .string($0.digest) } ?? .null),
                ("differing", .array(o.differing.map { d in
                    let n = o.nodes[d.node]
                    return .object([
                        ("node", .string(d.node)), ("digest", .string(d.digest)),
                        ("differs", .array(d.differs.map { .string($0.rawValue) })),
                        ("setting", n?.setting.map(JSONValue.string) ?? .null), ("enabled", .bool(n?.enabled ?? false)),
                        ("operatorUsersFile", .string(n?.operatorUsersFile ?? "")),
                        ("operatorUsersSha256", n?.operatorUsersSHA256.map(JSONValue.string) ?? .null),
                        ("note", .string(o.differenceNote(d))),
                    ])
                })),
            ])),
        ])
    }

    // MARK: markdown

    static func operatorPrivilegesMarkdown(_ o: OperatorPrivilegesAcrossNodes) -> [String] {
        let m = { (s: String) in MarkdownReport.text(s, inTable: true) }
        let c = { (s: String) in MarkdownReport.code(s, inTable: true) }
        var x = ["", "## \(operatorPrivilegesTitle)", "",
                 MarkdownReport.text("\(o.nodes.count) node\(o.nodes.count == 1 ? "" : "s"); \(notNodesNote(o))" + (o.notNodes.isEmpty ? "." : ": ")) + o.notNodes.map { MarkdownReport.code($0) }.joined(separator: ", ") + (o.notNodes.isEmpty ? "" : "."),
                 "", "| digest | nodes | says |", "|---|---|---|"]
        for g in o.groups { x.append("| \(c(g.digest)) | \(g.nodes.map(c).joined(separator: ", ")) | \(m(groupLine(o, g))) |") }
        x.append("")
        if o.agree { x.append(MarkdownReport.text(sentence(verdictAgree) + ".")) } else {
            x.append("**" + MarkdownReport.text(o.majority == nil ? "No majority: " + verdictSplit : sentence(verdictSplit)) + ".**")
            x += ["", "| node | differs | what |", "|---|---|---|"]
            for d in o.differing { x.append("| \(c(d.node)) | \(d.differs.map(\.rawValue).joined(separator: ", ")) | \(m(o.differenceNote(d))) |") }
        }
        return x
    }

    // MARK: html

    static func operatorPrivilegesHTML(_ o: OperatorPrivilegesAcrossNodes) -> [String] {
        let e = HTMLReport.e
        let notNodes = o.notNodes.isEmpty ? "" : ": " + o.notNodes.map { "<code>\(e($0))</code>" }.joined(separator: ", ")
        var h = ["<h2>\(operatorPrivilegesTitle)</h2>",
                 "<p>\(o.nodes.count) node\(o.nodes.count == 1 ? "" : "s"); \(e(notNodesNote(o)))\(notNodes).</p>",
                 "<table><thead><tr><th>digest</th><th>nodes</th><th>says</th></tr></thead><tbody>"]
        for g in o.groups {
            let bad = o.majority?.digest == g.digest ? "" : " class=\"bad\""
            h.append("<tr\(bad)><td><code>\(e(g.digest))</code></td><td>\(g.nodes.map { "<code>\(e($0))</code>" }.joined(separator: ", "))</td><td>\(e(groupLine(o, g)))</td></tr>")
        }
        h.append("</tbody></table>")
        if o.agree { h.append("<p>\(e(sentence(verdictAgree))).</p>") } else {
            h.append("<p class=\"bad\"><strong>\(e(o.majority == nil ? "No majority: " + verdictSplit : sentence(verdictSplit))).</strong></p>")
            h.append("<table><thead><tr><th>node</th><th>differs</th><th>what</th></tr></thead><tbody>")
            for d in o.differing {
                h.append("<tr class=\"bad\"><td><code>\(e(d.node))</code></td><td>\(d.differs.map(\.rawValue).joined(separator: ", "))</td><td>\(e(o.differenceNote(d)))</td></tr>")
            }
            h.append("</tbody></table>")
        }
        return h
    }
}
