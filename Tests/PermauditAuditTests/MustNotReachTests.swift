import Foundation
import Glibc
import PermauditCore
import PermauditHost
import Testing

@testable import PermauditAudit
@testable import PermauditRules

/// `must-not-reach` on the example host staged in a folder: a failure names the grant that lets the
/// principal in (the engine's deciding step) and the change that removes exactly that path; holdings
/// beyond the enabled integrations' needs are named one by one.
@Suite(
    .enabled(if: getuid() == 0, "needs root to stage the example host (chown to other users)"),
    .enabled(if: ReportTestSupport.which("setfacl") != nil, "needs setfacl to stage the example host (apt-get install acl)"))
struct MustNotReachTests {
    typealias StagedHost = AuditorRootedHostTests.StagedHost

    static func audit(_ host: StagedHost, principal: Principal? = nil, integrations: Set<String>? = nil) throws -> [Finding] {
        let rooted = try RootedHost(root: host.root.path)
        let catalog = try RuleCatalog.builtIn()
        let profile = try #require(catalog.profile(named: "elastic-agent"))
        let who = try principal ?? PrincipalResolver.resolve(PrincipalRequest(user: profile.user), on: rooted)
        return Auditor(host: rooted, principal: who, profile: profile, integrations: integrations).run(catalog.rules)
    }

    static func sh(_ script: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "\(script)")
    }

    /// Each way a grant reaches the agent (uid 5101, group 6101 on the example host), and the fix that removes it.
    @Test(arguments: [
        ("a stray named user entry", "chmod 0640 etc/shadow; setfacl -m u:5101:r etc/shadow", "the named user entry user:5101:r--", "setfacl -x u:5101 -- /etc/shadow"),
        ("a stray named group entry", "chmod 0640 etc/shadow; setfacl -m g:6101:r etc/shadow", "the named group entry group:6101:r--", "setfacl -x g:6101 -- /etc/shadow"),
        ("the other bits", "chmod 0644 etc/shadow", "the other entry other::r--", "chmod o-r -- /etc/shadow"),
        ("the owning group", "chmod 0640 etc/shadow; chgrp 6101 etc/shadow", "the owning group entry group::r--", "gpasswd -d elastic-agent-user"),
    ])
    func aReadableSecretNamesTheGrantAndItsFix(_ what: String, _ setup: String, _ how: String, _ fix: String) throws {
        let host = try StagedHost { root in
            try Self.sh("cd '\(root.path)' && printf 'root:*:1::::::\\n' > etc/shadow && chown 0:0 etc/shadow && \(setup)")
        }
        let findings = try Self.audit(host).filter { $0.ruleID == "linux.system-secrets.must-not-read" }
        let fail = try #require(findings.first { $0.state == .fail }, "\(what): \(findings.map(\.message))")
        #expect(fail.object == "/etc/shadow" && fail.access == .read && fail.remedy == .revoke)
        #expect(fail.decision?.verdict == .granted && fail.decision?.principal.uid == 5101)
        #expect(fail.evidence.contains { $0.contains("elastic-agent-user can read it through \(how)") }, "\(fail.evidence)")
        #expect(fail.evidence.contains { $0.contains("fix: ") && $0.contains(fix) }, "\(fail.evidence)")
        // The others of the rule's objects still pass together, in one finding.
        #expect(findings.filter { $0.state == .fail }.count == 1)
    }

    @Test func aSecretNobodyElseReadsPasses() throws {
        let host = try StagedHost { root in
            try Self.sh("cd '\(root.path)' && printf 'root:*:1::::::\\n' > etc/shadow && chown 0:42 etc/shadow && chmod 0640 etc/shadow")
        }
        let findings = try Self.audit(host).filter { $0.ruleID == "linux.system-secrets.must-not-read" }
        #expect(findings.map(\.state) == [.pass], "\(findings.map(\.message))")
        #expect(findings.first?.message == "elastic-agent-user cannot read /etc/shadow")
    }

    @Test func writeOnRootsPathIsFoundThroughAGroupEntry() throws {
        let host = try StagedHost { root in
            try Self.sh("cd '\(root.path)' && mkdir -p usr/bin && printf '#!/bin/sh\\n' > usr/bin/tool && chmod 0755 usr/bin/tool && setfacl -m g:6101:rwx usr/bin/tool")
        }
        let findings = try Self.audit(host).filter { $0.ruleID == "linux.root-path.must-not-write" }
        let fail = try #require(findings.first { $0.state == .fail })
        #expect(fail.object == "/usr/bin/tool" && fail.access == .write)
        #expect(fail.evidence.contains { $0.contains("the named group entry group:6101:rwx") })
        // The folder itself is root's: the one clean object is named.
        #expect(findings.contains { $0.state == .pass && $0.message == "elastic-agent-user cannot write /usr/bin" }, "\(findings.map(\.message))")
    }

    @Test func capabilitiesAndGroupsBeyondTheEnabledIntegrationsAreNamed() throws {
        let host = try StagedHost()
        let rooted = try RootedHost(root: host.root.path)
        var agent = try PrincipalResolver.resolve(PrincipalRequest(user: "elastic-agent-user"), on: rooted)
        agent.capabilities = CapabilitySet([.sysPtrace, .netRaw])
        agent.groups.append(4)  // adm
        // Only logs enabled: nothing needs ptrace or raw sockets, nor adm.
        let logsOnly = try Self.audit(host, principal: agent, integrations: ["system.auth"]).filter { $0.ruleID == "linux.holdings.beyond-needs" }
        #expect(Set(logsOnly.filter { $0.state == .fail }.map(\.object)) == ["capability cap_sys_ptrace", "capability cap_net_raw", "group adm"], "\(logsOnly.map(\.message))")
        // Process data enabled: ptrace is needed, raw sockets still not.
        let processes = try Self.audit(host, principal: agent, integrations: ["system.process"]).filter { $0.ruleID == "linux.holdings.beyond-needs" }
        #expect(Set(processes.filter { $0.state == .fail }.map(\.object)) == ["capability cap_net_raw", "group adm"])
        let raw = try #require(processes.first { $0.object == "capability cap_net_raw" })
        #expect(raw.evidence.contains { $0.contains("linux.proc-io.ptrace needs cap_sys_ptrace") })
    }
}
