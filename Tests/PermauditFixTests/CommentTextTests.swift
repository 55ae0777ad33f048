import Foundation
import Testing
@testable import PermauditFix

/// Script comments show every byte unambiguously: what `printf '%b'` reads back is the text itself.
@Suite("Comment text escapes unambiguously")
struct CommentTextTests {
    @Test("escaped text", arguments: [
        ("\u{01}c", "\\x01c"),
        ("\u{1c}", "\\x1c"),
        ("a\\x41b", "a\\\\x41b"),
        ("tab\there", "tab\\x09here"),
        ("é", "\\xc3\\xa9"),
    ])
    func escapes(_ text: String, _ expected: String) {
        #expect(BashQuote.commentText(text) == expected)
    }

    @Test("bash reads every escaped text back byte for byte", arguments: ["\u{01}c", "\u{01}cafe", "\\x1c", "a\\\\b", "\u{7f}0", "\n1", "é\u{0}9"])
    func roundTrip(_ text: String) throws {
        let r = try run(["bash", "-c", "printf '%b' \"$1\" | od -An -tx1 -v", "_", BashQuote.commentText(text)])
        let bytes = r.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt8($0, radix: 16) }
        #expect(bytes == Array(text.utf8), "\(BashQuote.commentText(text))")
    }
}
