/// Changing an SDDL string without disturbing the rest of it.
public enum SDDLEdit {
    /// The SDDL with one explicit ACE added to the DACL where Windows' canonical order puts an explicit
    /// allow: after the explicit ACEs already there, before the inherited ones. The owner, group, flags,
    /// every other ACE and the SACL stay as written.
    /// - Throws: `SDDLError` when either string is not SDDL, or the descriptor has a NULL or no DACL
    ///   (adding an ACE would take away the access everyone has).
    public static func addingExplicitACE(_ ace: String, to sddl: String) throws(SDDLError) -> String {
        let parsedACE = try SDDL.parse("D:" + ace).daclEntries
        guard parsedACE.count == 1 else { throw SDDLError(sddl: ace, offset: 0, problem: .brokenACE("one ACE expected")) }
        let sd = try SDDL.parse(sddl)
        guard case .list(let acl) = sd.dacl else {
            throw SDDLError(sddl: sddl, offset: 0, problem: .brokenACE("the descriptor has a NULL or no DACL: everyone has every access; adding an ACE would take it away"))
        }
        let explicit = acl.entries.filter { !$0.flags.contains(.inherited) }.map(\.text)
        let inherited = acl.entries.filter { $0.flags.contains(.inherited) }.map(\.text)
        return (sd.ownerText ?? "") + (sd.groupText ?? "") + "D:" + acl.flagsText + (explicit + [ace] + inherited).joined() + (sd.saclText ?? "")
    }
}
