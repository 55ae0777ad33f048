import ArgumentParser
import PermauditAudit
import PermauditCore
import PermauditFacts
import PermauditFix

extension Permaudit.Fix {
    /// `fix --facts FILE --emit sh`: the macOS fix for what the facts fail, as a POSIX sh script and its rollback.
    /// (Windows facts go to `runFacts`, PowerShell.)
    func validateMacFacts() throws {
        if apply || dryRun { throw ValidationError("--apply changes this machine; a facts file describes another host: write the script (-o NAME.sh) and run it there (with --dry-run first)") }
        if !path.isEmpty { throw ValidationError("--path is not used with --facts: the macOS fix covers /var/log/system.log and its rotated copies") }
        if strategy != nil || principal.isGiven { throw ValidationError("fix --facts plans from the facts alone: --strategy and principal options do not apply (collect with --user/--group for another account)") }
    }

    func runMacFacts(_ file: FactsFile) throws {
        guard emit == .sh else {
            throw InputError("fix --facts \(file.file): this is a macOS facts file; its fix is a POSIX sh script: --emit sh")
        }
        let mac: MacHostFacts
        do { mac = try MacFactsDecoder.decode(file) } catch { throw InputError(error.description) }
        let source = String(file.file.split(separator: "/").last ?? Substring(file.file))
        let plan = MacShellScript(facts: mac, source: source, collectedAt: file.collectedAt, group: nil)
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
