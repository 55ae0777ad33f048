import Testing
@testable import PermauditFix
import PermauditCore
import PermauditHost

@Suite("logrotate stanzas that decide whether a grant survives rotation")
struct LogrotateConfigTests {
    static let debian = """
        # see "man logrotate" for details
        weekly
        create

        /var/log/syslog
        /var/log/auth.log
        {
        \trotate 4
        \tcompress
        \tpostrotate
        \t\t/usr/lib/rsyslog/rsyslog-rotate
        \tendscript
        }

        "/var/log/secure" /var/log/messages {
            create 0600 root root
        }

        /var/log/app/*.log {
            copytruncate
        }
        """

    @Test("a bare global create is inherited; compress and postrotate are seen")
    func debianStanza() throws {
        let c = LogrotateConfig.parse(Self.debian, file: "/etc/logrotate.conf")
        let s = try #require(c.stanza(for: RawPath("/var/log/auth.log")))
        #expect(s.creation == .createCopyingACL)
        #expect(s.compress)
        #expect(s.hasPostrotate)
        #expect(s.endscriptLine == 12)
        #expect(s.closingLine == 13)
    }

    @Test("create with a mode, quoted patterns, copytruncate and globs")
    func others() throws {
        let c = LogrotateConfig.parse(Self.debian, file: "/etc/logrotate.conf")
        #expect(c.stanza(for: RawPath("/var/log/secure"))?.creation == .createWithMode(mode: "0600", owner: "root", group: "root"))
        #expect(c.stanza(for: RawPath("/var/log/app/x.log"))?.creation == .copyTruncate)
        #expect(c.stanza(for: RawPath("/var/log/other")) == nil)
    }

    @Test("rotated copies by logrotate's names", arguments: [
        ("auth.log.1", true), ("auth.log.2.gz", true), ("auth.log-20250101", true), ("auth.log-20250101.gz", true),
        ("auth.log.bak", false), ("auth.log", false), ("auth.logx.1", false), ("auth.log.1.txt", false),
    ])
    func rotatedNames(_ name: String, _ expected: Bool) {
        #expect(RotatedName.isRotatedCopy(Array(name.utf8), of: Array("auth.log".utf8)) == expected)
    }
}
