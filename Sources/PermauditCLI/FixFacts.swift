import ArgumentParser
import PermauditAudit
import PermauditCore
import PermauditFacts
import PermauditFix

extension Permaudit.Fix {
    /// `fix --facts FILE --emit sh`: the macOS fix for what the facts fail, as a POSIX sh script and its rollback.
    func validateFacts() throws {
        if apply { throw ValidationError("--apply changes this machine; a facts file describes another host: write the script (-o NAME.sh) and run it there") }
        if !path.isEmpty { throw ValidationError("--path is not used with --facts: the macOS fix covers /var/log/system.log and its rotated copies") }
        if emit != .sh { throw ValidationError("with --facts, the fix is a POSIX sh script: --emit sh") }
    }

    func runFacts() throws {
        guard let file = try facts.load() else { return }
        guard file.platform == .macos else {
            throw InputError("\(file.file): fix --facts writes the macOS fix; this is a \(file.platform.displayName) facts file (audit it with audit --facts)")
        }
        let mac: MacHostFacts
        do { mac = try MacFactsDecoder.decode(file) } catch { throw InputError(error.description) }
        let source = String(file.file.split(separator: "/").last ?? Substring(file.file))
        let plan = MacShellScript(facts: mac, source: source, collectedAt: file.collectedAt, group: principal.group)
        if let why = plan.refusal { throw InputError("\(file.file): cannot plan the macOS fix: \(why)") }
        guard let output else {
            print(plan.script(rollbackName: "the rollback script (write both with -o NAME.sh)"), terminator: "")
            return
        }
        let rollbackPath = Self.rollbackPath(for: output)
        let scriptName = String(output.split(separator: "/").last ?? Substring(output))
        let rollbackName = String(rollbackPath.split(separator: "/").last ?? Substring(rollbackPath))
        try emitText(plan.script(rollbackName: rollbackName), to: output)
        try emitText(plan.rollback(scriptName: scriptName), to: rollbackPath)
        writeError("wrote \(output) (\(plan.aclSteps.count + plan.edits.count) step(s)) and \(rollbackPath); copy both to the Mac, review, then: sudo sh \(scriptName) --dry-run")
    }
}
