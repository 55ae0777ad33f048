import ArgumentParser
import Glibc
import PermauditAudit
import PermauditCore
import PermauditHost

extension Permaudit {
    /// `permaudit reach TREE...`: everything under the trees that the principal can access.
    struct Reach: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List everything under the trees that the principal can access (a whole-tree sweep).",
            discussion: """
                The walk to each TREE is judged as `explain` judges it; below it the sweep is physical (symlinks \
                are not followed) and enters only the directories the principal can search, so it costs what the \
                principal can reach. Directories permaudit itself cannot read are reported on standard error as \
                unknown. Exit status: 0 done, 2 bad input, 3 some part could not be looked at.
                """)

        @Argument(help: "Directories (or files) to sweep.")
        var trees: [String]

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

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, ndjson }

        @Option(name: .long, help: "Output: text (one path a line) or ndjson (one JSON object a line: path, mode, owner, group, how it was granted).")
        var format: Format = .text

        @Flag(name: .long, help: "Print in bytewise path order (the default streams each object as it is judged).")
        var sort = false

        func validate() throws {
            try principal.requireGiven()
            if trees.isEmpty { throw ValidationError("give at least one TREE to sweep, e.g. permaudit reach --user nobody /var/log") }
        }

        func run() throws {
            let h = try host.makeHost(pid: principal.pid)
            let who = try principal.resolve(on: h)
            // ndjson prints how each object was granted; the other outputs need only the verdict.
            let judge = SweepJudge(source: h, principal: who, access: access, recordsEvidence: format == .ndjson)
            let evaluator = AccessEvaluator(source: h)
            let out = OutputBuffer(fd: 1)
            var examined = 0, reachable = 0, unknown = 0
            var held: [(SweptObject, AccessDecision)] = []
            let started = monotonicNanoseconds()
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
                sweep.run(from: start) { event in
                    switch event {
                    case .object(let o):
                        examined += 1
                        let reached = o.reached
                        if let d = judge.decide(reached), d.verdict == .granted {
                            reachable += 1
                            if !count {
                                if sort { held.append((o, d)) } else { emit(o, d, h, out) }
                            }
                        }
                        return judge.canEnter(reached)
                    case .unreadable(let path, let error):
                        unknown += 1
                        writeError("unknown: \(RawPath(bytes: path).display): permaudit cannot look: \(error)")
                        return false
                    }
                }
            }
            held.sort { $0.0.path.lexicographicallyPrecedes($1.0.path) }
            for (o, d) in held { emit(o, d, h, out) }
            out.flush()
            let ms = Double(monotonicNanoseconds() - started) / 1e6
            writeError("\(reachable) of \(examined) objects examined allow \(access.rawValue) for \(who.userLabel); \(unknown) unknown; \(String(format3(ms))) ms")
            if unknown > 0 { throw ExitCode(3) }
        }

        func emit(_ o: SweptObject, _ d: AccessDecision, _ h: any PermauditHost.Host, _ out: OutputBuffer) {
            if format == .ndjson {
                let raw = o.rawPath
                var fields: [(String, JSONValue)] = [("path", .string(raw.display))]
                if !raw.isValidUTF8 { fields.append(("pathHex", .string(raw.hex))) }
                fields += [
                    ("type", .string(o.facts.type.rawValue)),
                    ("mode", .string(String(o.facts.mode.bits, radix: 8))),
                    ("acl", .bool(o.facts.acl != nil)),
                    ("uid", .int(Int(o.facts.uid))), ("gid", .int(Int(o.facts.gid))),
                    ("owner", h.userName(o.facts.uid).map(JSONValue.string) ?? .null),
                    ("group", h.groupName(o.facts.gid).map(JSONValue.string) ?? .null),
                    ("access", .string(access.rawValue)),
                    ("grantedBy", .string(d.evidence.last { $0.outcome == .granted }?.because ?? d.reason)),
                ]
                out.append(JSONValue.object(fields).rendered(pretty: false))
                out.append([10])
                return
            }
            if long {
                out.append("\(o.facts.modeString) \(o.facts.uid) \(o.facts.gid) ")
            }
            out.append(o.path)
            out.append([nullTerminated ? 0 : 10])
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
