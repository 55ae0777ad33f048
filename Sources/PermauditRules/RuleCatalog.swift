import CatalogEmbedding
import Foundation

/// The rules and profiles in force: the catalog compiled into the binary, plus any `--rules DIR`
/// (a rule there with the same id replaces the built-in one). Loads whole or not at all.
public struct RuleCatalog: Sendable {
    public private(set) var rules: [Rule]
    public private(set) var profiles: [Profile]

    /// The catalog compiled into the binary (`Rules/`, embedded at build time by the EmbedCatalog plugin).
    public static func builtIn() throws(RuleLoadErrors) -> RuleCatalog {
        try load(files: EmbeddedCatalog.files.map { ("embedded:" + $0.name, $0.text) })
    }

    /// Parses the files; every problem in every file is reported, and nothing loads if there is one.
    public static func load(files: [(name: String, text: String)]) throws(RuleLoadErrors) -> RuleCatalog {
        var rules: [Rule] = [], profiles: [Profile] = [], errors: [RuleFileError] = []
        for (name, text) in files {
            do {
                let parsed = try RuleFileParser.parse(file: name, text: text)
                rules += parsed.rules
                profiles += parsed.profiles
            } catch {
                errors += error.errors
            }
        }
        var seen: [String: Rule] = [:]
        for r in rules {
            if let first = seen[r.id] {
                let line = Int(r.origin.split(separator: ":").last ?? "") ?? 0
                let file = String(r.origin.dropLast(String(line).count + 1))
                errors.append(RuleFileError(file: file, line: line, "duplicate rule id '\(r.id)' (also at \(first.origin))"))
            }
            seen[r.id] = r
        }
        if !errors.isEmpty { throw RuleLoadErrors(errors) }
        return RuleCatalog(rules: rules.sorted { $0.id < $1.id }, profiles: profiles.sorted { $0.name < $1.name })
    }

    /// The YAML files under a folder, sorted, each named by the folder's path and its name in it (`Rules/linux/auth-log.yaml`).
    public static func files(in directory: String) throws(RuleLoadErrors) -> [(name: String, text: String)] {
        do {
            let prefix = directory.hasSuffix("/") ? directory : directory + "/"
            return try RulesFolder.files(in: directory).map { (prefix + $0.name, $0.text) }
        } catch {
            throw RuleLoadErrors([RuleFileError(file: error.file, line: 0, error.isMissingFolder ? "no such folder: give --rules a folder of .yaml rule files" : error.problem)])
        }
    }

    /// This catalog with a folder's rules added; a rule with an existing id replaces it, a profile with an existing name too.
    public func adding(_ other: RuleCatalog) -> RuleCatalog {
        let ids = Set(other.rules.map(\.id)), names = Set(other.profiles.map(\.name))
        return RuleCatalog(
            rules: (rules.filter { !ids.contains($0.id) } + other.rules).sorted { $0.id < $1.id },
            profiles: (profiles.filter { !names.contains($0.name) } + other.profiles).sorted { $0.name < $1.name })
    }

    public func rule(id: String) -> Rule? { rules.first { $0.id == id } }
    public func profile(named name: String) -> Profile? { profiles.first { $0.name == name } }
}
