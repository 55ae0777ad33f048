import ArgumentParser
import PermauditAudit
import PermauditHistory

extension Permaudit {
    /// `permaudit history --record DB`: the runs `audit --record` kept.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "history", abstract: "List the audit runs recorded with `audit --record DB`, newest first.")

        @Option(name: .long, help: ArgumentHelp("The history database written by `audit --record`.", valueName: "DB"))
        var record: String

        @Option(name: .long, help: "How many runs to list.")
        var limit = 20

        func run() throws {
            let history: RunHistory
            do { history = try RunHistory(path: record, access: .read, version: Permaudit.configuration.version) } catch { throw InputError(error.description) }
            let runs = try history.runs(limit: limit)
            if runs.isEmpty {
                print("no runs recorded in \(record) yet: run `permaudit audit --record \(record)`")
                return
            }
            for r in runs {
                let counts = Finding.State.allCases.compactMap { s in (r.counts[s] ?? 0) > 0 ? "\(r.counts[s] ?? 0) \(s.rawValue)" : nil }
                print("#\(r.id)  \(r.recordedAt)  \(r.hostname)\(r.root == "/" ? "" : " (root \(r.root))")  \(r.profile)  \(counts.joined(separator: ", "))")
            }
        }
    }

    /// `permaudit diff --record DB [OLD NEW]`: what changed between two recorded runs.
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Show what changed between two recorded runs (default: the newest run and the one before it for the same host and principal).",
            discussion: "Exit status: 0 nothing changed, 1 something changed, 2 bad input.")

        @Option(name: .long, help: ArgumentHelp("The history database written by `audit --record`.", valueName: "DB"))
        var record: String

        @Argument(help: "Run ids (from `permaudit history`): OLD NEW.")
        var runs: [Int64] = []

        func validate() throws {
            if !(runs.isEmpty || runs.count == 2) { throw ValidationError("give two run ids (OLD NEW), or none for the newest two") }
        }

        func run() throws {
            let history: RunHistory
            do { history = try RunHistory(path: record, access: .read, version: Permaudit.configuration.version) } catch { throw InputError(error.description) }
            let old: RecordedRun, new: RecordedRun
            if runs.count == 2 {
                guard let a = try history.run(id: runs[0]), let b = try history.run(id: runs[1]) else {
                    throw InputError("no run #\(runs[0]) or #\(runs[1]) in \(record); `permaudit history --record \(record)` lists them")
                }
                (old, new) = (a, b)
            } else {
                guard let latest = try history.runs(limit: 1).first else { throw InputError("no runs recorded in \(record) yet") }
                guard let before = try history.previous(to: latest) else {
                    print("only one run (#\(latest.id)) recorded for this host and principal: nothing to compare")
                    return
                }
                (old, new) = (before, latest)
            }
            let drift = try history.drift(from: old, to: new)
            if drift.isEmpty {
                print("no change between run #\(old.id) and #\(new.id)")
                return
            }
            print("changes from run #\(old.id) (\(old.recordedAt)) to #\(new.id) (\(new.recordedAt)):")
            for line in drift.lines { print("  " + line) }
            throw ExitCode(1)
        }
    }
}
