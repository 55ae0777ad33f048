import Foundation
import PackagePlugin

/// Compiles `Rules/` into PermauditRules at build time: one copied binary carries the whole catalog, and
/// an edit of a rule file needs no regeneration step (the build re-embeds it).
@main
struct EmbedCatalog: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let rules = context.package.directoryURL.appendingPathComponent("Rules")
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedCatalog.swift")
        // Every rule file is an input, so adding, editing or removing one re-runs the command.
        var inputs: [URL] = []
        if let walker = FileManager.default.enumerator(atPath: rules.path) {
            for case let rel as String in walker where rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") {
                inputs.append(rules.appendingPathComponent(rel))
            }
        }
        return [
            .buildCommand(
                displayName: "Embedding the rule catalog: \(inputs.count) files of Rules",
                executable: try context.tool(named: "permaudit-embed-catalog").url,
                arguments: [rules.path, output.path],
                inputFiles: inputs.sorted { $0.path < $1.path },
                outputFiles: [output]),
        ]
    }
}
