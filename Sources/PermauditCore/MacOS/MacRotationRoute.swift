/// How the next `/var/log/system.log` is created, read from the configuration lines that name it, and the
/// edit that makes the new file carry the agent's grant.
///
/// - ASL (`/etc/asl.conf`, asl.conf(5)): the output file line `> system.log mode=0640 ... uid=U gid=G`. syslogd
///   creates the file owned by the first `uid=` (default 0) and the first `gid=` (default 80, admin), with
///   `mode=`; every further `gid=`/`uid=` gets an ACL entry allowing read (Apple's syslog,
///   `asl_out_dst_set_access`). So `gid=80 gid=AGENT` keeps admin as the group and adds a read entry for the agent.
/// - newsyslog (`/etc/newsyslog.conf`, `/etc/newsyslog.d/*`, newsyslog.conf(5)): `logfile [owner:group] mode
///   count size when flags`. newsyslog creates the new file with that owner, group and mode and no ACL; the
///   only route is the group field: `root:elastic-agent` (which takes group read from admin for new files).
public enum MacRotationRoute {
    /// One configuration line that decides how the next system.log is made, and its fixed form.
    public struct Edit: Hashable, Sendable {
        public enum Kind: String, Sendable { case asl, newsyslog }
        public var kind: Kind
        public var path: String
        public var line: Int
        public var before: String
        /// nil when the line already keeps the grant.
        public var after: String?
        /// What the new file will have, in words, after the edit.
        public var effect: String
    }

    /// The edits that make the next system.log readable by the agent's group `gid` (named `group`).
    public static func edits(asl: [MacConfigLines], newsyslog: [MacConfigLines], agentGroup group: String, gid: UInt32) -> [Edit] {
        var out: [Edit] = []
        for file in asl {
            for l in file.lines where isASLOutputLine(l.text) {
                out.append(aslEdit(file.path, l, gid: gid))
            }
        }
        for file in newsyslog {
            for l in file.lines where isNewsyslogLine(l.text) {
                out.append(newsyslogEdit(file.path, l, group: group))
            }
        }
        return out
    }

    /// `> system.log ...` or `> /var/log/system.log ...`: the output file's creation options.
    static func isASLOutputLine(_ text: String) -> Bool {
        let w = words(text)
        guard w.count >= 2, w[0] == ">" else { return false }
        return w[1] == "system.log" || w[1] == "/var/log/system.log"
    }

    static func isNewsyslogLine(_ text: String) -> Bool {
        let w = words(text)
        guard let first = w.first, !first.hasPrefix("#") else { return false }
        return first == "/var/log/system.log"
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    static func aslEdit(_ path: String, _ l: MacConfigLines.Line, gid: UInt32) -> Edit {
        let w = words(l.text)
        let gids = w.filter { $0.hasPrefix("gid=") }.map { String($0.dropFirst(4)) }
        let uids = w.filter { $0.hasPrefix("uid=") }.map { String($0.dropFirst(4)) }
        let mode = w.first { $0.hasPrefix("mode=") }.map { String($0.dropFirst(5)) } ?? "0644"
        let owningGID = gids.first ?? "80"
        let groupReads = (Int(mode, radix: 8) ?? 0) & 0o040 != 0
        let effectAfter = "syslogd creates it owned by uid \(uids.first ?? "0"), group \(owningGID), mode \(mode), with a read ACL entry for gid \(gid)"
        if gids.contains(String(gid)), gids.first != String(gid) || groupReads {
            return Edit(kind: .asl, path: path, line: l.number, before: l.text, after: nil, effect: effectAfter)
        }
        if gids.first == String(gid) {
            // The agent's group owns the file but the mode gives it no read (syslogd ignores a repeated gid=): add g+r.
            let bits = (Int(mode, radix: 8) ?? 0) | 0o040
            let newMode = "mode=0" + String(bits, radix: 8)
            let k = w.firstIndex { $0.hasPrefix("mode=") }
            let after = k.map { replacingWord(in: l.text, at: $0, with: newMode) } ?? stripTrailing(l.text) + " " + newMode
            return Edit(kind: .asl, path: path, line: l.number, before: l.text, after: after, effect: "syslogd creates it owned by group \(gid) with \(newMode)")
        }
        let added = gids.isEmpty ? " gid=80 gid=\(gid)" : " gid=\(gid)"
        return Edit(kind: .asl, path: path, line: l.number, before: l.text, after: stripTrailing(l.text) + added, effect: effectAfter)
    }

    static func newsyslogEdit(_ path: String, _ l: MacConfigLines.Line, group: String) -> Edit {
        let w = words(l.text)
        let hasOwner = w.count > 1 && w[1].contains(":")
        let owner = hasOwner ? String(w[1].split(separator: ":", omittingEmptySubsequences: false)[0]) : "root"
        let currentGroup = hasOwner ? String(w[1].split(separator: ":", omittingEmptySubsequences: false).dropFirst().first ?? "") : "admin"
        let mode = w.count > (hasOwner ? 2 : 1) ? w[hasOwner ? 2 : 1] : "640"
        let effect = "newsyslog creates it as \(owner.isEmpty ? "root" : owner):\(group) mode \(mode) (no ACL: admin loses group read of new files)"
        if currentGroup == group {
            return Edit(kind: .newsyslog, path: path, line: l.number, before: l.text, after: nil, effect: effect)
        }
        // Replace (or insert) the owner:group field, keeping the rest of the line byte for byte.
        let field = "\(owner.isEmpty ? "root" : owner):\(group)"
        let after = replacingWord(in: l.text, at: hasOwner ? 1 : 0, with: hasOwner ? field : w[0] + "\t" + field)
        return Edit(kind: .newsyslog, path: path, line: l.number, before: l.text, after: after, effect: effect)
    }

    /// The line with its word number `k` replaced, every separator kept as it was.
    static func replacingWord(in text: String, at k: Int, with replacement: String) -> String {
        var out = ""
        var index = -1
        var inWord = false
        for c in text {
            let sep = c == " " || c == "\t"
            if !sep && !inWord { index += 1 }
            inWord = !sep
            if !sep && index == k {
                if out.hasSuffix("\u{0}") { continue }
                out += replacement + "\u{0}"
                continue
            }
            if out.hasSuffix("\u{0}") { out.removeLast() }
            out.append(c)
        }
        if out.hasSuffix("\u{0}") { out.removeLast() }
        return out
    }

    static func stripTrailing(_ s: String) -> String {
        var t = Substring(s)
        while t.last == " " || t.last == "\t" { t = t.dropLast() }
        return String(t)
    }
}
