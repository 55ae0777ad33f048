import Foundation
import GRDB
import PermauditAudit
import PermauditCore

/// One recorded audit run.
public struct RecordedRun: Sendable, Hashable {
    public var id: Int64
    public var recordedAt: String
    public var hostname: String
    public var root: String
    public var profile: String
    /// `uid=… gid=…` of the principal judged.
    public var principal: String
    public var counts: [Finding.State: Int]
}

/// One finding as a run recorded it: enough to tell what changed, not the whole evidence.
public struct RecordedFinding: Sendable, Hashable {
    public var fingerprint: String
    public var ruleID: String
    public var object: String
    public var severity: Severity
    public var state: Finding.State
    public var message: String
}

/// The audit history kept by `audit --record DB` (SQLite through GRDB): runs, their findings, and the drift
/// between two runs of the same host, profile and principal.
public final class RunHistory: Sendable {
    let database: DatabaseQueue
    public let path: String

    /// Opens (creating if needed) the history database and brings its schema up to date.
    /// - Throws: `HistoryError` with the path and what to do.
    public init(path: String) throws(HistoryError) {
        self.path = path
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            var config = Configuration()
            config.busyMode = .timeout(5)
            database = try DatabaseQueue(path: path, configuration: config)
            try Self.migrator.migrate(database)
        } catch {
            throw HistoryError("cannot open the history database \(path): \(error); check the folder exists and is writable, or give --record another path")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("recordedAt", .text).notNull()
                t.column("hostname", .text).notNull()
                t.column("root", .text).notNull()
                t.column("profile", .text).notNull()
                t.column("principal", .text).notNull()
                for state in Finding.State.allCases { t.column("count_\(state.jsonKey)", .integer).notNull().defaults(to: 0) }
            }
            try db.create(table: "finding") { t in
                t.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                t.column("fingerprint", .text).notNull()
                t.column("ruleId", .text).notNull()
                t.column("object", .blob).notNull()
                t.column("severity", .text).notNull()
                t.column("state", .text).notNull()
                t.column("message", .text).notNull()
                t.primaryKey(["runId", "fingerprint"])
            }
        }
        return m
    }

    /// Records a report as a new run and returns it.
    @discardableResult
    public func record(_ report: AuditReport) throws(HistoryError) -> RecordedRun {
        do {
            return try database.write { db in
                var columns = ["recordedAt", "hostname", "root", "profile", "principal"]
                var values: [any DatabaseValueConvertible] = [report.generatedAt, report.host.hostname, report.host.root, report.profile, Self.principalKey(report.principal)]
                let counts = report.counts
                for state in Finding.State.allCases {
                    columns.append("count_\(state.jsonKey)")
                    values.append(counts[state] ?? 0)
                }
                let marks = Array(repeating: "?", count: columns.count).joined(separator: ",")
                try db.execute(sql: "INSERT INTO run (\(columns.joined(separator: ","))) VALUES (\(marks))", arguments: StatementArguments(values))
                let id = db.lastInsertedRowID
                for f in report.findings {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO finding (runId, fingerprint, ruleId, object, severity, state, message) VALUES (?,?,?,?,?,?,?)",
                        arguments: [id, f.fingerprint, f.ruleID, Data(f.object.utf8), f.severity.rawValue, f.state.rawValue, f.message])
                }
                guard let run = try Self.fetchRun(db, id: id) else { throw HistoryError("the run just recorded is missing") }
                return run
            }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError("cannot record the run in \(path): \(error)")
        }
    }

    /// The runs, newest first.
    public func runs(limit: Int = 50) throws(HistoryError) -> [RecordedRun] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.run)
            }
        } catch {
            throw HistoryError("cannot read \(path): \(error)")
        }
    }

    /// The run recorded before `run` for the same host, root, profile and principal.
    public func previous(to run: RecordedRun) throws(HistoryError) -> RecordedRun? {
        do {
            return try database.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT * FROM run WHERE id < ? AND hostname = ? AND root = ? AND profile = ? AND principal = ? ORDER BY id DESC LIMIT 1",
                    arguments: [run.id, run.hostname, run.root, run.profile, run.principal]
                ).map(Self.run)
            }
        } catch {
            throw HistoryError("cannot read \(path): \(error)")
        }
    }

    public func run(id: Int64) throws(HistoryError) -> RecordedRun? {
        do { return try database.read { try Self.fetchRun($0, id: id) } } catch { throw HistoryError("cannot read \(path): \(error)") }
    }

    public func findings(of run: RecordedRun) throws(HistoryError) -> [RecordedFinding] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM finding WHERE runId = ? ORDER BY ruleId, object", arguments: [run.id]).map { row in
                    let object: Data = row["object"]
                    return RecordedFinding(
                        fingerprint: row["fingerprint"], ruleID: row["ruleId"], object: String(decoding: object, as: UTF8.self),
                        severity: Severity(rawValue: row["severity"]) ?? .info, state: Finding.State(rawValue: row["state"]) ?? .error,
                        message: row["message"])
                }
            }
        } catch {
            throw HistoryError("cannot read \(path): \(error)")
        }
    }

    /// What changed from one run to the next.
    public func drift(from old: RecordedRun, to new: RecordedRun) throws(HistoryError) -> Drift {
        Drift(before: try findings(of: old), after: try findings(of: new))
    }

    static func fetchRun(_ db: Database, id: Int64) throws -> RecordedRun? {
        try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map(run)
    }

    static func run(_ row: Row) -> RecordedRun {
        var counts: [Finding.State: Int] = [:]
        for state in Finding.State.allCases { counts[state] = row["count_\(state.jsonKey)"] }
        return RecordedRun(
            id: row["id"], recordedAt: row["recordedAt"], hostname: row["hostname"], root: row["root"], profile: row["profile"],
            principal: row["principal"], counts: counts)
    }

    static func principalKey(_ p: Principal) -> String { "uid=\(p.uid) gid=\(p.gid) groups=\(p.allGroups.map(String.init).joined(separator: ",")) caps=\(p.capabilities)" }
}

public struct HistoryError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
