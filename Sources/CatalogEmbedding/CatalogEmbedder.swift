/// Writes the Swift source that compiles the catalog into the binary, so one copied binary works alone.
/// The build does it (the `EmbedCatalog` plugin runs `permaudit-embed-catalog` on `Rules/`): nothing to
/// regenerate by hand, nothing generated checked in.
public enum CatalogEmbedder {
    /// The text of the generated `EmbeddedCatalog.swift` for these files (names relative to `Rules/`).
    public static func source(files: [(name: String, text: String)]) -> String {
        var out = """
            // Generated at build time by the EmbedCatalog plugin from the files under Rules/. Do not edit:
            // edit the YAML; the next build embeds it.

            enum EmbeddedCatalog {
                static let files: [(name: String, text: String)] = [

            """
        for (name, text) in files.sorted(by: { $0.name < $1.name }) {
            var hashes = "#"
            // No `"#…` (ends the string) and no `\#…` (an escape in it) with as many hashes.
            while text.contains("\"" + hashes) || text.contains("\\" + hashes) || text.contains(hashes.dropLast() + "\"\"\"") { hashes += "#" }
            // The line break before the closing delimiter is not part of the string: the text comes out exact.
            out += "        (\(literal(name)), \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)),\n"
        }
        out += "    ]\n}\n"
        return out
    }

    static func literal(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: Substring(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}
