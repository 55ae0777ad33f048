import PermauditCore
import Testing

/// The line that decides how the next system.log is created, and the edit that keeps the agent's grant.
struct MacRotationRouteRow: CustomTestStringConvertible, Sendable {
    var name: String
    var asl: [String] = []
    var newsyslog: [String] = []
    /// The edited line, or nil when the line already keeps the grant.
    var after: String?
    var testDescription: String { name }
}

let rotationRows: [MacRotationRouteRow] = [
    MacRotationRouteRow(name: "macOS's own line: admin stays the group (gid=80 first), the agent gets a read entry",
        asl: ["> system.log mode=0640 format=bsd rotate=seq compress file_max=5M all_max=50M"],
        after: "> system.log mode=0640 format=bsd rotate=seq compress file_max=5M all_max=50M gid=80 gid=403"),
    MacRotationRouteRow(name: "a line with its own gid= keeps it first and adds the agent's",
        asl: ["> /var/log/system.log mode=0640 uid=0 gid=80"], after: "> /var/log/system.log mode=0640 uid=0 gid=80 gid=403"),
    MacRotationRouteRow(name: "already there: nothing to change", asl: ["> system.log mode=0640 gid=80 gid=403"], after: nil),
    MacRotationRouteRow(name: "the agent's group owns the file but the mode has no group read: syslogd ignores a repeated gid=, so the mode gains g+r",
        asl: ["> system.log mode=0600 gid=403"], after: "> system.log mode=0640 gid=403"),
    MacRotationRouteRow(name: "newsyslog: the owner:group field becomes root:elastic-agent, separators kept",
        newsyslog: ["/var/log/system.log\troot:admin\t640  7\t*\t@T00\tJ"], after: "/var/log/system.log\troot:elastic-agent\t640  7\t*\t@T00\tJ"),
    MacRotationRouteRow(name: "newsyslog without owner:group: the field is inserted",
        newsyslog: ["/var/log/system.log 640 7 * @T00 J"], after: "/var/log/system.log\troot:elastic-agent 640 7 * @T00 J"),
]

@Test("rotation route edits", arguments: rotationRows)
func rotationRoute(_ row: MacRotationRouteRow) {
    func lines(_ path: String, _ texts: [String]) -> [MacConfigLines] {
        texts.isEmpty ? [] : [MacConfigLines(path: path, lines: texts.enumerated().map { MacConfigLines.Line(number: $0.offset + 10, text: $0.element) })]
    }
    let edits = MacRotationRoute.edits(asl: lines("/etc/asl.conf", row.asl), newsyslog: lines("/etc/newsyslog.conf", row.newsyslog), agentGroup: "elastic-agent", gid: 403)
    #expect(edits.count == 1)
    #expect(edits.first?.after == row.after)
    #expect(edits.first?.line == 10)
}

@Test("query rules and comments that mention system.log are not output lines")
func rotationRouteIgnoresOthers() {
    let asl = MacConfigLines(path: "/etc/asl.conf", lines: [
        .init(number: 1, text: "# Rules for /var/log/system.log"), .init(number: 2, text: "? [= Sender kernel] file system.log"),
    ])
    let news = MacConfigLines(path: "/etc/newsyslog.conf", lines: [.init(number: 3, text: "# /var/log/system.log 640 7 * @T00 J")])
    #expect(MacRotationRoute.edits(asl: [asl], newsyslog: [news], agentGroup: "elastic-agent", gid: 403).isEmpty)
}
