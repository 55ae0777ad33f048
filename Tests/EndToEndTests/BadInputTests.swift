import Foundation
import Testing

/// Bad input gets exit 2 and a message that says what to do, on standard error; standard output stays
/// empty, so a script that pipes the report never mistakes an error for one.
@Suite("bad input, end to end")
struct BadInputTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        /// Words the message must hold: the flag or value at fault, and the way out.
        var says: [String]
        var testDescription: String { "permaudit " + arguments.joined(separator: " ") }
    }

    static let rows: [Row] = [
        Row(arguments: ["audit", "--format", "xml"], says: ["'xml'", "--format", "json"]),
        Row(arguments: ["audit", "--fail-on", "severe"], says: ["'severe'", "'critical'"]),
        Row(arguments: ["audit", "--changes-only"], says: ["--changes-only needs --record DB"]),
        Row(arguments: ["audit", "--root", "/nonexistent-permaudit-root"], says: ["--root", "ENOENT", "give --root an existing folder"]),
        Row(arguments: ["audit", "--profile", "no-such-profile"], says: ["no profile 'no-such-profile'", "elastic-agent", "--rules DIR"]),
        Row(arguments: ["audit", "--rules", "/nonexistent-permaudit-rules"], says: ["/nonexistent-permaudit-rules"]),
        Row(arguments: ["audit", "--user", "nobody", "--pid", "1"], says: ["only one of --user, --pid and --unit"]),
        Row(arguments: ["explain", "/etc/passwd", "--user", "nobody", "--access", "reed"], says: ["'reed'", "read"]),
        Row(arguments: ["explain", "/etc/passwd", "--user", "no-such-user-permaudit"], says: ["no such user", "--planned"]),
        Row(arguments: ["fix", "--dry-run"], says: ["--dry-run goes with --apply"]),
        Row(arguments: ["fix", "--path", "relative/path", "--user", "nobody"], says: ["--path relative/path", "absolute"]),
        Row(arguments: ["reach", "--user", "nobody"], says: ["<trees>"]),
        Row(arguments: ["reach", "--user", "nobody", "--jobs", "0", "/tmp"], says: ["--jobs takes 1 to 256", "--jobs 4"]),
        Row(arguments: ["frobnicate"], says: ["'frobnicate'", "--help"]),
    ]

    @Test(arguments: rows)
    func exitsTwoAndSaysWhatToDo(_ row: Row) throws {
        let r = try PermauditRun.run(row.arguments)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout.prefix(200))")
        for words in row.says { #expect(r.stderr.contains(words), "stderr lacks \(words): \(r.stderr)") }
    }
}
