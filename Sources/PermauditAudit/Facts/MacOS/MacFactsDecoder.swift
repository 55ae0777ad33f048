import PermauditCore
import PermauditFacts

/// Reads the items of a macOS facts file (`permaudit collect --platform macos`) into `MacHostFacts`.
/// An item the collector could not read stays `.missing` with its reason (the rules that need it report
/// unknown); an item that is there but malformed is a `FactsFileError` naming the file, line and field (exit 2).
public enum MacFactsDecoder {
    public static func decode(_ facts: FactsFile) throws(FactsFileError) -> MacHostFacts {
        let text = MacFactsText(collector: facts.collector.name)
        func item<T>(_ name: String, _ read: (FactsField) throws(FactsFileError) -> T) throws(FactsFileError) -> MacFact<T> {
            switch facts.value(name) {
            case .success(let f): return .value(try read(f))
            case .failure(let p): return .missing(p.collectorError.map { text.decode($0) } ?? p.description)
            }
        }
        return MacHostFacts(
            systemLog: try item("system-log") { f throws(FactsFileError) in try file(f, text) },
            rotatedLogs: try item("system-log.rotated") { f throws(FactsFileError) in
                var out: [MacFileFacts] = []
                for e in try f.array() { out.append(try file(e, text)) }
                return out
            },
            agentUser: try item("agent-user") { f throws(FactsFileError) in
                var groups: [MacGroupRef] = []
                for g in try f.require("groups").array() {
                    groups.append(MacGroupRef(name: text.decode(try g.require("name").string()), gid: try g.require("gid").uint32(), uuid: try g.optional("uuid")?.string()))
                }
                return MacUserFacts(
                    name: text.decode(try f.require("name").string()), uid: try f.require("uid").uint32(), gid: try f.require("gid").uint32(),
                    uuid: try f.optional("uuid")?.string(), groups: groups)
            },
            agentGroup: try item("agent-group") { f throws(FactsFileError) in try group(f, text) },
            adminGroup: try item("admin-group") { f throws(FactsFileError) in try group(f, text) },
            aslConfig: try item("asl-config") { f throws(FactsFileError) in try config(f, text) },
            newsyslogConfig: try item("newsyslog-config") { f throws(FactsFileError) in try config(f, text) })
    }

    static func file(_ f: FactsField, _ text: MacFactsText) throws(FactsFileError) -> MacFileFacts {
        let path = text.decode(try f.require("path").string())
        let typeField = try f.require("type")
        let type: FileType
        switch try typeField.string() {
        case "Regular File": type = .regular
        case "Directory": type = .directory
        case "Symbolic Link": type = .symlink
        case "Character Device": type = .characterDevice
        case "Block Device": type = .blockDevice
        case "FIFO", "Fifo File": type = .fifo
        case "Socket": type = .socket
        case let other: throw typeField.invalid("'\(other)' is not a file type stat -f %HT prints (Regular File, Directory, Symbolic Link, …)")
        }
        let modeField = try f.require("mode")
        guard let bits = UInt16(try modeField.string(), radix: 8), bits <= 0o7777 else { throw modeField.invalid("not an octal mode (stat -f %Lp prints 640)") }
        let aclField = try f.require("acl")
        let lines = try aclField.array()
        var raw: [String] = []
        for l in lines { raw.append(text.decode(try l.string())) }
        let acl: MacACL
        do { acl = try MacACLParser.parse(lines: raw) { "\(lines[$0].path)" } } catch {
            throw FactsFileError(file: f.file, line: lines.first?.node.line ?? aclField.node.line, field: aclField.path, problem: error.description, hint: "gather the facts again with permaudit collect --platform macos")
        }
        return MacFileFacts(
            path: path, type: type, uid: try f.require("uid").uint32(), gid: try f.require("gid").uint32(),
            owner: text.decode(try f.require("owner").string()), group: text.decode(try f.require("group").string()),
            mode: FileMode(bits), device: try f.require("device").uint64(), inode: try f.require("inode").uint64(), acl: acl)
    }

    static func group(_ f: FactsField, _ text: MacFactsText) throws(FactsFileError) -> MacGroupFacts {
        MacGroupFacts(
            name: text.decode(try f.require("name").string()), gid: try f.optional("gid")?.uint32(), uuid: try f.optional("uuid")?.string(),
            members: try f.require("members").strings().map(text.decode), agentIsMember: try f.optional("agentIsMember")?.bool())
    }

    static func config(_ f: FactsField, _ text: MacFactsText) throws(FactsFileError) -> [MacConfigLines] {
        var out: [MacConfigLines] = []
        for file in try f.array() {
            var lines: [MacConfigLines.Line] = []
            for l in try file.require("lines").array() {
                lines.append(MacConfigLines.Line(number: Int(try l.require("line").uint32()), text: text.decode(try l.require("text").string())))
            }
            out.append(MacConfigLines(path: text.decode(try file.require("path").string()), lines: lines))
        }
        return out
    }
}

/// The macOS collector's strings hold raw bytes, one code point U+0000–U+00FF per byte (`\u00XX` in the
/// JSON). Decoding turns them back into bytes and reads those as UTF-8; bytes that are not UTF-8 are shown
/// as `\xNN`, never silently replaced. Strings from another collector are taken as they are.
public struct MacFactsText: Sendable {
    public let bytesAsCodePoints: Bool
    public init(collector: String) { bytesAsCodePoints = collector == MacCollectorScript.collectorName }

    public func decode(_ s: String) -> String {
        guard bytesAsCodePoints else { return s }
        var bytes: [UInt8] = []
        for u in s.unicodeScalars {
            guard u.value < 0x100 else { return s }  // not written by the collector: keep it
            bytes.append(UInt8(u.value))
        }
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var out = ""
        var i = 0
        while i < bytes.count {
            // Longest valid UTF-8 sequence from i, else one byte as \xNN.
            var taken = false
            for n in stride(from: min(4, bytes.count - i), through: 1, by: -1) {
                if let piece = String(validating: bytes[i..<(i + n)], as: UTF8.self) {
                    out += piece
                    i += n
                    taken = true
                    break
                }
            }
            if !taken {
                let hex = String(bytes[i], radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
                i += 1
            }
        }
        return out
    }
}

extension FactsField {
    func uint64() throws(FactsFileError) -> UInt64 {
        guard case .number(let n) = node.value, let v = UInt64(n) else { throw wrongType("a whole number") }
        return v
    }

    func uint32() throws(FactsFileError) -> UInt32 {
        guard case .number(let n) = node.value, let v = UInt32(n) else { throw wrongType("a whole number (0 to 4294967295)") }
        return v
    }
}
