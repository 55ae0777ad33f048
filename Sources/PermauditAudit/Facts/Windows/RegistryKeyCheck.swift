import PermauditCore
import PermauditFacts

/// `windows-registry-key`: the account opens the key with the rights the agent asks for (`rights:`, a
/// mask or names); Windows refuses the open unless every bit is granted.
enum RegistryKeyCheck {
    static func run(_ c: WindowsRuleContext) throws(FactsFileError) -> Finding {
        let key = c.fields["key"] ?? ""
        let desired: UInt32
        switch WindowsRights.parse(c.fields["rights"] ?? "", for: .registryKey) {
        case .success(let m): desired = m
        case .failure(let e): return c.finding(.error, "the rule's rights are wrong (\(c.rule.origin)): \(e)")
        }
        switch try SecuredObjectCheck.judge(c.facts, item: WindowsFacts.Item.registryKey(key), kind: .registryKey, desired: desired) {
        case .failure(let p): return c.unknown(p)
        case .success(let j): return SecuredObjectCheck.finding(c, j)
        }
    }
}
