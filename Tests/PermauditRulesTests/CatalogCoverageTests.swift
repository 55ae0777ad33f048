import Testing

@testable import PermauditRules

/// Every row of both tables of `/work/shared/CATALOG.md` has its rule, mapped here by hand, and each
/// rule looks at the row's object and quotes what the user sees.
@Suite struct CatalogCoverageTests {
    struct Row: Sendable, CustomTestStringConvertible {
        enum Table: String, Sendable { case documented, beyond }
        var table: Table
        var object: String
        /// The rule ids for the row, each with words its check must describe (`RuleDocs.describe`).
        var rules: [(id: String, checks: String)]
        /// Part of what the user sees (the row's error text), in one of the rules' symptoms.
        var symptom: String
        /// The row names a broad fix to warn about: every rule of it carries a warning.
        var broadFix: Bool
        var testDescription: String { "\(table.rawValue): \(object)" }
    }

    static let rows: [Row] = [
        // Documented failures (the unprivileged-mode page).
        Row(table: .documented, object: "macOS /var/log/system.log",
            rules: [("macos.system-log.read", "path `/var/log/system.log`")],
            symptom: "Failed opening /var/log/system.log", broadFix: true),
        Row(table: .documented, object: "other users' processes",
            rules: [("linux.processes.visibility", "cap_sys_ptrace, cap_dac_read_search"), ("macos.processes.visibility", "group `admin`")],
            symptom: "Only the agent's own processes", broadFix: true),
        Row(table: .documented, object: "/var/log/auth.log and rotated auth.log.N",
            rules: [("linux.auth-log.read", "read on `/var/log/auth.log*`")],
            symptom: "Harvester could not be started on new file: /var/log/auth.log.1", broadFix: true),
        Row(table: .documented, object: "/run/user/*/gvfs",
            rules: [("linux.gvfs.statfs", "statfs on `/run/user/*/gvfs`")],
            symptom: "error getting filesystem usage for /run/user/1000/gvfs: error in Statfs syscall: permission denied", broadFix: true),
        Row(table: .documented, object: "Security event log channel",
            rules: [("windows.security-log.read", "channel `Security`, reader-group-sid `S-1-5-32-573`")],
            symptom: #"failed to open Windows Event Log channel "Security": Access is denied"#, broadFix: true),
        Row(table: .documented, object: #"HKLM\SYSTEM\CurrentControlSet\Services\PartMgr"#,
            rules: [("windows.partmgr.registry", #"key `HKLM\SYSTEM\CurrentControlSet\Services\PartMgr`, rights `0x2001F`"#)],
            symptom: "cannot open new key in the registry in order to enable the performance counters: Access is denied", broadFix: true),
        Row(table: .documented, object: #"volume \\.\C:"#,
            rules: [("windows.volume.open", #"volume `\\.\C:`"#)],
            symptom: "Disk usage visualizations", broadFix: true),
        Row(table: .documented, object: "Windows: other users' processes",
            rules: [("windows.processes.open", "privilege `SeDebugPrivilege`")],
            symptom: "incomplete", broadFix: true),
        Row(table: .documented, object: "agent control socket and pipe",
            rules: [("linux.control-socket.operators", "`/opt/Elastic/Agent/elastic-agent.sock`"), ("windows.control-pipe.connect", "pipe `elastic-agent-system`")],
            symptom: "failed to communicate with the Elastic Agent daemon", broadFix: true),
        Row(table: .documented, object: "integrations that need root",
            rules: [("all.integrations.root-only", "elastic-defend, profiler, universal-profiling refuse to run without root"),
                    ("all.integrations.root-recommended", "auditd_manager, fim, file_integrity, network_traffic, system_audit warn without root")],
            symptom: "requires Elastic Agent to", broadFix: false),
        // Beyond the page.
        Row(table: .beyond, object: "RHEL /var/log/secure*, /var/log/messages*",
            rules: [("linux.secure-log.read", "read on `/var/log/secure*`"), ("linux.messages.read", "read on `/var/log/messages*`")],
            symptom: "permission denied", broadFix: true),
        Row(table: .beyond, object: "/var/log/syslog*, /var/log/messages*",
            rules: [("linux.syslog.read", "read on `/var/log/syslog*`"), ("linux.messages.read", "read on `/var/log/messages*`")],
            symptom: "Syslog dashboard stays empty", broadFix: true),
        Row(table: .beyond, object: "/var/log/journal, /run/log/journal",
            rules: [("linux.journal.group", "in systemd-journal (when /var/log/journal or /run/log/journal exists)")],
            symptom: "(silent)", broadFix: true),
        Row(table: .beyond, object: "/var/log/audit/audit.log",
            rules: [("linux.audit-log.read", "read on `/var/log/audit/audit.log*`")],
            symptom: "permission denied", broadFix: true),
        Row(table: .beyond, object: "/proc mounted hidepid=",
            rules: [("linux.processes.visibility", "/proc hidepid")],
            symptom: "Only the agent's own processes", broadFix: true),
        Row(table: .beyond, object: "/proc/<pid>/io, fd/",
            rules: [("linux.proc-io.ptrace", "holds cap_sys_ptrace")],
            symptom: "/io unavailable; ... use SYS_PTRACE", broadFix: true),
        Row(table: .beyond, object: "/var/run/docker.sock",
            rules: [("linux.docker-socket.connect", "write on `/var/run/docker.sock`")],
            symptom: "docker", broadFix: true),
        Row(table: .beyond, object: "/var/lib/docker/containers/*/*-json.log",
            rules: [("linux.docker-logs.read", "read on `/var/lib/docker/containers/*/*-json.log`")],
            symptom: "permission denied", broadFix: true),
        Row(table: .beyond, object: "nginx, apache2, postgresql, mysql logs",
            rules: [("linux.nginx-logs.read", "read on `/var/log/nginx/*.log*`"), ("linux.apache2-logs.read", "read on `/var/log/apache2/*.log*`"),
                    ("linux.postgresql-logs.read", "read on `/var/log/postgresql/*.log*`"), ("linux.mysql-logs.read", "read on `/var/log/mysql/*.log*`")],
            symptom: "permission denied", broadFix: true),
        Row(table: .beyond, object: "path from / to the install directory",
            rules: [("linux.install-path.search", "search on `/opt/Elastic/Agent`")],
            symptom: "agent fails to start", broadFix: true),
        Row(table: .beyond, object: "systemd over D-Bus",
            rules: [("linux.systemd-dbus.connect", "write on `/run/dbus/system_bus_socket`")],
            symptom: "ListUnitsByPatterns", broadFix: true),
        Row(table: .beyond, object: "Windows performance counters",
            rules: [("windows.perf-counters.read", "group-sid `S-1-5-32-558`")],
            symptom: "perfmon", broadFix: true),
        Row(table: .beyond, object: "Sysmon and other custom event channels",
            rules: [("windows.sysmon-channel.read", "channel `Microsoft-Windows-Sysmon/Operational`")],
            symptom: "ErrorCode 5", broadFix: true),
    ]

    static let catalog: RuleCatalog? = try? RuleCatalog.builtIn()

    @Test func theBuiltInCatalogLoads() throws {
        _ = try RuleCatalog.builtIn()
    }

    @Test(arguments: rows)
    func everyCatalogRowHasItsRules(_ row: Row) throws {
        let catalog = try #require(Self.catalog)
        var symptoms: [String] = []
        for (id, checks) in row.rules {
            let rule = try #require(catalog.rule(id: id), "no rule \(id) for \(row.object)")
            #expect(RuleDocs.describe(rule.check).contains(checks), "\(id) checks \(RuleDocs.describe(rule.check))")
            if row.broadFix {
                #expect(rule.warning?.isEmpty == false, "\(id): the row's broad fix needs a warning saying what it also opens")
            }
            symptoms.append(rule.symptom)
        }
        #expect(symptoms.contains { $0.contains(row.symptom) }, "none of \(row.rules.map(\.id)) quotes \(row.symptom)")
    }

    @Test func everyRuleIsInARowOrGuardsAgainstABroadFix() throws {
        let catalog = try #require(Self.catalog)
        // Rules of the "fixes that are too broad" section, not of a table row.
        let guards: Set<String> = ["linux.groups.too-broad", "linux.capabilities.too-broad"]
        // Issue 16: the "nothing more" half (must-not-reach), and the Elasticsearch node (seeds 001, 002).
        let secondHalf: Set<String> = [
            "linux.system-secrets.must-not-read", "linux.service-secrets.must-not-read", "linux.own-binaries.must-not-write",
            "linux.unit-file.must-not-write", "linux.root-path.must-not-write", "linux.holdings.beyond-needs",
            "linux.elasticsearch.config.service-reads", "linux.elasticsearch.secrets.others-cannot-read",
            "linux.elasticsearch.secrets.others-cannot-write", "linux.elasticsearch.operator-privileges.users-file",
            "linux.elasticsearch.operator-privileges.rbac", "linux.elasticsearch.operator-privileges.run-as",
            "linux.elasticsearch.file-realm.superuser", "linux.elasticsearch.file-realm.system-roles",
            "linux.elasticsearch.file-realm.deprecated-roles", "linux.elasticsearch.file-realm.unknown-roles",
        ]
        let mapped = Set(Self.rows.flatMap { $0.rules.map(\.id) }).union(guards).union(secondHalf)
        #expect(Set(catalog.rules.map(\.id)).subtracting(mapped).sorted() == [])
        #expect(mapped.subtracting(catalog.rules.map(\.id)).sorted() == [])
    }

    @Test func everyRuleHasTheFieldsTheSchemaRequires() throws {
        let catalog = try #require(Self.catalog)
        for rule in catalog.rules {
            #expect(RuleFileParser.isValidID(rule.id), "\(rule.id)")
            #expect(!rule.title.isEmpty && !rule.summary.isEmpty, "\(rule.id): title and summary")
            #expect(!rule.symptom.isEmpty, "\(rule.id): symptom")
            #expect(!rule.documentedFix.isEmpty && !rule.leastPrivilegeFix.isEmpty, "\(rule.id): documented and least-privilege fix")
            #expect(!rule.sources.isEmpty && rule.sources.allSatisfy { !$0.isEmpty }, "\(rule.id): sources")
            #expect(rule.documentedFix != rule.leastPrivilegeFix, "\(rule.id): the narrow fix repeats the documented one")
            // The id says where the rule applies: its one platform, or `all`.
            let prefix = rule.platforms.count == 1 ? rule.platforms.first!.rawValue : "all"
            #expect(rule.id.hasPrefix(prefix + "."), "\(rule.id) is for \(rule.platforms.sorted())")
        }
    }

    @Test func idsAreUnique() throws {
        // Read the folder file by file: RuleCatalog.load would refuse duplicates before we could count them.
        var seen: [String: String] = [:]
        for (name, text) in try RepositoryFiles.ruleFiles() {
            for rule in try RuleFileParser.parse(file: name, text: text).rules {
                #expect(seen[rule.id] == nil, "\(rule.id) in \(name) and \(seen[rule.id] ?? "")")
                seen[rule.id] = name
            }
        }
        #expect(seen.count == (try #require(Self.catalog)).rules.count)
    }

    @Test func theElasticsearchNodeProfileJudgesTheNodeAndTheHostsSecrets() throws {
        let catalog = try #require(Self.catalog)
        let profile = try #require(catalog.profile(named: "elasticsearch-node"))
        #expect(profile.user == "elasticsearch" && profile.configDir == "/etc/elasticsearch" && profile.configDirEnv == "ES_PATH_CONF")
        let ids = catalog.rules.map(\.id).filter(profile.includes(ruleID:))
        #expect(ids.contains("linux.system-secrets.must-not-read") && !ids.contains("linux.auth-log.read"))
        #expect(ids.filter { $0.hasPrefix("linux.elasticsearch.") }.count == 10, "\(ids)")
    }

    @Test func theElasticAgentProfileResolves() throws {
        let catalog = try #require(Self.catalog)
        let profile = try #require(catalog.profile(named: "elastic-agent"))
        #expect(profile.user == "elastic-agent-user" && profile.group == "elastic-agent")
        for pattern in profile.rules {
            let positive = pattern.hasPrefix("!") ? String(pattern.dropFirst()) : pattern
            #expect(catalog.rules.contains { Glob.matches(positive, $0.id) }, "profile rule pattern \(pattern) matches no rule")
        }
        // The node's rules are the node profile's: the agent's audit does not judge a node it is not.
        #expect(!profile.includes(ruleID: "linux.elasticsearch.file-realm.superuser"))
        #expect(profile.includes(ruleID: "linux.system-secrets.must-not-read") && profile.includes(ruleID: "linux.auth-log.read"))
        for name in profile.defaultIntegrations {
            #expect(catalog.rules.contains { $0.integrations.contains { $0 == name || $0.hasPrefix(name + ".") } },
                    "default integration \(name) is needed by no rule")
        }
    }

    // MARK: - Where the documented fixes are wrong or too broad

    @Test func gvfsSaysNoPermissionFixesItAndGivesTheConfiguration() throws {
        let gvfs = try #require(Self.catalog?.rule(id: "linux.gvfs.statfs"))
        #expect(gvfs.remedy == .configuration)
        #expect(gvfs.documentedFix.contains("adm"))
        #expect(gvfs.warning?.contains("does nothing") == true)
        #expect(gvfs.leastPrivilegeFix.contains("fuse.gvfsd-fuse"))
    }

    @Test func eventLogReadersIsMatchedBySIDAndThePagesWordingIsNamed() throws {
        let security = try #require(Self.catalog?.rule(id: "windows.security-log.read"))
        guard case .windows(.eventChannel, let fields) = security.check else {
            Issue.record("\(security.check)")
            return
        }
        #expect(fields["reader-group-sid"] == "S-1-5-32-573")
        #expect(security.leastPrivilegeFix.contains("Event Log Readers"))
        #expect(security.documentedFix.contains("Event Log Users"))
    }

    @Test func onlyMacOSRulesLookAtSystemLog() throws {
        let catalog = try #require(Self.catalog)
        let readers = catalog.rules.filter { RuleDocs.describe($0.check).contains("/var/log/system.log") }
        #expect(readers.map(\.id) == ["macos.system-log.read"])
        #expect(readers.allSatisfy { $0.platforms == [.macos] })
    }

    @Test func aRuleWhoseDocumentedFixIsABroadGroupWarnsAndFixesNarrower() throws {
        let catalog = try #require(Self.catalog)
        let broad = ["adm", "admin", "wheel", "docker"]
        let suggestingGroups = catalog.rules.filter { r in broad.contains { r.documentedFix.contains(" \($0) group") || r.documentedFix.contains(" \($0) ") } }
        #expect(suggestingGroups.count >= 10)
        for rule in suggestingGroups {
            #expect(rule.warning?.isEmpty == false, "\(rule.id) suggests a broad group without saying what it opens")
            #expect(!broad.contains { rule.leastPrivilegeFix.contains("to the \($0) group") }, "\(rule.id)'s narrow fix is the broad group")
        }
        guard case .groupMembership(_, let tooBroad, _) = try #require(catalog.rule(id: "linux.groups.too-broad")).check else {
            Issue.record("linux.groups.too-broad is not a group check")
            return
        }
        #expect(Set(["adm", "admin", "wheel", "docker"]).isSubset(of: tooBroad))
    }
}
