import ArgumentParser
import Glibc
import PermauditCore
import PermauditFacts
import PermauditFix
import PermauditAudit
import PermauditHost
import PermauditPolicy

extension FixPlan.Strategy: ExpressibleByArgument {}

extension Permaudit {
    /// `permaudit fix`: a least-privilege plan for what the principal cannot reach, as a script and its
    /// rollback, as JSON, or applied directly.
    struct Fix: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fix",
            abstract: "Plan the narrowest fix for what a principal cannot reach; write it as a script with a rollback, as JSON, or apply it.",
            discussion: """
                By default the plan fixes what the same `permaudit audit` fails (same --profile, --integration, --rules and \
                principal options); with --path it fixes exactly those objects instead (a glob in the last component is \
                expanded on the host, byte for byte). Nothing is changed unless --apply is given.
                With --root DIR the plan is for an image or container root (its accounts, its paths; ACL steps only, a file to \
                write or edit is named as not fixed): the script takes the root as its argument (bash fix.sh DIR --dry-run) and \
                resolves every path inside it, refusing symbolic links on the way; --apply changes the image through the same door.
                Exit status: 0 plan written or applied, 1 a step was skipped or failed (what was changed is rolled back), 2 bad input.
                """)

        @OptionGroup(title: "Selection (as for audit)")
        var selection: AuditSelection

        @OptionGroup(title: "Principal (default: the profile's)")
        var principal: PrincipalOptions

        @OptionGroup(title: "Host")
        var host: HostOptions

        @OptionGroup(title: "Facts (a Windows or macOS host)")
        var facts: FactsOptions

        @Option(name: .long, help: ArgumentHelp("An object the principal needs (repeatable), instead of the audit's failures; a glob in the last component, e.g. '/var/log/auth.log*'.", valueName: "GLOB"))
        var path: [String] = []

        @Option(name: .long, help: ArgumentHelp("The access needed on every --path: \(Access.helpText).", valueName: "ACCESS"))
        var access: Access = .read

        @Option(name: .long, help: "acl (narrowest: a named-group ACL entry), group (the broad group the docs suggest, with what else it opens), capability (a systemd drop-in; needs --unit). Default: acl.")
        var strategy: FixPlan.Strategy?

        enum Emit: String, ExpressibleByArgument, CaseIterable { case bash, json, powershell, sh }

        @Option(name: .long, help: "bash (the script, and NAME.rollback.sh beside it with -o), json (the plan as data), powershell (with Windows --facts: NAME.ps1 and NAME.rollback.ps1), or sh (with macOS --facts: a POSIX sh script and NAME.rollback.sh).")
        var emit: Emit = .bash

        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to FILE (NAME.sh: the rollback goes to NAME.rollback.sh).", valueName: "FILE"))
        var output: String?

        @Flag(name: .long, help: "Carry out the plan now, from this binary, with the same checks; roll back if a step fails. With -o NAME.sh, the script and NAME.rollback.sh are written first.")
        var apply = false

        @Flag(name: .customLong("dry-run"), help: "With --apply: say what would change, change nothing.")
        var dryRun = false

        @Flag(name: .long, help: "With --apply: carry out the steps whose objects are as planned even when others are not (by default a plan runs whole or not at all).")
        var partial = false

        func validate() throws {
            try facts.validate(against: host)
            if facts.facts != nil {
                if emit == .sh { return try validateMacFacts() }
                if emit != .powershell { throw ValidationError("fix --facts writes PowerShell for a Windows host (--emit powershell) or sh for a Mac (--emit sh): add the one for the facts file's platform") }
                if apply || dryRun || !path.isEmpty || strategy != nil || principal.isGiven {
                    throw ValidationError("fix --facts plans from the facts alone: --apply, --dry-run, --path, --strategy and principal options do not apply (run the script on the host, with -WhatIf first)")
                }
                return
            }
            if emit == .powershell { throw ValidationError("--emit powershell is for a Windows host: give its facts with --facts FILE (see permaudit collect)") }
            if emit == .sh { throw ValidationError("--emit sh is the macOS fix: give --facts FILE from `permaudit collect --platform macos`") }
            if let bad = path.first(where: { !$0.hasPrefix("/") }) { throw ValidationError("--path \(bad): give an absolute path") }
            if dryRun && !apply { throw ValidationError("--dry-run goes with --apply (the script has its own --dry-run)") }
            if partial && !apply { throw ValidationError("--partial goes with --apply (the script has its own --partial)") }
        }

        func run() throws {
            if let file = try facts.load() {
                if file.platform == .macos { try runMacFacts(file) } else { try runFacts(file) }
                return
            }
            let h = try host.makeHost(pid: principal.pid)
            let (catalog, profile) = try selection.load()
            let (who, unit) = try AuditSelection.resolvePrincipal(principal, profile: profile, host: h)
            if who.isPlanned {
                throw InputError("""
                    \(who.userName ?? profile.user) does not exist yet: a fix grants to the agent's own group, so create the user first \
                    (the installer does), then run fix; until then `permaudit audit` shows what will fail
                    """)
            }
            var planner = FixPlanner(host: h, principal: who, unit: unit)
            var plan: FixPlan
            var policyPatch: PolicyPatch?
            if path.isEmpty {
                var judged = try selection.judge(catalog: catalog, profile: profile, principal: who, host: h)
                // Compressed copies the policy matches: the right fix excludes them; the plan follows the patched policy.
                if let policy = judged.policy, let gz = Self.compressedPatch(policy, host: h) {
                    policyPatch = gz
                    if let patched = try? AgentPolicyParser.parse(file: policy.file, text: gz.patched) {
                        judged = try selection.judge(catalog: catalog, profile: profile, principal: who, host: h, policyOverride: patched)
                    }
                }
                // A policy lists every file the agent opens: the plan opens exactly those (no rotated copies it excludes).
                if judged.policy != nil { planner.addsRotatedCopies = false }
                plan = FindingsAdapter.plan(judged.findings, planner: planner, strategy: strategy)
                if let policy = judged.policy {
                    let mounts = judged.findings.filter { $0.state == .fail && $0.access == .statfs && $0.remedy == .configuration }.map(\.object)
                    let ignoring = PolicyPatch.ignoring(mountPoints: mounts, policy: policy, mounts: h.mountTable.mounts.map { ($0.mountPoint, $0.fsType) }, defaultIgnored: PolicyAudit.virtualTypes(h))
                    policyPatch = policyPatch.map { $0.then(ignoring) } ?? ignoring
                }
            } else {
                var requests: [FixPlanner.Request] = []
                for p in path {
                    switch PathPattern.expandLast(RawPath(p), in: h.fileSystem) {
                    case .success(let found) where !found.isEmpty:
                        requests += found.map { FixPlanner.Request(path: $0, access: access) }
                    case .success:
                        throw InputError("--path \(p): nothing matches; check the glob (it is matched in the last component only)")
                    case .failure(let e):
                        throw InputError("--path \(p): \(e)")
                    }
                }
                plan = planner.plan(requests, strategy: strategy)
            }

            // In an image (--root): ACL steps only, every path resolved inside the folder by the script and by --apply.
            let image: ImageRootScript? = host.root == nil ? nil : Self.imageScript(h)
            if image != nil { plan = plan.insideImage() }

            if let policyPatch { try writePolicyPatch(policyPatch, inImage: image != nil) }

            if apply {
                // With -o, the script and its rollback are written first: the rollback undoes an --apply too.
                if let output, emit == .bash {
                    try emitText(BashScriptEmitter.script(plan, rollbackName: Self.rollbackPath(for: output), image: image), to: output)
                    try emitText(BashScriptEmitter.rollback(plan, scriptName: output, image: image), to: Self.rollbackPath(for: output))
                    writeError("wrote \(output) and \(Self.rollbackPath(for: output)) (the rollback undoes this --apply)")
                }
                let outcome = PlanApplier(view: h.fileSystem).apply(plan, dryRun: dryRun, partial: partial)
                for line in outcome.lines { print(line) }
                for u in plan.unresolved { print("NOT FIXED: \(u.subject): \(u.configurationFix)") }
                if let failure = outcome.failure { writeError("error: " + failure); throw ExitCode(1) }
                if outcome.skipped > 0 { writeError("\(outcome.skipped) step(s) skipped: re-run permaudit fix to plan again"); throw ExitCode(1) }
                print(dryRun ? "dry run: nothing was changed" : outcome.changed == 0 ? "nothing to change" : "\(outcome.changed) step(s) applied")
                return
            }

            switch emit {
            case .json:
                try emitText(PlanJSON.render(plan), to: output)
            case .powershell:
                throw InputError("--emit powershell needs --facts FILE")  // validate() says so first
            case .sh:
                throw InputError("--emit sh is the macOS fix: give --facts FILE")  // validate() says so first
            case .bash:
                guard let output else {
                    print(BashScriptEmitter.script(plan, rollbackName: "the rollback script (write both with -o NAME.sh)", image: image), terminator: "")
                    return
                }
                let rollbackPath = Self.rollbackPath(for: output)
                let scriptName = String(output.split(separator: "/").last ?? Substring(output))
                let rollbackName = String(rollbackPath.split(separator: "/").last ?? Substring(rollbackPath))
                try emitText(BashScriptEmitter.script(plan, rollbackName: rollbackName, image: image), to: output)
                try emitText(BashScriptEmitter.rollback(plan, scriptName: scriptName, image: image), to: rollbackPath)
                let rootArgument = image.map { " " + $0.quotedRoot } ?? ""
                writeError("wrote \(output) (\(plan.steps.count) step(s)) and \(rollbackPath); review, then run as root: bash \(output)\(rootArgument) --dry-run")
            }
            if !plan.unresolved.isEmpty {
                for u in plan.unresolved { writeError("not fixed by a permission: \(u.subject): \(u.configurationFix)") }
            }
        }

        /// The policy change a fix needs (a mount no permission fixes): the diff, and with -o the patched file
        /// beside the script; the policy itself changes only with --apply (atomically, the old one kept).
        func writePolicyPatch(_ patch: PolicyPatch, inImage: Bool = false) throws {
            let diff = patch.unifiedDiff()
            if let output {
                // NAME.sh or NAME.json: the policy's files are NAME.policy.diff and NAME.policy.yml.
                let base = [".sh", ".json"].first(where: output.hasSuffix).map { String(output.dropLast($0.count)) } ?? output
                try AtomicFile.write(diff, to: base + ".policy.diff", mode: 0o600)
                try AtomicFile.write(patch.patched, to: base + ".policy.yml", mode: 0o600)
                writeError("wrote \(base).policy.diff and \(base).policy.yml: the policy change this fix needs (\(patch.reasons.joined(separator: "; ")))")
            } else if !apply {
                writeError("the policy needs a change no permission makes (\(patch.reasons.joined(separator: "; "))):\n" + diff)
            }
            if apply && !dryRun && inImage {
                // The policy is a file inside the image: fix --root changes ACLs only, never a file by name there.
                writeError("the image's policy \(patch.file) is not changed by fix --root --apply (ACLs only): apply the diff in the image itself")
            } else if apply && !dryRun {
                let backup = patch.file + ".permaudit-" + timestamp().filter { $0.isNumber } + ".bak"
                guard case .success(let old) = AgentPolicyOption.readWhole(patch.file), old == patch.original else {
                    throw InputError("\(patch.file) changed since it was read: run permaudit fix again")
                }
                var st = stat()
                guard stat(patch.file, &st) == 0 else { throw InputError("\(patch.file): cannot stat it (errno \(errno))") }
                try AtomicFile.write(old, to: backup, mode: st.st_mode & 0o7777)
                try AtomicFile.write(patch.patched, to: patch.file, mode: st.st_mode & 0o7777)
                // The agent must still read its policy: the new file keeps the old one's owner.
                if chown(patch.file, st.st_uid, st.st_gid) != 0 || chown(backup, st.st_uid, st.st_gid) != 0 {
                    throw InputError("\(patch.file): cannot give it back to uid \(st.st_uid) (errno \(errno)); the old policy is \(backup)")
                }
                print("patched \(patch.file) (\(patch.reasons.joined(separator: "; "))); the old policy is \(backup) (roll back: mv \(backup) \(patch.file)); restart the agent to load it")
            }
        }

        /// The PowerShell fix of a Windows host's facts: what `audit --facts` fails, planned and written.
        func runFacts(_ file: FactsFile) throws {
            guard file.platform == .windows else { throw InputError("fix --facts \(file.file): PowerShell fixes are for Windows facts; this file is \(file.platform.displayName)") }
            let (catalog, profile) = try selection.load()
            let plan: WindowsFixPlan
            do {
                let outcome = try FactsAudit.run(file, rules: catalog.rules, profile: profile, integrations: selection.enabledIntegrations)
                plan = try WindowsFixPlanner.plan(outcome.findings, facts: try WindowsFacts(file))
            } catch let e as InputError { throw e } catch { throw InputError("\(error)") }
            guard let output else {
                print(PowerShellScriptEmitter.script(plan, rollbackName: "the rollback script (write both with -o NAME.ps1)"), terminator: "")
                return
            }
            let rollbackPath = output.hasSuffix(".ps1") ? String(output.dropLast(4)) + ".rollback.ps1" : output + ".rollback.ps1"
            let scriptName = String(output.split(separator: "/").last ?? Substring(output))
            let rollbackName = String(rollbackPath.split(separator: "/").last ?? Substring(rollbackPath))
            try emitText(PowerShellScriptEmitter.script(plan, rollbackName: rollbackName), to: output)
            try emitText(PowerShellScriptEmitter.rollback(plan, scriptName: scriptName), to: rollbackPath)
            writeError("wrote \(output) (\(plan.steps.count) step(s)) and \(rollbackPath); review, then run elevated on \(file.host.name): powershell -File \(scriptName) -WhatIf")
            for u in plan.unresolved { writeError("not fixed by a permission: \(u.ruleID) (\(u.object)): \(u.why)") }
        }

        /// The patch that excludes compressed copies from the log streams whose globs match some and whose
        /// excludes skip none of them, or nil.
        static func compressedPatch(_ policy: AgentPolicy, host h: any PermauditHost.Host) -> PolicyPatch? {
            let implications = PolicyImplications(policy, variables: AgentPolicyOption.variables(h))
            var streams: [PolicyLocation] = []
            for item in implications.items where item.state == .active {
                guard case .files(let set) = item.need else { continue }
                if PolicyAudit.hostFiles(set, on: h).opens.contains(where: { $0.hasSuffix(".gz") }) { streams.append(item.origin.location) }
            }
            return streams.isEmpty ? nil : PolicyPatch.excludingCompressed(streams: streams, policy: policy)
        }

        /// The script's image part: the root as planned and its device (a root on another device is refused).
        static func imageScript(_ h: any PermauditHost.Host) -> ImageRootScript {
            let device: UInt64?
            if case .found(let f) = h.lookup(RawPath("/")) { device = ObjectIdentity(f).statDevice } else { device = nil }
            return ImageRootScript(plannedRoot: h.rootDescription, rootDevice: device)
        }

        /// `NAME.sh` → `NAME.rollback.sh`; any other name gets `.rollback.sh` appended.
        static func rollbackPath(for output: String) -> String {
            output.hasSuffix(".sh") ? String(output.dropLast(3)) + ".rollback.sh" : output + ".rollback.sh"
        }

        /// Standard output, or the file written whole (never half a script), private to its owner.
        func emitText(_ text: String, to file: String?) throws {
            guard let file else { print(text, terminator: ""); return }
            try AtomicFile.write(text, to: file, mode: 0o600)
        }
    }
}
