/// Which agent policy an audit followed, said in every report: the one given, the installed agent's, the
/// encrypted one of a Fleet-managed agent (then none was used), or none (the whole catalog was judged).
public struct AgentPolicyUse: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// `--agent-policy FILE`.
        case given
        /// Found where the installed agent keeps it.
        case installed
        /// A Fleet-managed agent: the policy is in `fleet.enc`, which permaudit cannot read.
        case encrypted
        /// No policy: the whole catalog was judged.
        case none
    }

    public var status: Status
    public var path: String?
    /// One sentence for people: what was used and what follows from it.
    public var message: String
    /// Catalog rules not judged because the policy does not imply them.
    public var notJudged: [String]
    /// Parts of the policy not interpreted, `file:line: what`.
    public var notInterpreted: [String]

    public init(status: Status, path: String?, message: String, notJudged: [String] = [], notInterpreted: [String] = []) {
        self.status = status
        self.path = path
        self.message = message
        self.notJudged = notJudged
        self.notInterpreted = notInterpreted
    }
}
