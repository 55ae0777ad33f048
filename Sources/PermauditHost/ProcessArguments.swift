internal import CArgv

/// The program's arguments, also where `CommandLine.arguments` is empty: a binary linked with
/// `--static-swift-stdlib` reads them from `/proc/self/cmdline`, and a chroot (Ansible's chroot
/// connection, an image) often has no `/proc`. Then the argv the loader passed is used.
public enum ProcessArguments {
    /// The arguments after the program name, or nil when `CommandLine.arguments` has them (use those).
    public static var fallback: [String]? {
        if !CommandLine.arguments.isEmpty { return nil }
        let argc = Int(permaudit_saved_argc())
        guard argc > 0, let argv = permaudit_saved_argv() else { return nil }
        return (1..<argc).compactMap { argv[$0].map { String(cString: $0) } }
    }
}
