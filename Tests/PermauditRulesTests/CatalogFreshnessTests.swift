import CatalogEmbedding
import Testing

@testable import PermauditRules

/// The catalog compiled into the binary is made from `Rules/` by the build (the EmbedCatalog plugin); the
/// rules' documentation, `Rules/README.md`, is checked in for people to read on the repository's page,
/// so a test keeps it saying what `Rules/` says now.
@Suite struct CatalogFreshnessTests {
    static let regenerateDocs = "swift build && .build/debug/permaudit rules docs > Rules/README.md"

    @Test func theEmbeddedCatalogIsRulesFolderFileForFile() throws {
        let folder = try RepositoryFiles.ruleFiles()
        #expect(EmbeddedCatalog.files.map(\.name) == folder.map(\.name))
        for (embedded, file) in zip(EmbeddedCatalog.files, folder) {
            #expect(embedded.text == file.text, "\(file.name): the embedded text differs from Rules/\(file.name)")
        }
    }

    @Test func theReadmeIsWhatTheRulesGenerate() throws {
        let expected = RuleDocs.markdown(try RepositoryFiles.rulesFolderCatalog())
        let actual = try RepositoryFiles.text("Rules/README.md")
        #expect(actual == expected, "Rules/README.md is stale: run `\(Self.regenerateDocs)`")
    }

    @Test func theBuiltInCatalogHoldsEveryFileOfRulesAndNothingElse() throws {
        let folder = try RepositoryFiles.ruleFiles()
        #expect(EmbeddedCatalog.files.map(\.name) == folder.map(\.name))
        let builtIn = try RuleCatalog.builtIn()
        let fromFolder = try RepositoryFiles.rulesFolderCatalog()
        #expect(builtIn.rules.map(\.id) == fromFolder.rules.map(\.id))
        #expect(builtIn.rules.allSatisfy { $0.origin.hasPrefix("embedded:") })
    }

    /// The embedder picks a raw-string delimiter that nothing in the text can end or escape from:
    /// quotes, `"""`, `"#`, and backslashes followed by hashes (`\#n` is an escape in a `#"""` string).
    @Test(arguments: [
        ("plain text", "#"),
        ("a \"quoted\" path and C:\\Program Files\\", "#"),
        ("a line that ends a raw string: \"#", "##"),
        ("\"\"\" and \"## inside", "###"),
        ("a regex \\#n or \\#(x) in a pattern", "##"),
        ("both \\## and \"#", "###"),
    ])
    func theEmbedderKeepsAnyTextExactly(_ text: String, _ hashes: String) {
        let source = CatalogEmbedder.source(files: [("b.yaml", text + "\n"), ("a.yaml", "no newline at the end")])
        #expect(source.contains("(\"a.yaml\", #\"\"\"\nno newline at the end\n\"\"\"#),"))
        #expect(source.contains("(\"b.yaml\", \(hashes)\"\"\"\n\(text)\n\n\"\"\"\(hashes)),"), "\(source)")
        let a = source.range(of: "a.yaml"), b = source.range(of: "b.yaml")
        #expect(a != nil && b != nil && a!.lowerBound < b!.lowerBound, "files are embedded sorted by name")
    }
}
