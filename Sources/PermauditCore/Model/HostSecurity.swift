/// The `fs.protected_*` sysctls, read live from `/proc/sys/fs/`.
public struct ProtectedSysctls: Hashable, Sendable, Codable {
    public var symlinks: Int
    public var hardlinks: Int
    public var regular: Int
    public var fifos: Int
    public init(symlinks: Int = 0, hardlinks: Int = 0, regular: Int = 0, fifos: Int = 0) {
        self.symlinks = symlinks
        self.hardlinks = hardlinks
        self.regular = regular
        self.fifos = fifos
    }
}

/// Mandatory access control layers that permaudit does not model: when one is active,
/// the permission bits are necessary but not sufficient.
public struct SecurityModules: Hashable, Sendable, Codable {
    public enum SELinux: String, Sendable, Codable { case disabled, permissive, enforcing }
    public var selinux: SELinux
    public var appArmorEnabled: Bool
    /// The AppArmor label of the principal's process, when it is known (`--pid`); `unconfined` or a profile.
    public var appArmorLabel: String?

    public init(selinux: SELinux = .disabled, appArmorEnabled: Bool = false, appArmorLabel: String? = nil) {
        self.selinux = selinux
        self.appArmorEnabled = appArmorEnabled
        self.appArmorLabel = appArmorLabel
    }

    /// Sentences for the decision's caveats; empty when DAC is the whole story.
    public var caveats: [String] {
        var notes: [String] = []
        if selinux == .enforcing {
            notes.append("SELinux is enforcing: the permission bits are necessary but not sufficient; the SELinux policy was not modelled (check with `ausearch -m avc`)")
        }
        if appArmorEnabled {
            switch appArmorLabel {
            case "unconfined"?:
                break
            case let label?:
                notes.append("AppArmor confines the process (profile \(label)): the permission bits are necessary but not sufficient; the profile was not modelled")
            case nil:
                notes.append("AppArmor is enabled: a profile that confines the agent's program could refuse what the permission bits allow; which program runs was not checked (judge the running agent with --pid, or see aa-status)")
            }
        }
        return notes
    }
}
