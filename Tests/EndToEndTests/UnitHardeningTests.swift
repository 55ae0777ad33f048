import Foundation
import Glibc
import Testing

/// `--unit` never judges garbage as root: the name is checked as systemd checks it, a file that is not a
/// unit is an error with its line, `DynamicUser=` is a transient uid without root's powers, a `User=` that
/// does not exist is an error, and continuations and quotes read as systemd.unit(5) says. On an image
/// (`--root`) of the test's own with a root:shadow 0640 /etc/shadow.
@Suite("--unit, hardened", .enabled(if: geteuid() == 0, "needs root to give the image's shadow file its group"))
struct UnitHardeningTests {
    static let units: [String: String] = [
        "dyn.service": "[Unit]\nDescription=d\n[Service]\nDynamicUser=yes\nExecStart=/bin/true\n",
        "dyngroups.service": "[Service]\nDynamicUser=true\nSupplementaryGroups=shadow\n",
        "nosuch.service": "[Service]\nUser=pa-no-such-user\n",
        "cont.service": "[Service]\nUser=agent\nSupplementaryGroups=adm \\\n# a comment inside the continuation\n  \"shadow\"\n",
        "quoted.service": "[Service]\nUser=agent\nSupplementaryGroups='shadow' \"adm\"\n",
        "rootunit.service": "[Service]\nExecStart=/bin/true\n",
        "nosection.service": "User=agent\n",
        "badquote.service": "[Service]\nUser=agent\nSupplementaryGroups=\"shadow\n",
        "text.service": "[Service]\nUser=agent\nthis is not a unit line\n",
    ]

    static func image() throws -> String {
        let img = "/tmp/pa-unit-\(getpid())-\(Int.random(in: 100_000...999_999))"
        try FileManager.default.createDirectory(atPath: img + "/etc/systemd/system", withIntermediateDirectories: true)
        try "root:x:0:0::/root:/bin/sh\nagent:x:990:990::/:/bin/false\n".write(toFile: img + "/etc/passwd", atomically: false, encoding: .utf8)
        try "root:x:0:\nadm:x:4:\nshadow:x:42:\nagent:x:990:\n".write(toFile: img + "/etc/group", atomically: false, encoding: .utf8)
        try "root:*:1:0:99999:7:::\n".write(toFile: img + "/etc/shadow", atomically: false, encoding: .utf8)
        chown(img + "/etc/shadow", 0, 42)
        chmod(img + "/etc/shadow", 0o640)
        for (name, text) in units { try text.write(toFile: img + "/etc/systemd/system/" + name, atomically: false, encoding: .utf8) }
        var random = SystemRandomNumberGenerator()
        try Data((0..<400).map { _ in UInt8.random(in: 0...255, using: &random) }).write(to: URL(fileURLWithPath: img + "/etc/systemd/system/garbage.service"))
        return img
    }

    func explain(_ img: String, _ unit: String) throws -> PermauditRun.Outcome {
        try PermauditRun.run(["explain", "/etc/shadow", "--root", img, "--unit", unit, "--access", "read", "--format", "json"])
    }

    struct Refused: Sendable, CustomTestStringConvertible {
        var unit: String
        var says: [String]
        var testDescription: String { "--unit \(unit)" }
    }

    @Test("refused with exit 2 and a message that says where and why", arguments: [
        Refused(unit: "garbage", says: ["garbage.service:", "not a systemd unit file"]),
        Refused(unit: "../../../etc/passwd", says: ["../../../etc/passwd", "not a service unit name"]),
        Refused(unit: "a/b.service", says: ["not a service unit name"]),
        Refused(unit: "nosuch", says: ["pa-no-such-user"]),
        Refused(unit: "nosection", says: ["nosection.service:1", "before any [Section]"]),
        Refused(unit: "badquote", says: ["badquote.service:3", "unterminated quote"]),
        Refused(unit: "text", says: ["text.service:3", "not a systemd unit file"]),
    ])
    func refused(_ row: Refused) throws {
        let img = try Self.image()
        defer { try? FileManager.default.removeItem(atPath: img) }
        let r = try explain(img, row.unit)
        #expect(r.status == 2, "\(r.stdout.prefix(300))\(r.stderr)")
        #expect(!r.stdout.contains("\"granted\" : true") && !r.stdout.contains("\"granted\": true"))
        for words in row.says { #expect(r.stderr.contains(words), "stderr lacks \(words): \(r.stderr)") }
    }

    struct Judged: Sendable, CustomTestStringConvertible {
        var unit: String
        var granted: Bool
        var uid: Int
        var groups: [Int]
        var testDescription: String { "--unit \(unit)" }
    }

    @Test("judged as systemd would run it", arguments: [
        Judged(unit: "dyn", granted: false, uid: 4_294_967_001, groups: [4_294_967_001]),
        Judged(unit: "dyngroups", granted: true, uid: 4_294_967_001, groups: [4_294_967_001, 42]),
        Judged(unit: "cont", granted: true, uid: 990, groups: [990, 4, 42]),
        Judged(unit: "quoted", granted: true, uid: 990, groups: [990, 42, 4]),
        Judged(unit: "rootunit", granted: true, uid: 0, groups: [0]),
    ])
    func judged(_ row: Judged) throws {
        let img = try Self.image()
        defer { try? FileManager.default.removeItem(atPath: img) }
        let r = try explain(img, row.unit)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        #expect(object["granted"] as? Bool == row.granted, "\(r.stdout.prefix(400))")
        let principal = try #require(object["principal"] as? [String: Any])
        #expect(principal["uid"] as? Int == row.uid)
        #expect(principal["groups"] as? [Int] == row.groups)
        if row.uid != 0 { #expect((principal["capabilities"] as? [Any])?.isEmpty == true, "none of root's capabilities") }
        if row.unit.hasPrefix("dyn") {
            #expect((principal["origin"] as? String)?.contains("allocated when the unit starts") == true, "\(principal)")
        }
    }
}
