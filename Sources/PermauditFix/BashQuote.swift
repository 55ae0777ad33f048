import PermauditCore
import PermauditHost

/// Quoting for bash that is exact for any bytes: printable ASCII other than `'` and `\` is kept as is,
/// everything else (quotes, newlines, invalid UTF-8, any byte ≥ 0x80) becomes `\xNN` inside `$'…'`.
/// The result is one word; no expansion of any kind happens inside it.
enum BashQuote {
    static func quote(_ bytes: [UInt8]) -> String {
        var plain = true
        for b in bytes where !(isSafe(b)) { plain = false; break }
        if plain && !bytes.isEmpty {
            return "'" + String(decoding: bytes, as: UTF8.self) + "'"
        }
        var out = "$'"
        for b in bytes {
            if isSafe(b) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = String(b, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out + "'"
    }

    static func quote(_ path: RawPath) -> String { quote(path.bytes) }
    static func quote(_ text: String) -> String { quote(Array(text.utf8)) }

    /// Printable ASCII that means nothing inside single quotes nor inside `$'…'`. `$` and backquote are
    /// escaped too, though inert in quotes, so that no reader (nor shellcheck) takes them for an expansion.
    static func isSafe(_ b: UInt8) -> Bool {
        b >= 0x20 && b < 0x7F && b != UInt8(ascii: "'") && b != UInt8(ascii: "\\") && b != UInt8(ascii: "$") && b != UInt8(ascii: "`")
    }

    /// Text for a `#` comment or an `echo`: one line, control and non-ASCII bytes shown as `\xNN`.
    static func commentText(_ text: String) -> String {
        var out = ""
        // Two hex digits always (bash reads at most two, so `\x01` then `c` never reads as `\x1c`), and the
        // backslash itself escaped, so a name holding the text `\x41` is not taken for an escape.
        for b in text.utf8 {
            if b == UInt8(ascii: "\\") {
                out += "\\\\"
            } else if b >= 0x20 && b < 0x7F {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "\\x" + (b < 0x10 ? "0" : "") + String(b, radix: 16)
            }
        }
        return out
    }
}
