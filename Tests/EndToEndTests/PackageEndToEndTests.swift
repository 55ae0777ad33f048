import Foundation
import Glibc
import Testing

/// The Debian package: built by `Tests/Packaging/build-deb.sh` (a release build with
/// `--static-swift-stdlib`, minutes on two cores, so only when `PERMAUDIT_PACKAGE_TEST=1` or in CI;
/// `PERMAUDIT_DEB=FILE` tests a package already built), installed with `dpkg -i`, run from /usr/bin,
/// removed with `dpkg -r` (only its conffile stays) and purged with `dpkg -P` (nothing stays).
/// Never touches a permaudit package that was installed before the test.
@Suite(.serialized) struct PackageEndToEndTests {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let env = ProcessInfo.processInfo.environment
    static let wanted = env["PERMAUDIT_PACKAGE_TEST"] == "1" || env["CI"] != nil || env["PERMAUDIT_DEB"] != nil
    static let hasDpkg = FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-deb")
    static let alreadyInstalled: Bool = {
        guard let out = try? PermauditRun.runProcess("/usr/bin/dpkg-query", ["-W", "-f=${Status}", "permaudit"]) else { return false }
        return out.status == 0 && out.stdout.contains("installed") && !out.stdout.contains("not-installed")
    }()
    static let ready = wanted && getuid() == 0 && hasDpkg && !alreadyInstalled
    static let why = !wanted ? "the release build takes minutes: set PERMAUDIT_PACKAGE_TEST=1 (CI runs it)"
        : getuid() != 0 ? "needs root (dpkg -i)"
        : !hasDpkg ? "dpkg-deb missing"
        : "a permaudit package is already installed on this host: the test leaves it alone"

    func sh(_ script: String) throws -> PermauditRun.Outcome { try PermauditRun.runProcess("/bin/sh", ["-c", script]) }

    /// Every path on the host that the package may own, or that dpkg keeps for it (all have permaudit in
    /// their path; other suites write their own files in /etc/logrotate.d meanwhile).
    func snapshot() throws -> Set<String> {
        let out = try sh("find /usr/bin /usr/lib/systemd/system /usr/share/man/man1 /usr/share/bash-completion /usr/share/zsh /usr/share/fish /usr/share/doc/permaudit /etc/logrotate.d /var/lib/dpkg/info -xdev -path '*permaudit*' 2>/dev/null | sort")
        return Set(out.stdout.split(separator: "\n").map(String.init))
    }

    @Test(.enabled(if: ready, "\(why)"), .timeLimit(.minutes(40)))
    func installsRunsAndRemovesCleanly() throws {
        var deb = Self.env["PERMAUDIT_DEB"] ?? ""
        if deb.isEmpty {
            let started = Date()
            // Its own build folder: `swift test` holds the lock on .build while this runs.
            let built = try PermauditRun.runProcess("/usr/bin/env", [
                "PERMAUDIT_DEB_SCRATCH=" + Self.package.appendingPathComponent(".build-deb").path,
                Self.package.appendingPathComponent("Tests/Packaging/build-deb.sh").path, Self.package.appendingPathComponent(".build-deb/deb").path,
            ])
            print("build-deb.sh: \(String(format: "%.0f", Date().timeIntervalSince(started))) s")
            try #require(built.status == 0, "build-deb.sh: \(built.stderr.suffix(3000))")
            deb = built.stdout.split(separator: "\n").last.map(String.init) ?? ""
        }
        let info = try sh("dpkg-deb -f '\(deb)' Package Depends")
        #expect(info.stdout.contains("Package: permaudit"))
        let depends = info.stdout.split(separator: "\n").first { $0.hasPrefix("Depends:") } ?? ""
        for lib in ["libacl1", "libcap2"] { #expect(depends.contains(lib), "\(depends)") }
        #expect(!depends.contains("swift"), "the Swift runtime is linked in: \(depends)")

        let before = try snapshot()
        var installed = false
        defer { if installed { _ = try? sh("dpkg -P permaudit") } }
        let install = try sh("dpkg -i '\(deb)'")
        installed = install.status == 0
        try #require(install.status == 0, "dpkg -i: \(install.stdout)\(install.stderr)")

        let audit = try PermauditRun.runProcess("/usr/bin/permaudit", ["audit", "--format", "json"])
        #expect(audit.status == 0 || audit.status == 1, "permaudit audit: \(audit.status) \(audit.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any]
        #expect((report?["findings"] as? [Any])?.isEmpty == false)
        #expect(try sh("man -w permaudit-audit 2>/dev/null || man -w permaudit.audit").status == 0 || FileManager.default.fileExists(atPath: "/usr/share/man/man1/permaudit.audit.1.gz"))
        for completion in ["/usr/share/bash-completion/completions/permaudit", "/usr/share/zsh/vendor-completions/_permaudit", "/usr/share/fish/vendor_completions.d/permaudit.fish"] {
            #expect(((try? String(contentsOfFile: completion, encoding: .utf8)) ?? "").contains("permaudit"), "\(completion)")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            // The man page the service's Documentation= names is installed now: verify without --man=no.
            let verify = try sh("systemd-analyze verify /usr/lib/systemd/system/permaudit-audit.service /usr/lib/systemd/system/permaudit-audit.timer")
            #expect(verify.status == 0 && verify.stderr.isEmpty, "\(verify.stdout)\(verify.stderr)")
        }
        let owned = try sh("dpkg -L permaudit").stdout.split(separator: "\n").map(String.init)
        #expect(owned.contains("/usr/bin/permaudit"))

        let remove = try sh("dpkg -r permaudit")
        #expect(remove.status == 0, "dpkg -r: \(remove.stderr)")
        let afterRemove = try snapshot().subtracting(before)
        #expect(afterRemove.subtracting(["/etc/logrotate.d/permaudit-audit", "/var/lib/dpkg/info/permaudit.conffiles", "/var/lib/dpkg/info/permaudit.list", "/var/lib/dpkg/info/permaudit.md5sums"]).isEmpty,
                "left after dpkg -r besides the conffile: \(afterRemove.sorted())")
        #expect(!FileManager.default.fileExists(atPath: "/usr/bin/permaudit"))
        let purge = try sh("dpkg -P permaudit")
        installed = false
        #expect(purge.status == 0, "dpkg -P: \(purge.stderr)")
        let afterPurge = try snapshot()
        #expect(afterPurge.subtracting(before).isEmpty, "left after dpkg -P: \(afterPurge.subtracting(before).sorted())")
        #expect(before.subtracting(afterPurge).isEmpty, "removed what it did not install: \(before.subtracting(afterPurge).sorted())")
    }
}
