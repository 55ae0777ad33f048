import Foundation
import Testing
@testable import PermauditFix
import PermauditCore
import PermauditHost

@Suite("Bash quoting keeps every byte")
struct BashQuoteTests {
    static let hostile: [[UInt8]] = [
        Array("plain.log".utf8), Array("a b.log".utf8), Array("new\nline".utf8), Array("quo'te\"s".utf8),
        Array("$(touch X)".utf8), Array("`id`".utf8), Array("-rf".utf8), Array("back\\slash".utf8),
        [0x62, 0x61, 0x64, 0xFF, 0xFE, 0x2E], Array("tab\there".utf8), Array("é ünïcode".utf8), [0x01, 0x7F, 0x1B],
    ]

    @Test("a quoted word is read back by bash as exactly the same bytes", arguments: hostile)
    func roundTrip(_ bytes: [UInt8]) throws {
        let word = BashQuote.quote(bytes)
        let r = try run(["bash", "-c", "printf '%s' \(word) | od -An -v -tx1"])
        let hex = r.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt8($0, radix: 16) }
        #expect(hex == bytes, "quoted as \(word)")
    }

    @Test("nothing outside printable ASCII is ever written raw into the script")
    func onlyPrintable() {
        for b in Self.hostile {
            let q = BashQuote.quote(b)
            #expect(q.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        }
    }

    @Test("RawPath display shows invalid bytes as \\xNN and keeps valid UTF-8")
    func display() {
        #expect(RawPath(bytes: [0x2F, 0x61, 0xFF]).display == "/a\\xff")
        #expect(RawPath("/var/log/é").display == "/var/log/é")
        #expect(RawPath(bytes: [0x2F, 0xC3]).isValidUTF8 == false)
    }
}
