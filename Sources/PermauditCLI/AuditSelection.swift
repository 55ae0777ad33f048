import ArgumentParser
import Foundation
import Glibc
import PermauditAudit
import PermauditCore
import PermauditHost
import PermauditPolicy
import PermauditRules

/// What an audit looks at: the profile, its integrations and extra rules. `audit` and `fix` share it,
/// so a fix plans exactly what the same audit would report.
struct AuditSelection: ParsableArguments {
    @Option(name: .long, help: "The service profile (see `permaudit rules list`).")
    var profile = "elastic-agent"

    @Option(name: .long, help: ArgumentHelp("Only the rules these integrations need (comma-separated, e.g. system,docker).", valueName: "A,B"))
    var integration: String?

    @Option(name: .long, help: ArgumentHelp("Add (or replace by id) the rules of a folder.", valueName: "DIR"))
    var rules: String?

    @Option(name: .customLong("config-dir"), help: ArgumentHelp("The service's configuration folder (`${config-dir}` in rule paths); default: the profile's environment variable (ES_PATH_CONF for elasticsearch-node), else its default (/etc/elasticsearch).", valueName: "DIR"))
    var configDir: String?

    @OptionGroup
    var agentPolicy: AgentPolicyOption

    func validate() throws {
        if let integration, integration.split(separator: ",").isEmpty { throw ValidationError("--integration needs names, e.g. --integration system,docker") }
        if let configDir, !configDir.hasPrefix("/") { throw ValidationError("--config-dir \(configDir): give an absolute path") }
        if integration != nil, let file = agentPolicy.file {
            throw ValidationError("--integration and --agent-policy both choose what is judged: the policy \(file) names its integrations; drop --integration")
        }
    }

    /// The audit as it runs: the catalog, the profile, the principal (the given one, else the profile's),
    /// and the findings.
    struct Outcome {
        var profile: Profile
        var principal: Principal
        var findings: [Finding]
        var configDir: String?
        /// Which agent policy was followed (or that none was).
        var agentPolicy: AgentPolicyUse
        /// An Elasticsearch node's operator-privileges digest, when the profile judges a node's config.
        var elasticsearch: OperatorPrivilegesDigest?
    }

    /// The configuration folder: `--config-dir`, else the profile's environment variable, else its default.
    func configFolder(for profile: Profile) -> String? {
        if let configDir { return configDir }
        if let name = profile.configDirEnv, let v = ProcessInfo.processInfo.environment[name], !v.isEmpty { return v }
        return profile.configDir
    }

    /// What the audit judged: the findings and the policy it followed.
    struct Judged {
        var findings: [Finding]
        var use: AgentPolicyUse
        var policy: AgentPolicy?
    }

    /// The catalog (built in, plus `--rules`) and the chosen profile.
    func load() throws -> (catalog: RuleCatalog, profile: Profile) {
        var catalog: RuleCatalog
        do {
            catalog = try RuleCatalog.builtIn()
            if let rules { catalog = catalog.adding(try RuleCatalog.load(files: try RuleCatalog.files(in: rules))) }
        } catch {
            throw InputError(error.description)
        }
        guard let profile = catalog.profile(named: profile) else {
            throw InputError("no profile '\(self.profile)': known profiles are \(catalog.profiles.map(\.name).joined(separator: ", ")); add one with --rules DIR")
        }
        return (catalog, profile)
    }

    func run(on host: any PermauditHost.Host, principal options: PrincipalOptions) throws -> Outcome {
        let (catalog, profile) = try load()
        let who = try Self.resolvePrincipal(options, profile: profile, host: host).principal
        let dir = configFolder(for: profile)
        let judgesNode = catalog.rules.contains { profile.includes(ruleID: $0.id) && $0.check.kind == ElasticsearchConfig.kind }
        let judged = try judge(catalog: catalog, profile: profile, principal: who, host: host)
        return Outcome(
            profile: profile, principal: who, findings: judged.findings, configDir: dir, agentPolicy: judged.use,
            elasticsearch: judgesNode ? dir.map { OperatorPrivilegesDigest(files: ElasticsearchNodeFiles(host: host, configDir: $0)) } : nil)
    }

    /// The findings as the agent's policy (given, else installed) decides them; the whole catalog without one.
    func judge(catalog: RuleCatalog, profile: Profile, principal: Principal, host: any PermauditHost.Host, policyOverride: AgentPolicy? = nil) throws -> Judged {
        var (policy, use) = try agentPolicy.load(on: host)
        if let policyOverride {
            policy = policyOverride
            use.message += " as patched by this fix"
        }
        guard let policy else {
            return Judged(findings: findings(catalog: catalog, profile: profile, principal: principal, host: host), use: use, policy: nil)
        }
        let implications = PolicyImplications(policy, variables: AgentPolicyOption.variables(host))
        let raw = RawNameHost(base: host)
        let auditor = Auditor(host: raw, principal: principal, profile: profile, integrations: implications.integrations, configDir: configFolder(for: profile))
        let (found, notJudged) = PolicyAudit(auditor: auditor, rules: catalog.rules, implications: implications).run()
        var used = use
        used.notJudged = notJudged
        used.notInterpreted = implications.notInterpreted.map(\.description)
        if !notJudged.isEmpty { used.message += "; \(notJudged.count) catalog rule(s) not judged: the policy does not imply them" }
        if !used.notInterpreted.isEmpty { used.message += "; \(used.notInterpreted.count) part(s) of the policy not interpreted (see `permaudit policy show \(policy.file)`)" }
        return Judged(findings: found, use: used, policy: policy)
    }

    /// Every selected rule of the catalog, judged for one principal on one host.
    func findings(catalog: RuleCatalog, profile: Profile, principal: Principal, host: any PermauditHost.Host) -> [Finding] {
        Auditor(host: host, principal: principal, profile: profile, integrations: enabledIntegrations, configDir: configFolder(for: profile)).run(catalog.rules)
    }

    /// `--integration`, or nil when the audit is not narrowed.
    var enabledIntegrations: Set<String>? { integration.map { Set($0.split(separator: ",").map(String.init)) } }

    /// The principal options if given; else the profile's unit, user, or planned user. Also the systemd
    /// unit a fix writes drop-ins for: `--unit`, else the profile's unit when it is installed.
    static func resolvePrincipal(_ options: PrincipalOptions, profile: Profile, host h: any PermauditHost.Host) throws -> (principal: Principal, unit: String?) {
        let installedUnit = profile.unit.flatMap { (try? SystemdUnitCredentials.load($0, on: h)) != nil ? $0 : nil }
        var request = options.request
        if !options.isGiven {
            if let installedUnit {
                request.unit = installedUnit
            } else {
                request.user = profile.user
                request.group = h.accounts.user(named: profile.user) == nil ? nil : request.group
                request.plannedUser = profile.user
                request.plannedGroup = profile.group
            }
        }
        do { return (try PrincipalResolver.resolve(request, on: h), options.unit ?? installedUnit) } catch { throw InputError("\(error)") }
    }

    /// What the report says of the host: its name, root, OS and (live only) kernel.
    static func hostInfo(_ h: any PermauditHost.Host) -> AuditReport.HostInfo {
        let os = h.osRelease
        var name = ""
        if h.rootDescription != "/" {
            name = (try? h.readTextFile("/etc/hostname").get())?.split(separator: "\n").first.map(String.init) ?? ""
        }
        if name.isEmpty {
            var buffer = [CChar](repeating: 0, count: 256)
            gethostname(&buffer, 255)
            name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        var uts = utsname()
        uname(&uts)
        let kernel = withUnsafeBytes(of: uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return AuditReport.HostInfo(
            hostname: name, root: h.rootDescription, osID: os["ID"] ?? "unknown",
            osLike: os["ID_LIKE"]?.split(separator: " ").map(String.init) ?? [], kernel: h.rootDescription == "/" ? kernel : nil)
    }
}
