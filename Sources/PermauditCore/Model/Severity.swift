/// How much a failing rule matters; `--fail-on` compares against it.
public enum Severity: String, CaseIterable, Sendable, Codable, Comparable, Hashable {
    case info, low, medium, high, critical

    var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
