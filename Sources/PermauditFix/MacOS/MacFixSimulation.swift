import PermauditCore

extension MacShellScript {
    /// The host as it will be after the script ran: each ACL entry inserted where `chmod +a` puts it (chmod(1):
    /// at the top of the local allow entries, after the local deny entries), each configuration line edited.
    /// Re-judging these facts is how the plan shows that the fix works, and what it leaves failing.
    public func applied(to facts: MacHostFacts) -> MacHostFacts {
        var out = facts
        func grant(_ f: MacFileFacts) -> MacFileFacts {
            guard let step = aclSteps.first(where: { $0.file.path == f.path }), !f.acl.entries.contains(step.entry) else { return f }
            var g = f
            let at = g.acl.entries.firstIndex { $0.kind == .allow || $0.flags.contains(.inherited) } ?? g.acl.entries.count
            g.acl.entries.insert(step.entry, at: at)
            return g
        }
        if case .value(let f) = facts.systemLog { out.systemLog = .value(grant(f)) }
        if case .value(let r) = facts.rotatedLogs { out.rotatedLogs = .value(r.map(grant)) }
        func edit(_ files: [MacConfigLines]) -> [MacConfigLines] {
            files.map { file in
                var f = file
                f.lines = file.lines.map { l in
                    guard let e = edits.first(where: { $0.path == file.path && $0.line == l.number }), let after = e.after else { return l }
                    return MacConfigLines.Line(number: l.number, text: after)
                }
                return f
            }
        }
        if case .value(let a) = facts.aslConfig { out.aslConfig = .value(edit(a)) }
        if case .value(let n) = facts.newsyslogConfig { out.newsyslogConfig = .value(edit(n)) }
        return out
    }
}
