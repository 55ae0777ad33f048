/// Text made safe for XML 1.0 (and HTML): markup characters become entities, characters XML 1.0
/// forbids (C0 controls other than tab, newline and carriage return; U+FFFE, U+FFFF) become visible
/// `\xHH` escapes instead of silently vanishing, as do C1 controls and bidirectional overrides.
public enum XMLText {
    /// Element content.
    public static func content(_ s: String) -> String { escape(s, attribute: false) }

    /// An attribute value inside double quotes; tab, newline and CR as character references so that
    /// attribute-value normalisation keeps them.
    public static func attribute(_ s: String) -> String { escape(s, attribute: true) }

    static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&#39;"
            case "\t": out += attribute ? "&#9;" : "\t"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            default:
                if let e = VisibleText.escapeSequence(u) { out += e } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}
