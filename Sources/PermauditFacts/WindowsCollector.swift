/// The Windows collector: the PowerShell script `permaudit collect --platform windows` prints.
public enum WindowsCollector {
    public static let version = "1.0.0"
    /// The channels every run reads (the Windows rules' channels); `-Channel` adds more.
    public static let defaultChannels = ["Security", "System", "Application", "Microsoft-Windows-Sysmon/Operational"]

    /// The script, with `-Account` defaulting to `account` and `-Channel` to `extraChannels`.
    public static func script(account: String, extraChannels: [String]) -> String {
        let channels = extraChannels.map(PowerShellQuote.single).joined(separator: ", ")
        return template
            .replacing("@ACCOUNT@", with: PowerShellQuote.single(account))
            .replacing("@CHANNELS@", with: channels.isEmpty ? "@()" : "@(\(channels))")
            .replacing("@VERSION@", with: version)
            .replacing("@DEFAULT_CHANNELS@", with: defaultChannels.map(PowerShellQuote.single).joined(separator: ", "))
    }

    static let template = #"""
        # permaudit facts collector for Windows (collector @VERSION@): not built yet.
        param([string]$Account = @ACCOUNT@, [string[]]$Channel = @CHANNELS@)
        throw 'not built yet'

        """#
}

/// PowerShell string literals.
public enum PowerShellQuote {
    /// `'it''s'`: a single-quoted literal, nothing expanded; every quote-like character doubled.
    public static func single(_ s: String) -> String {
        var out = "'"
        for ch in s {
            // PowerShell treats the typographic single quotes as quotes too.
            if ch == "'" || ch == "\u{2018}" || ch == "\u{2019}" || ch == "\u{201A}" || ch == "\u{201B}" { out.append(ch) }
            out.append(ch)
        }
        return out + "'"
    }
}
