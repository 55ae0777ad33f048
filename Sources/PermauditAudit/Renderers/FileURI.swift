/// Paths as URI references (RFC 3986, RFC 8089): every byte outside the unreserved set and `/` is
/// percent-encoded from the path's UTF-8, so spaces, `%`, `#`, `?`, `:` and non-ASCII names survive.
public enum FileURI {
    /// `file:///var/log/auth.log` for an absolute path.
    public static func absolute(_ path: String) -> String { "file://" + encodePath(path) }

    /// The path without its leading `/`, encoded: a reference relative to a root's file URI.
    public static func relative(_ path: String) -> String {
        encodePath(String(path.drop { $0 == "/" }))
    }

    /// A folder's file URI, always ending in `/` (SARIF requires that of `originalUriBaseIds`).
    public static func directory(_ path: String) -> String {
        let u = absolute(path)
        return u.hasSuffix("/") ? u : u + "/"
    }

    public static func encodePath(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + VisibleText.hex(UInt32(b), width: 2)
            }
        }
        return out
    }
}
