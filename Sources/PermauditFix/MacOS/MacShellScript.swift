import PermauditAudit
import PermauditCore

/// The macOS fix as a POSIX `sh` script and its rollback: `chmod +a "group:G allow read"` on
/// `/var/log/system.log` and its rotated copies, and the rotation route (`MacRotationRoute`) so that the next
/// file syslogd or newsyslog creates carries the grant too.
///
/// The promises of the bash fixes, in `sh`: `set -eu`; root only; `--dry-run`; idempotent (an entry already
/// there, a line already edited: "unchanged"); each target re-checked just before it is touched (not a
/// symlink, same type, owner, device and inode as in the facts) and skipped loudly otherwise (exit 1 at the
/// end); the ACL (`ls -led`) and each config file saved before the first change; every path and line a
/// single-quoted word (exact for any bytes but NUL).
public struct MacShellScript: Sendable {
    public struct ACLStep: Hashable, Sendable {
        public var file: MacFileFacts
        public var entry: MacACLEntry
    }

    public var planID: String
    public var source: String
    public var agentGroup: String
    public var agentGID: UInt32
    public var aclSteps: [ACLStep]
    public var edits: [MacRotationRoute.Edit]
    /// Why nothing can be planned, when that is the case.
    public var refusal: String?
    /// The files the agent still cannot read after its step (a deny entry that `chmod +a`'s allow lands after), and why.
    public var stillDenied: [String: String] = [:]
    /// What the documented broad fix (the agent in `admin`) opens, re-judged on the facts: each file the
    /// agent cannot read now and could read as a member of admin.
    public var adminOpens: [String] = []

    public static let stateRoot = "/var/db/permaudit/fix"

    /// Plans the fix from the facts for the agent's group (`--group`, else the facts' agent-group).
    public init(facts: MacHostFacts, source: String, collectedAt: String, group: String?) {
        self.source = source
        let g = facts.agentGroup.value
        agentGroup = group ?? g?.name ?? "elastic-agent"
        agentGID = g?.gid ?? facts.identity?.principal.gid ?? 0
        planID = "macos-" + String(Fingerprint.fnv1a64("\(source)\u{0}\(collectedAt)\u{0}\(agentGroup)").prefix(12))
        let entry = MacACLEntry(qualifier: .group(agentGroup), kind: .allow, rights: .read)
        var files: [MacFileFacts] = []
        if let f = facts.systemLog.value { files.append(f) }
        files += facts.rotatedLogs.value ?? []
        aclSteps = files.filter { $0.type == .regular }.map { ACLStep(file: $0, entry: entry) }
        edits = MacRotationRoute.edits(
            asl: facts.aslConfig.value ?? [], newsyslog: facts.newsyslogConfig.value ?? [], agentGroup: agentGroup, gid: agentGID)
        if let who = facts.identity, let admin = facts.adminGroup.value?.gid {
            var broad = who
            broad.principal.groups.append(admin)
            broad.principal.groupNames[admin] = "admin"
            for f in (facts.systemLog.value.map { [$0] } ?? []) + (facts.rotatedLogs.value ?? [])
            where MacAccessCheck.decide(f, .read, for: who).verdict != .granted && MacAccessCheck.decide(f, .read, for: broad).verdict == .granted {
                adminOpens.append(f.path)
            }
        }
        if let who = facts.identity {
            let after = applied(to: facts)
            for f in (after.systemLog.value.map { [$0] } ?? []) + (after.rotatedLogs.value ?? []) {
                let d = MacAccessCheck.decide(f, .read, for: who)
                if d.verdict != .granted { stillDenied[f.path] = d.reason }
            }
        }
        refusal = facts.systemLog.value == nil ? "the facts hold no /var/log/system.log (\(facts.systemLog.problem ?? "absent"))" : (g?.gid == nil && group == nil ? "the facts do not say the gid of group \(agentGroup)" : nil)
    }

    // MARK: - Text

    public func script(rollbackName: String) -> String {
        var s = header("fix", "Undo it with \(rollbackName) (it uses what this script saves in \(Self.stateRoot)/\(planID)).")
        s += Self.common + stateLine + "\n" + Self.fixFunctions
        s += "require_root\n\n"
        var n = 0
        for a in aclSteps {
            n += 1
            s += "# step \(n): \(comment(a.file.path)) (\(a.file.owner):\(a.file.group) \(a.file.modeString)): add `\(a.entry)`\n"
            if let why = stillDenied[a.file.path] {
                s += "# WARNING: still denied after this step: \(comment(why)). Remove that entry by hand (chmod -a# N), then run permaudit again.\n"
                s += "say \(Self.q("step \(n): warning: \(a.file.path) is still denied after this step (\(why))"))\n"
            }
            s += "step_acl \(n) \"$root\"\(Self.q(a.file.path)) \(Self.q(Self.typeWord(a.file.type))) \(a.file.uid) \(a.file.device) \(a.file.inode) \(Self.q(a.entry.description))\n\n"
        }
        for e in edits {
            n += 1
            s += "# step \(n): \(comment(e.path)):\(e.line) (\(e.kind.rawValue)): \(comment(e.effect))\n"
            if let after = e.after {
                s += "step_line \(n) \"$root\"\(Self.q(e.path)) \(e.line) \(Self.q(e.before)) \(Self.q(after)) \(e.kind.rawValue)\n\n"
            } else {
                s += "say \(Self.q("step \(n): unchanged: \(e.path):\(e.line) already keeps the grant"))\n\n"
            }
        }
        if edits.isEmpty {
            s += "# No line of /etc/asl.conf, /etc/asl/* or /etc/newsyslog* names system.log in the facts: nothing says how the\n"
            s += "# next file is made, so the grant may not survive rotation. Gather the facts again after checking.\n"
            s += "say 'warning: no rotation rule for system.log was found; the grant may be lost at the next rotation'\n\n"
        }
        s += Self.reloadAndFinish
        return s
    }

    public func rollback(scriptName: String) -> String {
        var s = header("rollback", "Undoes \(scriptName): removes the entries it added and puts back the lines it edited.")
        s += Self.common + stateLine + "\n" + Self.rollbackFunctions
        s += "require_root\n\n"
        var steps: [String] = []
        var n = 0
        for a in aclSteps {
            n += 1
            steps.append("undo_acl \(n) \"$root\"\(Self.q(a.file.path)) \(Self.q(Self.typeWord(a.file.type))) \(a.file.uid) \(Self.q(a.entry.description))\n")
        }
        for e in edits {
            n += 1
            if let after = e.after { steps.append("undo_line \(n) \"$root\"\(Self.q(e.path)) \(e.line) \(Self.q(after)) \(e.kind.rawValue)\n") }
        }
        s += steps.reversed().joined()
        s += "\n" + Self.reloadAndFinish
        return s
    }

    func header(_ title: String, _ other: String) -> String {
        """
        #!/bin/sh
        # permaudit fix plan \(planID) (\(title)) for macOS: group \(comment(agentGroup)) reads /var/log/system.log,
        # now and after rotation. Planned from the facts file \(comment(source)).
        # \(other)
        # Run as root: sudo sh \(title == "fix" ? "THIS.sh" : "THIS.rollback.sh") [--dry-run]
        #
        # The narrowest grant: one ACL entry, `\(comment("group:\(agentGroup) allow read"))`, evaluated by macOS before the mode.
        # The documented fix is broader: `dseditgroup -o edit -a elastic-agent-user -t user admin` makes the agent a
        # local administrator: with the stock sudoers (%admin ALL=(ALL) ALL) it may run anything as root once it has a
        # password, it may install software and change System Settings, and it reads every root:admin file (every
        # /var/log/*.log ASL writes as root:admin 0640, /Library/Logs). This script does not do that.
        # Re-judged on these facts, admin would open read on: \(adminOpens.isEmpty ? "none of the files collected" : comment(adminOpens.joined(separator: ", "))),
        # and every other root:admin file of the Mac, which the facts do not list.

        """
    }

    func comment(_ text: String) -> String { BashQuote.commentText(text) }

    /// A single-quoted `sh` word: exact for any bytes but NUL (a `'` becomes `'\''`).
    static func q(_ text: String) -> String { "'" + text.replacingAll("'", with: "'\\''") + "'" }

    static func typeWord(_ t: FileType) -> String { t == .regular ? "Regular File" : t.rawValue }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
