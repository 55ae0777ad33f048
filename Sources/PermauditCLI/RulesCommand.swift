import ArgumentParser
import Foundation
import PermauditRules

extension Permaudit {
    /// `permaudit rules list | show ID | lint DIR | docs | embed DIR`.
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract: "The rule catalog: list, show, lint a folder, generate its documentation.",
            subcommands: [List.self, Show.self, Lint.self, Docs.self])

        struct CatalogOptions: ParsableArguments {
            @Option(name: .long, help: ArgumentHelp("Add (or replace by id) the rules of a folder of YAML files.", valueName: "DIR"))
            var rules: String?

            func load() throws -> RuleCatalog {
                do {
                    var catalog = try RuleCatalog.builtIn()
                    if let rules { catalog = catalog.adding(try RuleCatalog.load(files: try RuleCatalog.files(in: rules))) }
                    return catalog
                } catch {
                    throw InputError(error.description)
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List the rules: id, severity, platforms, title.")
            @OptionGroup var catalog: CatalogOptions
            func run() throws {
                let c = try catalog.load()
                let width = c.rules.map(\.id.count).max() ?? 0
                for r in c.rules {
                    print("\(r.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(r.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(r.platforms.sorted().map(\.rawValue).joined(separator: ",").padding(toLength: 19, withPad: " ", startingAt: 0))  \(r.title)")
                }
                print("\(c.rules.count) rules, \(c.profiles.count) profile\(c.profiles.count == 1 ? "" : "s")")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one rule in full.")
            @Argument(help: "The rule id (see `permaudit rules list`).") var id: String
            @OptionGroup var catalog: CatalogOptions
            func run() throws {
                let c = try catalog.load()
                guard let r = c.rule(id: id) else {
                    let near = c.rules.map(\.id).filter { $0.contains(id) || id.contains($0) }
                    throw InputError("no rule '\(id)'" + (near.isEmpty ? "; `permaudit rules list` lists them" : "; did you mean \(near.joined(separator: ", "))?"))
                }
                print("\(r.id): \(r.title)")
                if !r.summary.isEmpty { print("  \(r.summary)") }
                print("  severity:     \(r.severity.rawValue)")
                print("  platforms:    \(r.platforms.sorted().map(\.rawValue).joined(separator: ", "))\(r.distributions.isEmpty ? "" : " (\(r.distributions.joined(separator: ", ")))")")
                if !r.integrations.isEmpty { print("  needed by:    \(r.integrations.joined(separator: ", "))") }
                print("  check:        \(RuleDocs.describe(r.check))")
                print("  symptom:      \(r.symptom)")
                print("  documented:   \(r.documentedFix)")
                print("  narrowest:    \(r.leastPrivilegeFix)")
                if let w = r.warning { print("  warning:      \(w)") }
                print("  remedy:       \(r.remedy.rawValue)")
                print("  sources:      \(r.sources.joined(separator: "; "))")
                print("  defined at:   \(r.origin)")
            }
        }

        struct Lint: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "lint",
                abstract: "Check a folder of rule files: every problem as file:line: what is wrong.",
                discussion: "Exit status: 0 clean, 2 problems found.")
            @Argument(help: "The folder.") var directory: String
            func run() throws {
                do {
                    let c = try RuleCatalog.load(files: try RuleCatalog.files(in: directory))
                    print("\(directory): \(c.rules.count) rules and \(c.profiles.count) profiles, no problems")
                } catch {
                    throw InputError(error.description)
                }
            }
        }

        struct Docs: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "docs", abstract: "Print the catalog's documentation (Rules/README.md) as Markdown.")
            @OptionGroup var catalog: CatalogOptions
            func run() throws { print(RuleDocs.markdown(try catalog.load()), terminator: "") }
        }
    }
}
