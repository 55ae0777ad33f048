import Foundation
import Testing

/// The accounts of the host as the test run found them: every line of /etc/passwd, /etc/group, /etc/shadow
/// and /etc/gshadow, by file and name.
///
/// A suite that creates users or groups runs inside `.accountsUntouched`: what existed before it started
/// must be exactly as it was when it ends. Accounts created meanwhile, and the tests' own accounts (every
/// test names its users and groups `pa-...`), are not compared, and neither are their names in a group's
/// member list, so suites can run side by side; a pre-existing account that is removed, renumbered, or gains or loses a pre-existing
/// member is a failure.
struct AccountSnapshot: Equatable {
    static let files = ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow"]
    var lines: [String: [String: String]]

    init(texts: [String: String]) {
        lines = texts.mapValues { text in
            var byName: [String: String] = [:]
            for line in text.split(separator: "\n") where !line.isEmpty && !line.hasPrefix("#") {
                byName[String(line.prefix { $0 != ":" })] = String(line)
            }
            return byName
        }
    }

    static func take() -> AccountSnapshot {
        var texts: [String: String] = [:]
        for file in files { texts[file] = (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }
        return AccountSnapshot(texts: texts)
    }

    /// The prefix of every user and group a test creates.
    static let testPrefix = "pa-"

    var users: Set<String> { Set((lines["/etc/passwd"] ?? [:]).keys.filter { !$0.hasPrefix(Self.testPrefix) }) }

    /// What differs in `later` among the entries that existed here, one line of text each.
    func changes(to later: AccountSnapshot) -> [String] {
        let known = users
        var changes: [String] = []
        for file in Self.files.sorted() {
            let old = lines[file] ?? [:], new = later.lines[file] ?? [:]
            for (name, line) in old.sorted(by: { $0.key < $1.key }) where !name.hasPrefix(Self.testPrefix) {
                guard let now = new[name] else {
                    changes.append("\(file): \(name) was removed (it was: \(line))")
                    continue
                }
                if Self.normalized(line, file: file, members: known) != Self.normalized(now, file: file, members: known) {
                    changes.append("\(file): \(name) changed from \(line) to \(now)")
                }
            }
        }
        return changes
    }

    /// A group line with its member lists cut to the users that existed before (tests add their own users
    /// to groups, and remove them with the user).
    static func normalized(_ line: String, file: String, members known: Set<String>) -> String {
        var fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let lists: [Int] = file == "/etc/group" ? [3] : file == "/etc/gshadow" ? [2, 3] : []
        for i in lists where i < fields.count {
            fields[i] = fields[i].split(separator: ",").map(String.init).filter(known.contains).sorted().joined(separator: ",")
        }
        return fields.joined(separator: ":")
    }
}

/// Around a suite: the accounts that existed when it started are unchanged when it ends.
struct AccountsUntouched: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let before = AccountSnapshot.take()
        defer {
            for change in before.changes(to: AccountSnapshot.take()) {
                Issue.record("\(test.name) changed an account it did not create: \(change)")
            }
        }
        try await function()
    }
}

extension Trait where Self == AccountsUntouched {
    /// The suite changes no user or group it did not create (checked when it ends).
    static var accountsUntouched: Self { AccountsUntouched() }
}

@Suite("the account check itself")
struct AccountSnapshotTests {
    static let passwd = "root:x:0:0:root:/root:/bin/bash\nelastic-agent-user:x:990:990::/:/usr/sbin/nologin\n"
    static let group = "root:x:0:\nadm:x:4:syslog,elastic-agent-user\nelastic-agent:x:990:\n"

    /// Before: the same, and a test account of a suite running in parallel (gone in every "after").
    static let passwdBefore = passwd + "pa-other-1:x:992:992::/:/bin/sh\n"
    static let groupBefore = group + "pa-other-1:x:992:\n"

    func snapshot(passwd: String = passwdBefore, group: String = groupBefore) -> AccountSnapshot {
        AccountSnapshot(texts: ["/etc/passwd": passwd, "/etc/group": group, "/etc/shadow": "", "/etc/gshadow": ""])
    }

    @Test("a pre-existing user or group removed, renumbered, or losing a member is a change; one a test added and removed is not",
          arguments: [
            (passwd, "root:x:0:\nadm:x:4:syslog\nelastic-agent:x:990:\n", ["/etc/group: adm changed"]),
            ("root:x:0:0:root:/root:/bin/bash\n", group, ["/etc/passwd: elastic-agent-user was removed"]),
            (passwd, "root:x:0:\nadm:x:4:syslog,elastic-agent-user\n", ["/etc/group: elastic-agent was removed"]),
            (passwd.replacingOccurrences(of: ":990:990:", with: ":991:990:"), group, ["/etc/passwd: elastic-agent-user changed"]),
            (passwd + "pa-e2e-1:x:991:991::/:/bin/sh\n", "root:x:0:\nadm:x:4:elastic-agent-user,syslog,pa-e2e-1\nelastic-agent:x:990:\npa-e2e-1:x:991:\n", []),
            (passwd, group, []),
          ])
    func detects(passwd: String, group: String, expected: [String]) {
        let changes = snapshot().changes(to: snapshot(passwd: passwd, group: group))
        #expect(changes.count == expected.count, "\(changes)")
        for (change, prefix) in zip(changes, expected) { #expect(change.hasPrefix(prefix), "\(change)") }
    }
}
