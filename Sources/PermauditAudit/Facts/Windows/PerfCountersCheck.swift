import PermauditFacts

/// `windows-perf-counters`: reading performance counters needs Performance Monitor Users (S-1-5-32-558)
/// in the account's token.
enum PerfCountersCheck {
    static func run(_ c: WindowsRuleContext) -> Finding {
        let group = c.fields["group-sid"] ?? "S-1-5-32-558"
        return GroupInTokenCheck.run(c, group: group)
    }
}
