import PermauditRules

/// The audit half of a registered check kind (`CheckDefinition`): conform the definition to this in the
/// kind's own file under Checks/, and the auditor runs it.
protocol CheckEvaluator {
    func evaluate(_ rule: Rule, auditor: Auditor) -> [Finding]
}
