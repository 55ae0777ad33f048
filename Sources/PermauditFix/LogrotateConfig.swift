import PermauditCore
import PermauditHost

/// The parts of a logrotate configuration that decide whether an ACL survives rotation.
public struct LogrotateConfig: Sendable, Hashable {
    /// How a rotated log's successor comes into being.
    public enum Creation: Sendable, Hashable {
        /// `create` without a mode: logrotate copies the old file's ACL to the new one (3.21).
        case createCopyingACL
        /// `create MODE [OWNER GROUP]`: the ACL is not copied; a default ACL is masked by MODE.
        case createWithMode(mode: String, owner: String?, group: String?)
        /// `copytruncate`: the live file is truncated in place and keeps its ACL.
        case copyTruncate
        /// `nocreate` (or nothing): the writer (rsyslog) recreates the file without the ACL.
        case writerRecreates
    }

    public struct Stanza: Sendable, Hashable {
        /// The config file and the line the stanza opens on.
        public var file: String
        public var line: Int
        public var patterns: [String]
        public var creation: Creation
        public var compress: Bool
        public var hasPostrotate: Bool
        /// The line of the stanza's closing `}` (1-based), where a hook can be inserted.
        public var closingLine: Int
        /// The line of the postrotate block's `endscript`, if any.
        public var endscriptLine: Int?
    }

    public var stanzas: [Stanza]
    /// Config files read, with their text (for edits).
    public var files: [String: String]

    /// Reads `/etc/logrotate.conf` and the files its `include` lines name (usually `/etc/logrotate.d`).
    public static func load(from host: any Host) -> LogrotateConfig {
        var config = LogrotateConfig(stanzas: [], files: [:])
        var globals = Options()
        config.read("/etc/logrotate.conf", host: host, globals: &globals, depth: 0)
        if config.files.isEmpty { config.readDirectory("/etc/logrotate.d", host: host, globals: globals) }
        return config
    }

    /// Parses one file's text (for tests), with the defaults given.
    public static func parse(_ text: String, file: String, globalCreate: Creation = .writerRecreates) -> LogrotateConfig {
        var config = LogrotateConfig(stanzas: [], files: [file: text])
        var g = Options()
        g.creation = globalCreate
        config.parseText(text, file: file, host: nil, globals: &g, depth: 0)
        return config
    }

    /// The last stanza whose pattern matches the path (logrotate refuses duplicates; the last wins here).
    public func stanza(for path: RawPath) -> Stanza? {
        stanzas.last { s in s.patterns.contains { PathPattern.matches(Array($0.utf8), path.bytes) } }
    }

    struct Options {
        var creation: Creation = .writerRecreates
        var compress = false
    }

    mutating func readDirectory(_ dir: String, host: any Host, globals: Options) {
        guard case .success(let names) = host.listDirectory(dir) else { return }
        for n in names where !n.hasPrefix(".") && !n.hasSuffix("~") && !n.hasSuffix(".dpkg-old") && !n.hasSuffix(".dpkg-dist") {
            var g = globals
            read(dir + "/" + n, host: host, globals: &g, depth: 1)
        }
    }

    mutating func read(_ path: String, host: any Host, globals: inout Options, depth: Int) {
        guard depth < 4, case .success(let text) = host.readTextFile(path) else { return }
        files[path] = text
        parseText(text, file: path, host: host, globals: &globals, depth: depth)
    }

    mutating func parseText(_ text: String, file: String, host: (any Host)?, globals: inout Options, depth: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var current: (line: Int, patterns: [String], options: Options, postrotate: Bool, endscript: Int?)?
        var inScript = false
        var pendingPatterns: [String] = []
        var pendingLine = 0
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let line = raw.trimmingBlanks()
            if inScript {
                if line == "endscript" {
                    inScript = false
                    if current?.postrotate == true, current?.endscript == nil { current?.endscript = number }
                }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = Self.words(line)
            guard let first = words.first else { continue }
            if var stanza = current {
                if first == "}" {
                    stanzas.append(Stanza(
                        file: file, line: stanza.line, patterns: stanza.patterns, creation: stanza.options.creation,
                        compress: stanza.options.compress, hasPostrotate: stanza.postrotate, closingLine: number, endscriptLine: stanza.endscript))
                    current = nil
                    continue
                }
                if ["postrotate", "prerotate", "firstaction", "lastaction", "preremove"].contains(first) {
                    inScript = true
                    if first == "postrotate" { stanza.postrotate = true; stanza.endscript = nil }
                } else {
                    Self.apply(words, to: &stanza.options)
                }
                current = stanza
                continue
            }
            if first == "include", words.count > 1, let host {
                let target = words[1]
                if case .success = host.listDirectory(target) {
                    readDirectory(target, host: host, globals: globals)
                } else {
                    read(target, host: host, globals: &globals, depth: depth + 1)
                }
                continue
            }
            // A stanza: patterns, then `{` on this line or the next.
            if line.hasSuffix("{") || first.hasPrefix("/") || first.hasPrefix("\"") {
                var pats = words.filter { $0 != "{" }
                if pendingPatterns.isEmpty { pendingLine = number }
                if line.hasSuffix("{") {
                    pats = pendingPatterns + pats
                    current = (pendingLine, pats, globals, false, nil)
                    pendingPatterns = []
                } else {
                    pendingPatterns += pats
                }
                continue
            }
            if first == "{", !pendingPatterns.isEmpty {
                current = (pendingLine, pendingPatterns, globals, false, nil)
                pendingPatterns = []
                continue
            }
            Self.apply(words, to: &globals)
        }
    }

    static func apply(_ words: [String], to options: inout Options) {
        switch words[0] {
        case "create":
            options.creation = words.count > 1
                ? .createWithMode(mode: words[1], owner: words.count > 2 ? words[2] : nil, group: words.count > 3 ? words[3] : nil)
                : .createCopyingACL
        case "nocreate": if options.creation != .copyTruncate { options.creation = .writerRecreates }
        case "copytruncate": options.creation = .copyTruncate
        case "nocopytruncate": if options.creation == .copyTruncate { options.creation = .writerRecreates }
        case "compress": options.compress = true
        case "nocompress": options.compress = false
        default: break
        }
    }

    /// Splits a line into words, honouring double and single quotes.
    static func words(_ line: String) -> [String] {
        var out: [String] = []
        var word = ""
        var quote: Character?
        var inWord = false
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { out.append(word); word = ""; inWord = false }
            } else {
                word.append(c)
                inWord = true
            }
        }
        if inWord { out.append(word) }
        return out
    }
}

extension String {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
