import ArgumentParser
import Glibc
import PermauditAudit
import PermauditCore
import PermauditHost

extension Permaudit {
    /// `permaudit reach TREE...`: everything under the trees that the principal can access.
    struct Reach: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reach",
            abstract: "List everything under the trees that the principal can access (a whole-tree sweep).",
            discussion: """
                The walk to each TREE is judged as `explain` judges it; below it the sweep is physical (symlinks \
                are not followed) and enters only the directories the principal can search, so it costs what the \
                principal can reach. Directories permaudit itself cannot read are reported on standard error as \
                unknown. Exit status: 0 done, 2 bad input, 3 some part could not be looked at.

                The sweep runs on one worker per core (--jobs N): paths stream out as the workers judge them, each \
                line whole, in no fixed order; --sort prints them in bytewise path order, the same every run. With \
                --jobs 1 the sweep is one thread, depth-first, each directory's names in bytewise order.

                --changed-by 'group G' or --changed-by 'cap C' lists instead what that membership or capability \
                would add: the objects the principal can access with it and not without it (whether or not the \
                principal has it now). The figure is the one `audit` prints for a too-broad group and `fix` for a \
                group or capability step: \(ReachDelta.definition). Example: permaudit reach --user \
                elastic-agent-user --changed-by 'group adm' /var/log /etc
                """)

        @Argument(help: "Directories (or files) to sweep (default with --agent-policy: the directories its log inputs list).")
        var trees: [String] = []

        @OptionGroup(title: "Principal")
        var principal: PrincipalOptions

        @OptionGroup(title: "Host")
        var host: HostOptions

        @Option(name: .long, help: ArgumentHelp(
            "The access: \(Access.helpText). With create: the directories the principal may create entries in; with delete: the entries it may unlink or rmdir (sticky and append-only directories, immutable entries, mount points and non-empty directories as the kernel decides).",
            valueName: "ACCESS"))
        var access: Access = .read

        @Flag(name: [.customLong("one-file-system"), .customLong("xdev")], help: "Do not cross into other file systems.")
        var oneFileSystem = false

        @Flag(name: .long, help: "Print mode, owner and group before each path.")
        var long = false

        @Flag(name: .customLong("null"), help: "End each path with NUL instead of a newline (for xargs -0; exact bytes).")
        var nullTerminated = false

        @Flag(name: .long, help: "Only print the summary line.")
        var count = false

        @Option(name: .customLong("changed-by"), help: ArgumentHelp("List what a change would add: 'group NAME|GID' or 'cap CAP'.", valueName: "CHANGE"))
        var changedBy: ReachChange?

        @OptionGroup(title: "Agent policy")
        var agentPolicy: AgentPolicyOption

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, ndjson }

        @Option(name: .long, help: "Output: text (one path a line) or ndjson (one JSON object a line: path, mode, owner, group, how it was granted).")
        var format: Format = .text

        @Flag(name: .long, help: "Print in bytewise path order (the default streams each object as it is judged).")
        var sort = false

        @Option(name: .long, help: ArgumentHelp(
            "Workers sweeping in parallel (default: one per core, at least 2). With 1 the sweep is one thread, depth-first in bytewise name order.",
            valueName: "N"))
        var jobs: Int?

        func validate() throws {
            try principal.requireGiven()
            if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs takes 1 to 256 workers, e.g. --jobs 4; not \(jobs)") }
            if trees.isEmpty && agentPolicy.file == nil { throw ValidationError("give at least one TREE to sweep, e.g. permaudit reach --user nobody /var/log") }
            if changedBy != nil, ![.read, .write, .execute].contains(access) {
                throw ValidationError("--changed-by compares read, write or execute (list and search on directories); not \(access.rawValue)")
            }
            if changedBy != nil, format == .ndjson {
                throw ValidationError("--changed-by lists paths as text (with --long, the access first); drop --format ndjson")
            }
        }

        func run() throws {
            let h = try host.makeHost(pid: principal.pid)
            let who = try principal.resolve(on: h)
            if let changedBy { return try runDelta(changedBy, who: who, host: h) }
            // ndjson prints how each object was granted; the other outputs need only the verdict.
            // Paths and counts need the verdict alone: no reason is worded, and an ACL that cannot change the
            // verdict is not read (--long prints the `+` of an ACL, so it reads them all).
            let judge = SweepJudge(source: h, principal: who, access: access, recordsEvidence: format == .ndjson, explains: format == .ndjson)
            let evaluator = AccessEvaluator(source: h)
            let output = count ? nil : SharedOutput(fd: 1)
            let style: ReachRecord.Style = format == .ndjson ? .ndjson : long ? .long : .path
            let record = ReachRecord(style: style, terminator: nullTerminated ? 0 : 10, access: access, host: h)
            var examined = 0, reachable = 0, unknown = 0
            var held: [(path: [UInt8], record: [UInt8])] = []
            let started = monotonicNanoseconds()
            // Without TREE, the directories the policy's log inputs list: what the agent will look into.
            let trees = self.trees.isEmpty ? try agentPolicy.trees(on: RawNameHost(base: h)) : self.trees
            if trees.isEmpty { throw InputError("--agent-policy \(agentPolicy.file ?? ""): its log inputs list no directory on this host; give TREE") }
            let workers = jobs ?? TreeSweep.defaultWorkers
            for tree in trees {
                let absolute = RawArgument.absolute(tree)
                // The way to the tree is judged like explain: every ancestor's search, symlinks followed.
                let top = evaluator.decide(absolute, .statfs, for: who)
                guard top.verdict == .granted, let start = top.resolved else {
                    if top.verdict == .unknown { unknown += 1 }
                    writeError("\(tree): not reachable: \(top.reason)")
                    continue
                }
                var sweep = TreeSweep(host: h, oneFileSystem: oneFileSystem)
                if style == .path { sweep.readsACL = { [judge] in judge.needsACL(uid: $0, mode: $1, isDirectory: $2) } }
                let visitor = ReachVisitor(judge: judge, record: record, output: output, sorted: sort)
                var visitors: [ReachVisitor]
                if workers == 1 {
                    // One thread: depth-first, in bytewise name order, as `find` walks.
                    var one = visitor
                    sweep.run(from: start) { one.visit($0, in: ()) != nil }
                    visitors = [one]
                } else {
                    visitors = sweep.run(from: start, visitors: Array(repeating: visitor, count: workers))
                }
                var unreadable: [(path: [UInt8], error: HostError)] = []
                for i in visitors.indices {
                    visitors[i].flush()
                    examined += visitors[i].examined
                    reachable += visitors[i].reachable
                    unreadable += visitors[i].unreadable
                    held += visitors[i].held
                }
                unreadable.sort { $0.path.lexicographicallyPrecedes($1.path) }
                for u in unreadable {
                    unknown += 1
                    writeError("unknown: \(RawPath(bytes: u.path).display): permaudit cannot look: \(u.error)")
                }
            }
            if let output {
                held.sort { $0.path.lexicographicallyPrecedes($1.path) }
                var chunk: [UInt8] = []
                for entry in held {
                    chunk += entry.record
                    if chunk.count >= 1 << 16 { output.write(chunk); chunk.removeAll(keepingCapacity: true) }
                }
                output.write(chunk)
            }
            let ms = Double(monotonicNanoseconds() - started) / 1e6
            writeError("\(reachable) of \(examined) objects examined allow \(access.rawValue) for \(who.userLabel); \(unknown) unknown; \(String(format3(ms))) ms")
            if unknown > 0 { throw ExitCode(3) }
        }

        /// `--changed-by`: the one ``ReachDelta`` between the principal without the change and with it.
        func runDelta(_ change: ReachChange, who: Principal, host h: any Host) throws {
            let (without, with) = try change.sides(of: who, on: h)
            let roots = trees.map { $0.hasPrefix("/") ? $0 : currentDirectory() + "/" + $0 }
            let started = monotonicNanoseconds()
            let sweep = ReachDeltaSweep(
                host: h, roots: roots, before: .init(principal: without), after: .init(principal: with), accesses: [access],
                oneFileSystem: oneFileSystem, workers: jobs ?? TreeSweep.defaultWorkers)
            for u in sweep.unreached { writeError("\(u.root): not reachable with or without \(change): \(u.decision.reason)") }
            for u in sweep.unreadable { writeError("unknown: \(String(decoding: u.path, as: UTF8.self)): permaudit cannot look: \(u.error)") }
            let out = OutputBuffer(fd: 1)
            if !count {
                let opened = sort ? sweep.delta.opened.sorted { $0.path.lexicographicallyPrecedes($1.path) } : sweep.delta.opened
                for c in opened {
                    if long { out.append("\(c.access.rawValue) ") }
                    out.append(c.path)
                    out.append([nullTerminated ? 0 : 10])
                }
            }
            out.flush()
            let ms = Double(monotonicNanoseconds() - started) / 1e6
            let unknown = sweep.unreadable.count + sweep.unreached.filter { $0.decision.verdict == .unknown }.count
            writeError(ReachDelta.sentence("\(change)", opens: sweep.delta.opened.count, under: trees, for: who.userName ?? String(who.uid), access: access)
                + "; \(sweep.delta.examined) objects examined; \(unknown) unknown; \(format3(ms)) ms")
            if unknown > 0 { throw ExitCode(3) }
        }
    }
}

func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func format3(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    return String(rounded)
}
