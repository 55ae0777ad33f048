import ArgumentParser
import Glibc
import PermauditAudit
import PermauditCore
import PermauditFacts
import PermauditHost

extension Access: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Permaudit {
    /// `permaudit explain PATH --access A`: the verdict and every step the kernel takes.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Explain whether a principal can access a path, step by step, as the kernel decides it.",
            discussion: "Exit status: 0 granted, 1 denied, 3 unknown (permaudit could not look), 2 bad input.")

        @Argument(help: "The path to judge (absolute, or relative to the current directory); with --facts, the object of the facts (a registry key, event channel, service or pipe).")
        var path: String?

        @OptionGroup(title: "Principal")
        var principal: PrincipalOptions

        @OptionGroup(title: "Host")
        var host: HostOptions

        @OptionGroup(title: "Facts (a Windows or macOS host)")
        var facts: FactsOptions

        @Option(name: .long, help: ArgumentHelp("The access: \(Access.helpText); on Windows (--facts, --sddl) rights as a hex mask (0x2001F) or names (query-value,set-value, read).", valueName: "ACCESS"))
        var access = "read"

        @OptionGroup(title: "Agent policy")
        var agentPolicy: AgentPolicyOption

        @Option(name: .long, help: ArgumentHelp("Judge one Windows security descriptor, as Get-Acl or wevtutil gl print it (with --sid, --groups, --object).", valueName: "SDDL"))
        var sddl: String?

        @Option(name: .long, help: ArgumentHelp("With --sddl: the account's SID; its groups' SIDs go in --groups S-1-5-32-573,...", valueName: "SID"))
        var sid: String?

        @Option(name: .long, help: "With --sddl: what the descriptor protects, for the generic rights: registry-key, event-channel, service or file (default).")
        var object: WindowsObjectKind = .file

        @Option(name: .long, help: ArgumentHelp("With --sddl: privileges the token holds (SeSecurityPrivilege,SeTakeOwnershipPrivilege).", valueName: "P,P"))
        var privileges: String?

        @Option(name: .customLong("domain-sid"), help: ArgumentHelp("With --sddl: the domain's SID, for the domain aliases (DA, DU, DC, ...).", valueName: "SID"))
        var domainSID: String?

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(name: .long, help: "Output format: text or json.")
        var format: Format = .text

        func validate() throws {
            if sddl != nil {
                if facts.facts != nil || host.root != nil { throw ValidationError("--sddl judges the descriptor given; --facts and --root do not apply") }
                if principal.user != nil || principal.pid != nil || principal.unit != nil || principal.caps != nil || principal.group != nil {
                    throw ValidationError("--sddl judges a Windows token: give --sid SID and --groups SID,SID (not --user, --pid, --unit, --group, --caps)")
                }
                if path != nil { throw ValidationError("--sddl takes no PATH") }
                if let d = domainSID, SID(string: d) == nil { throw ValidationError("--domain-sid \(d): not a SID (S-1-5-21-...)") }
                for p in privileges?.split(separator: ",") ?? [] where !p.hasPrefix("Se") || !p.hasSuffix("Privilege") {
                    throw ValidationError("--privileges: '\(p)' is not a privilege name (SeSecurityPrivilege, SeTakeOwnershipPrivilege)")
                }
                guard let sid else { throw ValidationError("--sddl needs --sid SID: the account judged (S-1-5-21-...)") }
                if SID(string: sid) == nil { throw ValidationError("--sid \(sid): not a SID (S-1-5-21-...)") }
                for g in principal.groups?.split(separator: ",") ?? [] where SID(string: String(g)) == nil {
                    throw ValidationError("--groups: '\(g)' is not a SID; with --sddl the groups are SIDs (S-1-5-32-573)")
                }
                return
            }
            if sid != nil || privileges != nil || domainSID != nil { throw ValidationError("--sid, --privileges and --domain-sid go with --sddl") }
            try facts.validate(against: host)
            if facts.facts != nil {
                if principal.isGiven { throw ValidationError("--facts judges the account the collector gathered (its -Account); principal options do not apply") }
                if path?.isEmpty ?? true { throw ValidationError("say which object of the facts: permaudit explain --facts FILE 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\PartMgr' --access 0x2001F") }
                return
            }
            try principal.requireGiven()
            guard let path, !path.isEmpty else { throw ValidationError("PATH is missing or empty") }
            if Access(argument: access) == nil { throw ValidationError("--access '\(access)': not one of \(Access.helpText)") }
        }

        func run() throws {
            if let sddl, let sid, let user = SID(string: sid) {
                let descriptor: SecurityDescriptor
                do { descriptor = try SDDL.parse(sddl, domain: domainSID.flatMap(SID.init(string:))) } catch { throw InputError("--sddl: \(error)") }
                let desired: UInt32
                switch WindowsRights.parse(access, for: object) {
                case .success(let m): desired = m
                case .failure(let e): throw InputError(e.description)
                }
                let groups = (principal.groups?.split(separator: ",") ?? []).compactMap { SID(string: String($0)) }
                let token = WindowsToken(user: user, groups: groups, privileges: Set((privileges?.split(separator: ",") ?? []).map(String.init)))
                let d = WindowsAccessCheck.check(descriptor, token: token, desired: desired, kind: object, object: "the descriptor")
                print(format == .json ? WindowsDecisionRenderer.json(d, token: token) : WindowsDecisionRenderer.text(d, token: token, color: isatty(1) == 1), terminator: "")
                try Self.exit(d.verdict)
                return
            }
            if let file = try facts.load() {
                let explanation: FactsExplanation
                do {
                    let profile = try AuditSelection.parse([]).load().profile
                    explanation = try FactsAudit.explain(file, object: path ?? "", access: access, profile: profile, color: format == .text && isatty(1) == 1)
                } catch let e as InputError { throw e } catch { throw InputError("\(error)") }
                print(format == .json ? explanation.json : explanation.text, terminator: "")
                try Self.exit(explanation.verdict)
                return
            }
            guard let path, let access = Access(argument: access) else { return }
            let h = try host.makeHost(pid: principal.pid)
            let who = try principal.resolve(on: h)
            let absolute = RawArgument.absolute(path)
            let decision = AccessEvaluator(source: h).decide(absolute, access, for: who)
            switch format {
            case .text: print(DecisionRenderer.text(decision, color: isatty(1) == 1), terminator: "")
            case .json: print(DecisionRenderer.json(decision), terminator: "")
            }
            if let inputs = try agentPolicy.inputs(opening: absolute.display, on: RawNameHost(base: h)) {
                let lines = inputs.isEmpty ? ["no input of \(agentPolicy.file ?? "the policy") opens \(absolute.display)"] : inputs
                // JSON stays one object on standard output; the policy's word goes beside it.
                for line in lines { if format == .text { print("  policy: " + VisibleText.escape(line)) } else { writeError("policy: " + line) } }
            }
            try Self.exit(decision.verdict)
        }

        /// 0 granted, 1 denied, 3 unknown.
        static func exit(_ verdict: AccessDecision.Verdict) throws {
            switch verdict {
            case .granted: return
            case .denied: throw ExitCode(1)
            case .unknown: throw ExitCode(3)
            }
        }
    }
}

func currentDirectory() -> String {
    guard let p = getcwd(nil, 0) else { return "/" }
    defer { free(p) }
    return String(cString: p)
}

extension WindowsObjectKind: ExpressibleByArgument {}
