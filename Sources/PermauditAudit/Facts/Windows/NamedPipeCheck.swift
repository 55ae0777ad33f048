import PermauditCore
import PermauditFacts

/// `windows-named-pipe`: the account connects to the pipe, which opens it for read and write
/// (FILE_GENERIC_READ | FILE_GENERIC_WRITE, 0x12019F).
enum NamedPipeCheck {
    static let connect: UInt32 = 0x12019F

    static func run(_ c: WindowsRuleContext) throws(FactsFileError) -> Finding {
        let pipe = c.fields["pipe"] ?? ""
        switch try SecuredObjectCheck.judge(c.facts, item: WindowsFacts.Item.pipe(pipe), kind: .file, desired: connect) {
        case .failure(let p): return c.unknown(p)
        case .success(let j): return SecuredObjectCheck.finding(c, j)
        }
    }
}
