import ArgumentParser
import Glibc
import PermauditCore
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
            abstract: "Plan the narrowest fix for what a principal cannot reach; write it as a script with a rollback, as JSON, or apply it.",
            discussion: """
                By default the plan fixes what the same `permaudit audit` fails (same --profile, --integration, --rules and \
                principal options); with --path it fixes exactly those objects instead (a glob in the last component is \
                expanded on the host, byte for byte). Nothing is changed unless --apply is given.
                Exit status: 0 plan written or applied, 1 a step was skipped or failed (what was changed is rolled back), 2 bad input.
                """)

        @OptionGroup(title: "Selection (as for audit)")
        var selection: AuditSelection

        @OptionGroup(title: "Principal (default: the profile's)")
        var principal: PrincipalOptions

        @OptionGroup(title: "Host")
        var host: HostOptions

        @OptionGroup(title: "Facts (a macOS host)")
        var facts: FactsOptions

        @Option(name: .long, help: ArgumentHelp("An object the principal needs (repeatable), instead of the audit's failures; a glob in the last component, e.g. '/var/log/auth.log*'.", valueName: "GLOB"))
        var path: [String] = []

        @Option(name: .long, help: ArgumentHelp("The access needed on every --path: \(Access.helpText).", valueName: "ACCESS"))
        var access: Access = .read

        @Option(name: .long, help: "acl (narrowest: a named-group ACL entry), group (the broad group the docs suggest, with what else it opens), capability (a systemd drop-in; needs --unit). Default: acl.")
        var strategy: FixPlan.Strategy?

        enum Emit: String, ExpressibleByArgument, CaseIterable { case bash, json, sh }

        @Option(name: .long, help: "bash (the script, and NAME.rollback.sh beside it with -o), json (the plan as data), or sh (with --facts from a Mac: a POSIX sh script and its rollback).")
        var emit: Emit = .bash

        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to FILE (NAME.sh: the rollback goes to NAME.rollback.sh).", valueName: "FILE"))
        var output: String?

        @Flag(name: .long, help: "Carry out the plan now, from this binary, with the same checks; roll back if a step fails. With -o NAME.sh, the script and NAME.rollback.sh are written first.")
        var apply = false

        @Flag(name: .customLong("dry-run"), help: "With --apply: say what would change, change nothing.")
        var dryRun = false

        func validate() throws {
            try facts.validate(against: host)
            if facts.facts != nil { return try validateFacts() }
            if emit == .sh { throw ValidationError("--emit sh is the macOS fix: give --facts FILE from `permaudit collect --platform macos`") }
            if let bad = path.first(where: { !$0.hasPrefix("/") }) { throw ValidationError("--path \(bad): give an absolute path") }
            if dryRun && !apply { throw ValidationError("--dry-run goes with --apply (the script has its own --dry-run)") }
            // The plan names real paths in its script; a rooted host's paths are not this machine's.
            if host.root != nil { throw ValidationError("fix plans changes on this machine; --root is not supported by fix yet (audit the image with --root, fix it when it runs)") }
        }

        func run() throws {
            if facts.facts != nil { return try runFacts() }
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
            let plan: FixPlan
            var policyPatch: PolicyPatch?
            if path.isEmpty {
                let judged = try selection.judge(catalog: catalog, profile: profile, principal: who, host: h)
                // A policy lists every file the agent opens: the plan opens exactly those (no rotated copies it excludes).
                if judged.policy != nil { planner.addsRotatedCopies = false }
                plan = FindingsAdapter.plan(judged.findings, planner: planner, strategy: strategy)
                if let policy = judged.policy {
                    let mounts = judged.findings.filter { $0.state == .fail && $0.access == .statfs && $0.remedy == .configuration }.map(\.object)
                    policyPatch = PolicyPatch.ignoring(mountPoints: mounts, policy: policy, mounts: h.mountTable.mounts.map { ($0.mountPoint, $0.fsType) }, defaultIgnored: PolicyAudit.virtualTypes(h))
                }
            } else {
                var requests: [FixPlanner.Request] = []
                for p in path {
                    switch PathPattern.expandLast(RawPath(p)) {
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

            if let policyPatch { try writePolicyPatch(policyPatch) }

            if apply {
                // With -o, the script and its rollback are written first: the rollback undoes an --apply too.
                if let output, emit == .bash {
                    try emitText(BashScriptEmitter.script(plan, rollbackName: Self.rollbackPath(for: output)), to: output)
                    try emitText(BashScriptEmitter.rollback(plan, scriptName: output), to: Self.rollbackPath(for: output))
                    writeError("wrote \(output) and \(Self.rollbackPath(for: output)) (the rollback undoes this --apply)")
                }
                let outcome = PlanApplier().apply(plan, dryRun: dryRun)
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
            case .sh:
                throw InputError("--emit sh is the macOS fix: give --facts FILE")
            case .bash:
                guard let output else {
                    print(BashScriptEmitter.script(plan, rollbackName: "the rollback script (write both with -o NAME.sh)"), terminator: "")
                    return
                }
                let rollbackPath = Self.rollbackPath(for: output)
                let scriptName = String(output.split(separator: "/").last ?? Substring(output))
                let rollbackName = String(rollbackPath.split(separator: "/").last ?? Substring(rollbackPath))
                try emitText(BashScriptEmitter.script(plan, rollbackName: rollbackName), to: output)
                try emitText(BashScriptEmitter.rollback(plan, scriptName: scriptName), to: rollbackPath)
                writeError("wrote \(output) (\(plan.steps.count) step(s)) and \(rollbackPath); review, then run as root: bash \(output) --dry-run")
            }
            if !plan.unresolved.isEmpty {
                for u in plan.unresolved { writeError("not fixed by a permission: \(u.subject): \(u.configurationFix)") }
            }
        }

        /// The policy change a fix needs (a mount no permission fixes): the diff, and with -o the patched file
        /// beside the script; the policy itself changes only with --apply (atomically, the old one kept).
        func writePolicyPatch(_ patch: PolicyPatch) throws {
            let diff = patch.unifiedDiff()
            if let output {
                let base = output.hasSuffix(".sh") ? String(output.dropLast(3)) : output
                try AtomicFile.write(diff, to: base + ".policy.diff", mode: 0o600)
                try AtomicFile.write(patch.patched, to: base + ".policy.yml", mode: 0o600)
                writeError("wrote \(base).policy.diff and \(base).policy.yml: the policy change this fix needs (\(patch.reasons.joined(separator: "; ")))")
            } else if !apply {
                writeError("the policy needs a change no permission makes (\(patch.reasons.joined(separator: "; "))):\n" + diff)
            }
            if apply && !dryRun {
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
