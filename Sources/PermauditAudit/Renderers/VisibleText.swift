/// Makes untrusted text (paths hold any bytes) safe to show: control characters and bidirectional
/// overrides become visible escapes, so a file name cannot move the cursor, recolour a terminal,
/// break a table row or reorder what the reader sees.
public enum VisibleText {
    /// - Parameters:
    ///   - keepNewlines: keep `\n` (and `\t`) as they are, for multi-line blocks such as fix scripts.
    public static func escape(_ s: String, keepNewlines: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            if keepNewlines && (u == "\n" || u == "\t") {
                out.unicodeScalars.append(u)
            } else if let e = escapeSequence(u) {
                out += e
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// The visible form of one scalar, or nil when it may be shown as it is.
    static func escapeSequence(_ u: Unicode.Scalar) -> String? {
        switch u.value {
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x00..<0x20, 0x7F: return "\\x" + hex(u.value, width: 2)
        case 0x80...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF:
            return "\\u{" + hex(u.value, width: 4) + "}"
        default: return nil
        }
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// Whether the text needs escaping at all.
    public static func isPlain(_ s: String) -> Bool { s.unicodeScalars.allSatisfy { escapeSequence($0) == nil } }
}
