import PermauditCore
import PermauditFacts
import PermauditRules

/// The macOS evaluator of a facts file. (A stub until the macOS facts land: it says so, exit 2.)
struct MacFactsAuditor {
    let facts: FactsFile
    let profile: Profile
    let integrations: Set<String>?

    func run(_ rules: [Rule]) throws(FactsFileError) -> FactsAuditOutcome {
        throw FactsFileError(file: facts.file, field: "platform", problem: "macOS facts files are not evaluated by this permaudit yet", hint: "use a permaudit built with macOS support")
    }

    func explain(object: String, access: String, color: Bool) throws -> FactsExplanation {
        throw FactsFileError(file: facts.file, field: "platform", problem: "macOS facts files are not evaluated by this permaudit yet", hint: "use a permaudit built with macOS support")
    }
}
