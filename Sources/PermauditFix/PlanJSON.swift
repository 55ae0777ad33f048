import PermauditAudit
import PermauditCore
import PermauditHost

/// A fix plan as data (`--emit json`): stable key order, raw path bytes in hex where they are not UTF-8.
public enum PlanJSON {
    public static let schemaVersion = "1.0"

    public static func render(_ plan: FixPlan) -> String { value(plan).rendered(pretty: true) + "\n" }

    public static func value(_ plan: FixPlan) -> JSONValue {
        .object([
            ("schemaVersion", .string(schemaVersion)),
            ("id", .string(plan.id)),
            ("strategy", .string(plan.strategy.rawValue)),
            ("principal", .string(plan.principal.description)),
            ("targets", .array(plan.targets.map { t in
                .object(path(t.path) + [
                    ("access", .string(t.access.rawValue)), ("origin", .string(t.origin)),
                    ("ruleID", t.ruleID.map(JSONValue.string) ?? .null),
                    ("before", .string(t.before.verdict.rawValue)), ("after", .string(t.after?.verdict.rawValue ?? "unknown")),
                    ("reason", .string(t.before.reason)),
                ])
            })),
            ("steps", .array(plan.steps.map(step))),
            ("unresolved", .array(plan.unresolved.map { u in
                .object(object(u.object) + [("access", .string(u.access.rawValue)), ("reason", .string(u.reason)), ("configurationFix", .string(u.configurationFix))])
            })),
            ("gained", .array(plan.gained.map(change))),
        ])
    }

    /// A path as `path` (and `pathHex` when not UTF-8); what is not a path by its name in `path`, as before.
    static func object(_ o: FixPlan.Unresolved.Object) -> [(String, JSONValue)] {
        if case .path(let p) = o { return path(p) }
        return [("path", .string(o.display))]
    }

    static func path(_ p: RawPath) -> [(String, JSONValue)] {
        p.isValidUTF8 ? [("path", .string(p.display))] : [("path", .string(p.display)), ("pathHex", .string(p.hex))]
    }

    static func change(_ c: AccessChange) -> JSONValue {
        .object([("principal", .string(c.principal)), ("object", .string(c.object)), ("access", .string(c.access.rawValue)),
                 ("before", .string(c.before.rawValue)), ("after", .string(c.after.rawValue))])
    }

    static func step(_ s: FixStep) -> JSONValue {
        var fields: [(String, JSONValue)] = [("number", .int(s.number))]
        switch s.action {
        case .setACL(let c):
            fields += [("kind", .string("set-acl"))] + path(c.path) + [
                ("identity", .object([("type", .string(c.identity.type.rawValue)), ("uid", .int(Int(c.identity.uid))),
                                      ("device", .int(Int(truncatingIfNeeded: c.identity.device))), ("inode", .int(Int(truncatingIfNeeded: c.identity.inode)))])),
                ("entry", .string(c.entry.description)),
                ("aclBefore", .array(c.before.entries.map { .string($0.description) })),
                ("aclAfter", .array(c.after.entries.map { .string($0.description) })),
                ("maskWidens", .array(c.widened.map { .string("\($0.entry) \($0.before)->\($0.after)") })),
            ]
        case .writeFile(let f):
            fields += [("kind", .string("write-file"))] + path(f.path) + [("mode", .string("0" + String(f.mode, radix: 8))), ("content", .string(String(decoding: f.content, as: UTF8.self)))]
        case .editFile(let e):
            fields += [("kind", .string("edit-file"))] + path(e.path) + [("after", .string(String(decoding: e.after, as: UTF8.self)))]
        case .addToGroup(let user, let group, let gid):
            fields += [("kind", .string("add-to-group")), ("user", .string(user)), ("group", .string(group)), ("gid", .int(Int(gid)))]
        }
        fields += [
            ("why", .string(s.why)), ("change", .string(s.change)),
            ("blastRadius", .object([("changes", .array(s.blastRadius.changes.map(change))), ("notes", .array(s.blastRadius.notes.map(JSONValue.string)))])),
            ("persistence", s.persistence.map(JSONValue.string) ?? .null),
            ("followUp", s.followUp.map(JSONValue.string) ?? .null),
        ]
        return .object(fields)
    }
}
