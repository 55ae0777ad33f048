import PermauditFacts

enum RegistryKeyCheck {
    static func run(_ c: WindowsRuleContext) throws(FactsFileError) -> Finding {
        c.finding(.unknown, "the Windows access check is not built yet")
    }
}
