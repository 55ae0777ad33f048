import Foundation

/// The rule files of a folder as the catalog embeds them: every `.yaml` and `.yml` below it, named
/// relative to it (`linux/auth-log.yaml`), sorted by name.
public enum RulesFolder {
    public struct ReadError: Error, CustomStringConvertible {
        public var file: String
        public var problem: String
        /// The folder itself is not there (the caller says which option named it).
        public var isMissingFolder = false
        public var description: String { "\(file): \(problem)" }
    }

    public static func files(in directory: String) throws(ReadError) -> [(name: String, text: String)] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw ReadError(file: directory, problem: "no such folder: give a folder of .yaml rule files", isMissingFolder: true)
        }
        guard let walker = fm.enumerator(atPath: directory) else { return [] }
        var out: [(name: String, text: String)] = []
        for case let rel as String in walker where rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") {
            let path = (directory as NSString).appendingPathComponent(rel)
            guard let data = fm.contents(atPath: path) else { throw ReadError(file: path, problem: "cannot read the file") }
            guard let text = String(data: data, encoding: .utf8) else { throw ReadError(file: path, problem: "not UTF-8 text") }
            out.append((rel, text))
        }
        return out.sorted { $0.name < $1.name }
    }
}
