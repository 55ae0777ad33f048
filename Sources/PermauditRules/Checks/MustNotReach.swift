import PermauditCore

/// `must-not-reach`: the second half of least privilege. Fails when someone *can* reach an object
/// (`paths` + `access`), or when the principal holds capabilities or groups beyond what the enabled
/// integrations' rules need (`holds`).
///
/// `who: principal` (default) judges the audited principal; `who: other-accounts` judges every other
/// local account (root and the principal excepted; the Elastic Agent's user first) against the objects:
/// a service's secrets that only the service may read.
public struct MustNotReach: CheckDefinition {
    public enum Who: String, Sendable, Hashable, CaseIterable {
        case principal
        case otherAccounts = "other-accounts"
    }

    public enum Holding: String, Sendable, Hashable, CaseIterable {
        case capabilities, groups
    }

    public var paths: [String]
    public var access: Access?
    public var who: Who
    public var holds: [Holding]

    public init(paths: [String] = [], access: Access? = nil, who: Who = .principal, holds: [Holding] = []) {
        self.paths = paths
        self.access = access
        self.who = who
        self.holds = holds
    }

    public static let kind = "must-not-reach"
    public static let keys: Set<String> = ["paths", "access", "who", "holds"]

    public static func parse(_ f: inout CheckFields) -> MustNotReach? {
        var check = MustNotReach()
        if let w = f.string("who", required: false) {
            guard let who = Who(rawValue: w) else {
                f.fail("who", "unknown `who: \(w)`: use \(Who.allCases.map(\.rawValue).joined(separator: " or "))")
                return nil
            }
            check.who = who
        }
        if f.has("holds") {
            if f.has("paths") || f.has("access") { f.fail(nil, "a must-not-reach check takes `paths:` and `access:`, or `holds:` (not both)") }
            for h in f.strings("holds") {
                guard let v = Holding(rawValue: h) else {
                    f.fail("holds", "unknown `holds: \(h)`: use capabilities, groups")
                    continue
                }
                check.holds.append(v)
            }
            if check.who != .principal { f.fail("who", "`holds:` judges the principal only") }
            return check
        }
        check.paths = f.paths()
        check.access = f.access()
        return check.access == nil ? nil : check
    }

    public var summary: String {
        if !holds.isEmpty {
            return "holds no \(holds.map(\.rawValue).joined(separator: " or ")) beyond what the enabled integrations' rules need"
        }
        let whom = who == .principal ? "the principal" : "no other local account"
        return "\(whom) can\(who == .principal ? "not" : "") \(access?.rawValue ?? "?") \(paths.map { "`\($0)`" }.joined(separator: ", "))"
    }

    public var objectName: String {
        holds.isEmpty ? paths.joined(separator: " ") : holds.map(\.rawValue).joined(separator: ", ")
    }
}
