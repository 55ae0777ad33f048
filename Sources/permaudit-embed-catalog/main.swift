import CatalogEmbedding
import Foundation

// The build-time half of the EmbedCatalog plugin: `permaudit-embed-catalog RULES_DIR OUTPUT.swift`
// writes the Swift source that compiles the rule files into PermauditRules.
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: permaudit-embed-catalog RULES_DIR OUTPUT.swift\n".utf8))
    exit(2)
}
do {
    let source = CatalogEmbedder.source(files: try RulesFolder.files(in: arguments[1]))
    let output = URL(fileURLWithPath: arguments[2])
    // Unchanged text keeps its modification time, so an unrelated edit does not recompile the rules module.
    if (try? String(contentsOf: output, encoding: .utf8)) != source {
        try Data(source.utf8).write(to: output, options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("permaudit-embed-catalog: \(error)\n".utf8))
    exit(1)
}
