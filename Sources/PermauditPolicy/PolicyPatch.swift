/// A change to the policy itself, where that is the right fix: a mount no permission opens (another user's
/// FUSE mount, gvfs) goes into the filesystem metricset's `filesystem.ignore_types`. The patch is text
/// edited at the lines the parser found, then parsed again to check it says what was meant.
public struct PolicyPatch: Hashable, Sendable {
    public let file: String
    public let original: String
    public let patched: String
    /// What the patch does, one entry per change.
    public let reasons: [String]

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

    /// `diff -u` of the original and the patched file (one hunk around the changed lines).
    public func unifiedDiff(context: Int = 3) -> String {
        let a = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = patched.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let start = max(head - context, 0)
        let endA = min(a.count, a.count - tail + context), endB = min(b.count, b.count - tail + context)
        var out = "--- \(file)\n+++ \(file) (patched by permaudit)\n"
        out += "@@ -\(start + 1),\(endA - start) +\(start + 1),\(endB - start) @@\n"
        for l in a[start..<head] { out += " \(l)\n" }
        for l in a[head..<(a.count - tail)] { out += "-\(l)\n" }
        for l in b[head..<(b.count - tail)] { out += "+\(l)\n" }
        for l in a[(a.count - tail)..<endA] { out += " \(l)\n" }
        return out
    }
}
