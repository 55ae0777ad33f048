import Foundation
import Glibc
import PermauditCore
import PermauditHost
import Testing

@testable import PermauditAudit
@testable import PermauditRules

/// The auditor on a real folder staged as the example host (`Tests/ExampleHost/`): one finding per rule and
/// object, with the kernel's evidence, for the principal the profile names — or the one an installer will create.
@Suite(
    .enabled(if: getuid() == 0, "needs root to stage the example host (chown to other users)"),
    .enabled(if: ReportTestSupport.which("setfacl") != nil, "needs setfacl to stage the example host (apt-get install acl)"))
struct AuditorRootedHostTests {
    /// The example host in a temporary folder, optionally edited after staging (as root).
    final class StagedHost {
        let root: URL
        init(_ edit: (URL) throws -> Void = { _ in }) throws {
            root = try ReportTestSupport.temporaryDirectory("audit-host")
            try stageExampleHost(at: root)
            try edit(root)
        }
        deinit { try? FileManager.default.removeItem(at: root) }

        /// Rewrites a text file of the host, keeping its owner and mode.
        static func rewrite(_ root: URL, _ path: String, _ change: (String) -> String) throws {
            let url = root.appendingPathComponent(String(path.dropFirst()))
            try change(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: false, encoding: .utf8)
        }

        /// The elastic-agent profile audited as `permaudit audit` does without principal options: the
        /// profile's user if it exists, else the planned user and group (preflight).
        func audit(integrations: Set<String>? = nil) throws -> (principal: Principal, findings: [Finding]) {
            let host = try RootedHost(root: root.path)
            let catalog = try RuleCatalog.builtIn()
            let profile = try #require(catalog.profile(named: "elastic-agent"))
            let principal = try PrincipalResolver.resolve(PrincipalRequest(plannedUser: profile.user, plannedGroup: profile.group), on: host)
            let findings = Auditor(host: host, principal: principal, profile: profile, integrations: integrations).run(catalog.rules)
            return (principal, findings)
        }
    }

    static func findings(_ all: [Finding], _ ruleID: String) -> [Finding] { all.filter { $0.ruleID == ruleID } }

    @Test func everyRuleOfTheProfileGivesAFindingWithAMessage() throws {
        let host = try StagedHost()
        let (_, findings) = try host.audit()
        let catalog = try RuleCatalog.builtIn()
        let profile = try #require(catalog.profile(named: "elastic-agent"))
        #expect(Set(findings.map(\.ruleID)) == Set(catalog.rules.map(\.id).filter(profile.includes(ruleID:))))
        #expect(findings.allSatisfy { !$0.message.isEmpty })
    }

    @Test func aFailingPathFindingCarriesTheKernelsEvidenceAndTheRule() throws {
        let host = try StagedHost()
        let (principal, findings) = try host.audit()
        #expect(principal.uid == 5101 && principal.gid == 6101 && !principal.isPlanned)

        let auth = Self.findings(findings, "linux.auth-log.read")
        // Every rotated copy is its own finding; only auth.log.1 carries the agent group's ACL entry.
        #expect(auth.map(\.object) == ["/var/log/auth.log", "/var/log/auth.log.1", "/var/log/auth.log.2.gz"])
        #expect(auth.map(\.state) == [.fail, .pass, .fail])
        #expect(auth.allSatisfy { $0.access == .read })

        let live = try #require(auth.first)
        let decision = try #require(live.decision)
        #expect(decision.verdict == .denied && decision.errno == .permissionDenied && decision.blockedAt == "/var/log/auth.log")
        #expect(decision.principal.uid == 5101)
        // The walk: search on /, /var, /var/log, then read on the file, refused by its other class.
        #expect(decision.evidence.map(\.path) == ["/", "/var", "/var/log", "/var/log/auth.log"])
        let target = try #require(decision.evidence.last)
        #expect(target.role == .target && target.outcome == .denied && target.owner == "root" && target.group == "adm")
        #expect(target.because.contains("other"))
        #expect(live.message.hasPrefix("elastic-agent-user cannot read /var/log/auth.log"))
        // What the user sees, and both fixes with what the broad one also opens.
        #expect(live.symptom?.contains("Harvester could not be started on new file") == true)
        #expect(live.documentedFix == "Add the agent's user to the adm group.")
        #expect(live.leastPrivilegeFix?.contains("setfacl -m g:elastic-agent:r") == true)
        #expect(live.warning?.contains("adm group opens every log") == true)

        let rotated = try #require(auth.dropFirst().first?.decision)
        #expect(rotated.verdict == .granted)
        #expect(rotated.evidence.last?.matchedEntry?.contains("elastic-agent") == true || rotated.evidence.last?.matchedEntry?.contains("6101") == true)
    }

    @Test func globsExpandOnTheHostWithoutDotFiles() throws {
        let host = try StagedHost { root in
            for name in ["var/log/.auth.log.swp", "var/log/nginx"] {
                let path = root.appendingPathComponent(name).path
                #expect(name.hasSuffix("nginx") ? mkdir(path, 0o755) == 0 : FileManager.default.createFile(atPath: path, contents: nil))
            }
        }
        let rooted = try RootedHost(root: host.root.path)
        let glob = PathGlob(host: rooted)
        #expect(glob.expand("/var/log/auth.log*").matches == ["/var/log/auth.log", "/var/log/auth.log.1", "/var/log/auth.log.2.gz"])
        #expect(glob.expand("/var/log/*auth.log*").matches == ["/var/log/auth.log", "/var/log/auth.log.1", "/var/log/auth.log.2.gz"])
        #expect(glob.expand("/var/log/.auth*").matches == ["/var/log/.auth.log.swp"])
        #expect(glob.expand("/run/user/*/gvfs").matches == ["/run/user/1000/gvfs"])
        #expect(glob.expand("/var/log/nginx/*.log*").matches == [])

        // The desktop user's gvfs folder sits in its 0700 runtime directory: the agent cannot statfs it.
        let (_, findings) = try host.audit()
        let gvfs = Self.findings(findings, "linux.gvfs.statfs")
        #expect(gvfs.map(\.object) == ["/run/user/1000/gvfs"])
        #expect(gvfs.map(\.state) == [.fail])
        #expect(gvfs.first?.decision?.blockedAt == "/run/user/1000")
        // A folder with no log in it: nothing to judge.
        #expect(Self.findings(findings, "linux.nginx-logs.read").map(\.state) == [.notApplicable])
    }

    @Test func aGroupFindingSaysWhichGroupsThePrincipalHas() throws {
        let host = try StagedHost()
        let (_, findings) = try host.audit()
        let journal = try #require(Self.findings(findings, "linux.journal.group").first)
        #expect(journal.state == .fail)
        #expect(journal.object == "group systemd-journal")
        #expect(journal.message == "elastic-agent-user is not in systemd-journal (gid 101)")
        #expect(journal.evidence == ["elastic-agent-user's groups: 6101(elastic-agent)", "/var/log/journal exists"])

        let broad = Self.findings(findings, "linux.groups.too-broad")
        #expect(broad.map(\.state) == [.pass])
    }

    @Test func inAdmTheLogsOpenAndTheAuditSaysWhatElseAdmOpens() throws {
        let host = try StagedHost { root in
            try StagedHost.rewrite(root, "/etc/group") { $0.replacingOccurrences(of: "adm:x:4:\n", with: "adm:x:4:elastic-agent-user\n") }
        }
        let (principal, findings) = try host.audit()
        #expect(principal.groups.contains(4))
        #expect(Self.findings(findings, "linux.auth-log.read").map(\.state) == [.pass, .pass, .pass])
        #expect(Self.findings(findings, "linux.syslog.read").map(\.state) == [.pass])

        let adm = Self.findings(findings, "linux.groups.too-broad")
        #expect(adm.map(\.object) == ["group adm"])
        #expect(adm.map(\.state) == [.fail])
        let evidence = try #require(adm.first?.evidence)
        #expect(evidence.first == "elastic-agent-user is in adm (gid 4)")
        // What adm opens beyond what the agent reads already: auth.log.1 is open to it by its ACL.
        let opened = evidence.filter { $0.hasPrefix("  ") && !$0.hasPrefix("  … and ") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(opened.contains("/var/log/auth.log") && opened.contains("/var/log/auth.log.2.gz") && opened.contains("/var/log/syslog"))
        #expect(!opened.contains("/var/log/auth.log.1"))
        let more = evidence.last.flatMap { $0.hasPrefix("  … and ") ? Int($0.split(separator: " ")[2]) : nil } ?? 0
        #expect(evidence.dropFirst().first == ReachDelta.sentence("group adm", opens: opened.count + more, under: ["/var/log", "/etc"], for: "elastic-agent-user") + ":")
    }

    @Test func preflightJudgesThePlannedPrincipalBeforeTheUserExists() throws {
        let host = try StagedHost { root in
            try StagedHost.rewrite(root, "/etc/passwd") { $0.split(separator: "\n").filter { !$0.hasPrefix("elastic-agent-user:") }.joined(separator: "\n") + "\n" }
            try StagedHost.rewrite(root, "/etc/group") { $0.split(separator: "\n").filter { !$0.hasPrefix("elastic-agent:") }.joined(separator: "\n") + "\n" }
        }
        let (principal, findings) = try host.audit()
        #expect(principal.isPlanned && principal.userName == "elastic-agent-user")
        #expect(principal.uid == PrincipalResolver.plannedUID && principal.groups == [PrincipalResolver.plannedGID])

        // The user owns nothing and its group is in no ACL yet: every log it will need is refused.
        let auth = Self.findings(findings, "linux.auth-log.read")
        #expect(auth.map(\.state) == [.fail, .fail, .fail])
        #expect(auth.allSatisfy { $0.decision?.principal.isPlanned == true })
        #expect(Self.findings(findings, "linux.journal.group").map(\.state) == [.fail])
        #expect(Self.findings(findings, "linux.install-path.search").map(\.state) == [.fail])
        // Operators cannot join a group that does not exist yet.
        let socket = try #require(Self.findings(findings, "linux.control-socket.operators").first)
        #expect(socket.state == .fail && socket.message == "there is no group elastic-agent for operators to join")
    }

    @Test func aPlannedUserInAnExistingGroupGetsThatGroupsEntries() throws {
        let host = try StagedHost { root in
            try StagedHost.rewrite(root, "/etc/passwd") { $0.split(separator: "\n").filter { !$0.hasPrefix("elastic-agent-user:") }.joined(separator: "\n") + "\n" }
        }
        let (principal, findings) = try host.audit()
        #expect(principal.isPlanned && principal.gid == 6101)
        #expect(Self.findings(findings, "linux.auth-log.read").map(\.state) == [.fail, .pass, .fail])
    }

    @Test func otherPlatformsAreNotApplicableOnLinuxAndSayWhy() throws {
        let host = try StagedHost()
        let (_, findings) = try host.audit()
        for rule in try RuleCatalog.builtIn().rules where !rule.platforms.contains(.linux) {
            let found = Self.findings(findings, rule.id)
            #expect(found.map(\.state) == [.notApplicable], "\(rule.id)")
            let platform = rule.platforms == [.windows] ? "Windows" : "macOS"
            #expect(found.first?.message.hasPrefix("\(platform) rule: evaluated from a facts file gathered on \(platform), not on this Linux host") == true)
        }
        // The documentation's Linux rows name /var/log/system.log: the report says it is a macOS file and what it means here.
        let systemLog = try #require(Self.findings(findings, "macos.system-log.read").first)
        #expect(systemLog.message.contains("/var/log/system.log is a macOS file, absent on Linux"))
        #expect(systemLog.message.contains("linux.syslog.read"))
        let security = try #require(Self.findings(findings, "windows.security-log.read").first)
        #expect(security.object == "Security")
    }

    @Test func distributionRulesFollowOSRelease() throws {
        let debian = try StagedHost()
        let onDebian = try debian.audit().findings
        let secure = try #require(Self.findings(onDebian, "linux.secure-log.read").first)
        #expect(secure.state == .notApplicable)
        #expect(secure.message == "for rhel, centos, fedora, rocky, almalinux, amzn, ol; this host is Debian GNU/Linux 12 (bookworm)")
        #expect(Self.findings(onDebian, "linux.auth-log.read").allSatisfy { $0.state != .notApplicable })

        // A Rocky host: ID=rocky, ID_LIKE="rhel centos fedora"; /var/log/secure root 0600.
        let rocky = try StagedHost { root in
            try "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nPRETTY_NAME=\"Rocky Linux 9.4\"\n"
                .write(to: root.appendingPathComponent("usr/lib/os-release"), atomically: false, encoding: .utf8)
            let secure = root.appendingPathComponent("var/log/secure").path
            #expect(FileManager.default.createFile(atPath: secure, contents: Data("x\n".utf8), attributes: [.posixPermissions: 0o600]))
        }
        let onRocky = try rocky.audit().findings
        let rockySecure = Self.findings(onRocky, "linux.secure-log.read")
        #expect(rockySecure.map(\.object) == ["/var/log/secure"])
        #expect(rockySecure.map(\.state) == [.fail])
        #expect(Self.findings(onRocky, "linux.auth-log.read").map(\.state) == [.notApplicable])
        #expect(Self.findings(onRocky, "linux.auth-log.read").first?.message == "for debian, ubuntu; this host is Rocky Linux 9.4")
    }

    @Test func integrationsSelectTheRulesThatApply() throws {
        let host = try StagedHost()
        let findings = try host.audit(integrations: ["system.auth", "endpoint"]).findings

        // A data stream that is named applies.
        #expect(Self.findings(findings, "linux.auth-log.read").allSatisfy { $0.state != .notApplicable })
        // Another data stream of the same integration: not applicable, and says what is enabled.
        let syslog = try #require(Self.findings(findings, "linux.syslog.read").first)
        #expect(syslog.state == .notApplicable)
        #expect(syslog.message == "needed by system.syslog, none of which is enabled (--integration endpoint,system.auth)")
        #expect(Self.findings(findings, "linux.gvfs.statfs").map(\.state) == [.notApplicable])
        // Rules that no integration names apply whatever is enabled.
        #expect(Self.findings(findings, "linux.groups.too-broad").map(\.state) == [.pass])
        // A root-only integration on an unprivileged agent fails; the Fleet-warned ones are not enabled.
        let rootOnly = try #require(Self.findings(findings, "all.integrations.root-only").first)
        #expect(rootOnly.state == .fail && rootOnly.message == "endpoint refuse to run without root")
        #expect(Self.findings(findings, "all.integrations.root-recommended").map(\.state) == [.notApplicable])
    }

    @Test func aParentIntegrationEnablesItsDataStreamsButNotTheReverse() throws {
        let host = try StagedHost()
        let system = try host.audit(integrations: ["system"]).findings
        for id in ["linux.auth-log.read", "linux.syslog.read", "linux.journal.group", "linux.gvfs.statfs"] {
            #expect(Self.findings(system, id).allSatisfy { $0.state != .notApplicable } && !Self.findings(system, id).isEmpty, "\(id)")
        }
        #expect(Self.findings(system, "linux.docker-socket.connect").map(\.state) == [.notApplicable])

        let onlyAuth = try host.audit(integrations: ["system.auth"]).findings
        #expect(Self.findings(onlyAuth, "linux.journal.group").map(\.state) == [.notApplicable])
    }

    @Test func withoutIntegrationsRootOnlyRulesLookAtTheProfilesDefaults() throws {
        let host = try StagedHost()
        let findings = try host.audit().findings
        let rootOnly = try #require(Self.findings(findings, "all.integrations.root-only").first)
        #expect(rootOnly.state == .notApplicable)
        #expect(rootOnly.message.hasSuffix("in the profile's default integrations (say --integration to audit a policy)"))
    }
}
