import Glibc
import PermauditAudit
import PermauditCore
import PermauditHost
import Synchronization

/// Standard output shared by the workers of a parallel `reach`: each writes whole records, under a lock,
/// so lines never interleave whatever the output is (a pipe, a file, a terminal).
final class SharedOutput: Sendable {
    private let fd: Int32
    private let lock = Mutex(())

    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        lock.withLock { _ in _ = writeAll(fd, bytes) }
    }
}

/// How `reach` prints one object it reaches: the path alone (newline or NUL), with mode, owner and
/// group first (`--long`), or one NDJSON object.
struct ReachRecord: Sendable {
    enum Style: Sendable { case path, long, ndjson }
    let style: Style
    let terminator: UInt8
    let access: Access
    let host: any PermauditHost.Host

    /// - Parameter d: the decision, for NDJSON's `grantedBy` (the other styles print the path alone).
    func append(_ o: SweptObject, _ d: AccessDecision?, to out: inout [UInt8]) {
        switch style {
        case .ndjson:
            let raw = o.rawPath
            var fields: [(String, JSONValue)] = [("path", .string(raw.display))]
            if !raw.isValidUTF8 { fields.append(("pathHex", .string(raw.hex))) }
            fields += [
                ("type", .string(o.facts.type.rawValue)),
                ("mode", .string(String(o.facts.mode.bits, radix: 8))),
                ("acl", .bool(o.facts.acl != nil)),
                ("uid", .int(Int(o.facts.uid))), ("gid", .int(Int(o.facts.gid))),
                ("owner", host.userName(o.facts.uid).map(JSONValue.string) ?? .null),
                ("group", host.groupName(o.facts.gid).map(JSONValue.string) ?? .null),
                ("access", .string(access.rawValue)),
                ("grantedBy", .string(d.map { d in d.evidence.last { $0.outcome == .granted }?.because ?? d.reason } ?? "")),
            ]
            out.append(contentsOf: JSONValue.object(fields).rendered(pretty: false).utf8)
            out.append(10)
        case .long:
            out.append(contentsOf: "\(o.facts.modeString) \(o.facts.uid) \(o.facts.gid) ".utf8)
            out.append(contentsOf: o.path)
            out.append(terminator)
        case .path:
            out.append(contentsOf: o.path)
            out.append(terminator)
        }
    }
}

/// One worker's share of a `reach` sweep: the one judge's verdict on each object, its counts, the records
/// it has not written yet (streamed in 64 KiB pieces) or, with `--sort`, holds until the end.
struct ReachVisitor: SweepVisitor {
    let judge: SweepJudge
    let record: ReachRecord
    /// Nil with --count (nothing printed).
    let output: SharedOutput?
    let sorted: Bool
    var examined = 0
    var reachable = 0
    var unreadable: [(path: [UInt8], error: HostError)] = []
    /// With --sort: each record with its path, to be ordered bytewise at the end.
    var held: [(path: [UInt8], record: [UInt8])] = []
    private var pending: [UInt8] = []
    /// This worker's walk, kept from object to object.
    private var space: SweepJudge.Workspace

    init(judge: SweepJudge, record: ReachRecord, output: SharedOutput?, sorted: Bool) {
        self.judge = judge
        space = judge.workspace()
        self.record = record
        self.output = output
        self.sorted = sorted
    }

    mutating func visit(_ event: SweepEvent, in note: Void) -> Void? {
        switch event {
        case .object(let o):
            examined += 1
            let reached = o.reached
            // NDJSON says how each object was granted; the other outputs need the verdict alone.
            let d: AccessDecision?
            let granted: Bool
            if record.style == .ndjson {
                d = judge.decide(reached)
                granted = d?.verdict == .granted
            } else {
                d = nil
                granted = judge.verdict(reached, in: &space)?.verdict == .granted
            }
            if granted {
                reachable += 1
                if let output {
                    if sorted {
                        var one: [UInt8] = []
                        record.append(o, d, to: &one)
                        held.append((o.path, one))
                    } else {
                        record.append(o, d, to: &pending)
                        if pending.count >= 1 << 16 {
                            output.write(pending)
                            pending.removeAll(keepingCapacity: true)
                        }
                    }
                }
            }
            return judge.canEnter(reached, in: &space) ? () : nil
        case .unreadable(let path, let error):
            unreadable.append((path, error))
            return nil
        }
    }

    /// Writes what is left.
    mutating func flush() {
        output?.write(pending)
        pending.removeAll()
    }
}
