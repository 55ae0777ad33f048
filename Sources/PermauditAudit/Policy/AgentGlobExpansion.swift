import PermauditCore
import PermauditHost
import PermauditPolicy

/// The agent's own glob expansion on a host: `PathGlob`'s walk, one component at a time, with the agent's
/// matching (`PolicyGlob`: Go's rules, `**`), only regular files kept (symlinks when the input follows them),
/// and `exclude_files` applied to the whole path.
extension PathGlob {
    struct AgentFiles {
        /// What the agent opens, sorted, in display form (see `RawNameHost`).
        var files: [String] = []
        /// Directories the agent lists to expand a glob component.
        var listed: [String] = []
        var excluded: [(path: String, pattern: String)] = []
        var unreadable: [(path: String, reason: String)] = []
        var invalid: [(pattern: Located<String>, reason: String)] = []
    }

    func expandAgent(_ set: PolicyImplications.FileSet) -> AgentFiles {
        var out = AgentFiles()
        var excludes: [ExcludeFiles.Pattern] = []
        for e in set.excludes {
            do { excludes.append(try ExcludeFiles.Pattern(e.value)) } catch { out.invalid.append((e, error.description)) }
        }
        var files = Set<String>(), listed = Set<String>()
        var excluded: [String: String] = [:]
        for g in set.globs {
            let glob: PolicyGlob
            do { glob = try PolicyGlob(g.value, recursive: set.recursive) } catch {
                out.invalid.append((g, error.description))
                continue
            }
            for components in glob.alternatives {
                var current = ["/"]
                for (i, part) in components.enumerated() {
                    var next: [String] = []
                    let last = i == components.count - 1
                    for dir in current {
                        let base = dir == "/" ? "" : dir
                        if !PolicyGlob.hasMagic(part) {
                            next.append(base + "/" + RawPath(bytes: part).display)
                            continue
                        }
                        switch host.listDirectory(RawNameHost.rawPath(display: dir)) {
                        case .success(let names):
                            listed.insert(dir)
                            for name in names where PolicyGlob.matches(part, name) {
                                next.append(base + "/" + RawPath(bytes: name).display)
                            }
                        case .failure(let e):
                            if e.errno != .noSuchFileOrDirectory && e.errno != .notDirectory { out.unreadable.append((dir, e.description)) }
                        }
                    }
                    if !last {
                        next = next.filter { p in
                            if case .found(let f) = host.lookup(p) { return f.type == .directory || f.type == .symlink }
                            return isFollowable(RawNameHost.rawPath(display: p))
                        }
                    }
                    current = next
                }
                for path in current {
                    guard case .found(let f) = host.lookup(path), f.type == .regular || (f.type == .symlink && set.symlinks) else { continue }
                    if let p = ExcludeFiles.excludes(excludes, RawNameHost.rawPath(display: path).bytes) {
                        excluded[path] = p.source
                        continue
                    }
                    files.insert(path)
                }
            }
        }
        out.files = files.sorted()
        out.listed = listed.sorted()
        out.excluded = excluded.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return out
    }
}
