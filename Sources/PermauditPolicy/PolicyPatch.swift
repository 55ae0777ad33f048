/// A change to the policy itself, where that is the right fix: a mount no permission opens (another user's
/// FUSE mount, gvfs) goes into the filesystem metricset's `filesystem.ignore_types`. The patch is text
/// edited at the lines the parser found, then parsed again to check it says what was meant.
public struct PolicyPatch: Hashable, Sendable {
    public let file: String
    public let original: String
    public let patched: String
    /// What the patch does, one entry per change.
    public let reasons: [String]

    public init(file: String, original: String, patched: String, reasons: [String]) {
        self.file = file
        self.original = original
        self.patched = patched
        self.reasons = reasons
    }

    /// This patch, then another made on its result: one patch of the original file.
    public func then(_ next: PolicyPatch?) -> PolicyPatch {
        guard let next else { return self }
        return PolicyPatch(file: file, original: original, patched: next.patched, reasons: reasons + next.reasons)
    }

    /// The excluding pattern a compressed copy needs: the harvester reads a `.gz` file as text, so the
    /// agent does not need it opened.
    public static let compressedPattern = "\\.gz$"

    /// The patch that adds `\.gz$` to the `exclude_files` of the streams at these locations (streams that
    /// match compressed copies and exclude none), or nil when none can be edited safely.
    public static func excludingCompressed(streams locations: [PolicyLocation], policy: AgentPolicy) -> PolicyPatch? {
        var lines = policy.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var reasons: [String] = []
        let all = policy.inputs.flatMap { input in input.streams.map { (input, $0) } }
        for (input, stream) in all.filter({ locations.contains($0.1.location) }).sorted(by: { $0.1.location.line > $1.1.location.line }) {
            let key = input.type == "filestream" ? "prospector.scanner.exclude_files" : "exclude_files"
            if let last = stream.excludeFiles.last {
                let i = last.location.line - 1
                guard i < lines.count else { return nil }
                let line = lines[i]
                if line.contains("["), let close = line.lastIndex(of: "]") {
                    lines[i] = String(line[..<close]) + ", '" + compressedPattern + "'" + String(line[close...])
                } else {
                    let indent = String(line.prefix { $0 == " " })
                    lines.insert(indent + "- '" + compressedPattern + "'", at: i + 1)
                }
            } else {
                let i = stream.location.line - 1
                let column = max(stream.location.column - 1, 0)
                guard i < lines.count, column <= lines[i].count else { return nil }
                let line = lines[i]
                lines[i] = String(line.prefix(column)) + key + ": ['" + compressedPattern + "']"
                lines.insert(String(repeating: " ", count: column) + String(line.dropFirst(column)), at: i + 1)
            }
            reasons.append("exclude compressed copies (\(key): '\(compressedPattern)') in the stream at \(stream.location): the agent reads .gz files as text")
        }
        guard !reasons.isEmpty else { return nil }
        let text = lines.joined(separator: "\n")
        guard let again = try? AgentPolicyParser.parse(file: policy.file, text: text) else { return nil }
        let excluded = again.inputs.flatMap(\.streams).filter { s in all.contains { locations.contains($0.1.location) && $0.1.id == s.id && $0.1.dataset == s.dataset } }
        guard excluded.allSatisfy({ $0.excludeFiles.contains { $0.value == compressedPattern } }) else { return nil }
        return PolicyPatch(file: policy.file, original: policy.text, patched: text, reasons: reasons.reversed())
    }

    /// The patch for failing mounts that only configuration fixes, or nil when there are none (or when the
    /// file cannot be edited safely: then nothing is proposed rather than a wrong patch).
    /// - Parameters:
    ///   - mountPoints: the failing statfs findings whose remedy is configuration.
    ///   - mounts: the host's mounts (mount point, type).
    ///   - defaultIgnored: the types the metricset ignores when `ignore_types` is not set (kept when it is added).
    public static func ignoring(mountPoints: [String], policy: AgentPolicy, mounts: [(String, String)], defaultIgnored: [String]) -> PolicyPatch? {
        var types: [String] = []
        for mp in mountPoints {
            if let t = mounts.last(where: { $0.0 == mp })?.1, !types.contains(t) { types.append(t) }
        }
        guard !types.isEmpty else { return nil }
        var lines = policy.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var reasons: [String] = []
        // Edit from the bottom up so the lines above stay where the parser saw them.
        let streams = policy.inputs.filter { $0.type == "system/metrics" }.flatMap(\.streams)
            .filter { $0.metricsets.contains { ["filesystem", "fsstat"].contains($0.value) } }
            .sorted { $0.location.line > $1.location.line }
        for stream in streams {
            let missing = types.filter { !(stream.ignoreTypes?.value.contains($0) ?? false) }
            if missing.isEmpty { continue }
            let list = missing.joined(separator: ", ")
            if let ignore = stream.ignoreTypes {
                let i = ignore.location.line - 1
                guard i < lines.count else { return nil }
                let line = lines[i]
                if let close = line.lastIndex(of: "]"), line.contains("[") {
                    let open = line.firstIndex(of: "[") ?? line.startIndex
                    let inside = String(line[line.index(after: open)..<close]).trimmingSpaces
                    lines[i] = String(line[..<close]) + (inside.isEmpty ? "" : ", ") + list + String(line[close...])
                } else {
                    // A block list: add items after its last one, at its indentation.
                    let indent = String(line.prefix { $0 == " " })
                    var j = i
                    while j + 1 < lines.count, lines[j + 1].hasPrefix(indent + "- ") { j += 1 }
                    lines.insert(contentsOf: missing.map { indent + "- " + $0 }, at: j + 1)
                }
                reasons.append("add \(list) to filesystem.ignore_types at \(ignore.location)")
            } else {
                let i = stream.location.line - 1
                guard i < lines.count else { return nil }
                let line = lines[i]
                let column = max(stream.location.column - 1, 0)
                guard column <= line.count else { return nil }
                let prefix = String(line.prefix(column)), rest = String(line.dropFirst(column))
                let value = "filesystem.ignore_types: [" + (defaultIgnored + missing).joined(separator: ", ") + "]"
                lines[i] = prefix + value
                lines.insert(String(repeating: " ", count: column) + rest, at: i + 1)
                reasons.append("set filesystem.ignore_types (the default virtual types, plus \(list)) in the stream at \(stream.location)")
            }
        }
        guard !reasons.isEmpty else { return nil }
        let text = lines.joined(separator: "\n")
        // Check: the patched file still parses, and every filesystem stream now ignores the types.
        guard let again = try? AgentPolicyParser.parse(file: policy.file, text: text) else { return nil }
        let ok = again.inputs.filter { $0.type == "system/metrics" }.flatMap(\.streams)
            .filter { $0.metricsets.contains { ["filesystem", "fsstat"].contains($0.value) } }
            .allSatisfy { s in types.allSatisfy { s.ignoreTypes?.value.contains($0) ?? false } }
        guard ok else { return nil }
        return PolicyPatch(file: policy.file, original: policy.text, patched: text, reasons: reasons.reversed())
    }

    /// `diff -u` of the original and the patched file: the lines a longest common subsequence leaves,
    /// in hunks with `context` lines around them.
    public func unifiedDiff(context: Int = 3) -> String {
        // Lines as diff counts them: a final newline ends the last line, it does not start an empty one.
        func lines(_ t: String) -> [String] {
            var l = t.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if t.hasSuffix("\n") { l.removeLast() }
            return l
        }
        let a = lines(original), b = lines(patched)
        // lcs[i][j]: the longest common subsequence of a[i...] and b[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        enum Op { case same(Int, Int), del(Int), add(Int) }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] { ops.append(.same(i, j)); i += 1; j += 1 }
            else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] { ops.append(.del(i)); i += 1 }
            else { ops.append(.add(j)); j += 1 }
        }
        // Where each operation starts in each file.
        var posA: [Int] = [], posB: [Int] = []
        var pa = 0, pb = 0
        for op in ops {
            posA.append(pa)
            posB.append(pb)
            switch op {
            case .same: pa += 1; pb += 1
            case .del: pa += 1
            case .add: pb += 1
            }
        }
        var out = "--- \(file)\n+++ \(file) (patched by permaudit)\n"
        let changed = ops.indices.filter { if case .same = ops[$0] { return false } else { return true } }
        var k = 0
        while k < changed.count {
            let lo = max(changed[k] - context, 0)
            var hi = min(changed[k] + context, ops.count - 1)
            while k + 1 < changed.count, changed[k + 1] - context <= hi + 1 {
                k += 1
                hi = min(changed[k] + context, ops.count - 1)
            }
            var aCount = 0, bCount = 0
            var body = ""
            for op in ops[lo...hi] {
                switch op {
                case .same(let x, _): aCount += 1; bCount += 1; body += " \(a[x])\n"
                case .del(let x): aCount += 1; body += "-\(a[x])\n"
                case .add(let y): bCount += 1; body += "+\(b[y])\n"
                }
            }
            out += "@@ -\(posA[lo] + (aCount == 0 ? 0 : 1)),\(aCount) +\(posB[lo] + (bCount == 0 ? 0 : 1)),\(bCount) @@\n" + body
            k += 1
        }
        return out
    }
}
