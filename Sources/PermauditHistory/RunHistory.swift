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

    /// How a command opens the history: `audit --record` creates it; `history` and `diff` only read one that exists.
    public enum Access: Sendable { case record, read }

    /// The migrations this permaudit knows, oldest first: the history's schema version is how many are applied.
    public static let schemaMigrations = ["v1", "v2-meta"]

    /// Opens the history database; for `.record`, creating it (and its folder) if needed and bringing its
    /// schema up to date. A database written by a newer permaudit (migrations this one does not know) is
    /// refused, never written to.
    /// - Parameters:
    ///   - access: `.read` never creates anything: a missing database is an error naming the path.
    ///   - version: this permaudit's version, kept in the database as the one that last wrote it.
    /// - Throws: `HistoryError` with the path and what to do.
    public init(path: String, access: Access = .record, version: String = "unknown") throws(HistoryError) {
        self.path = path
        if access == .read && !FileManager.default.fileExists(atPath: path) {
            throw HistoryError("no history database at \(path): nothing was created; record runs first with `permaudit audit --record \(path)`, or give the path `audit --record` used")
        }
        let queue: DatabaseQueue
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if access == .record, !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            var config = Configuration()
            config.busyMode = .timeout(5)
            config.readonly = access == .read
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw HistoryError("cannot open the history database \(path): \(error); check the folder exists and is writable, or give --record another path")
        }
        database = queue
        let migrator = Self.migrator
        let (applied, writtenBy): (Set<String>, String?)
        do {
            (applied, writtenBy) = try queue.read { db in
                let applied = try db.tableExists("grdb_migrations") ? try migrator.appliedIdentifiers(db) : []
                let writer = try db.tableExists("meta") ? try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'writtenBy'") : nil
                return (applied, writer)
            }
        } catch {
            throw HistoryError("cannot read the history database \(path): \(error); is it a permaudit history (SQLite)? give --record another path")
        }
        let unknown = applied.subtracting(Self.schemaMigrations)
        if !unknown.isEmpty {
            throw HistoryError("""
                the history database \(path) was written by a newer permaudit (\(writtenBy.map { "permaudit \($0)" } ?? "its version is not recorded"), \
                history schema \(applied.count): \(applied.sorted().joined(separator: ", "))); this is permaudit \(version), which knows \
                schema \(Self.schemaMigrations.count) (\(Self.schemaMigrations.joined(separator: ", "))): nothing was read or written; \
                use that newer permaudit, or give --record another path
                """)
        }
        if access == .read {
            if applied.isEmpty { throw HistoryError("\(path) is not a permaudit history (no runs table): give the path `audit --record` used") }
            return
        }
        do {
            try migrator.migrate(queue)
            try queue.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('writtenBy', ?)", arguments: [version])
            }
        } catch {
            throw HistoryError("cannot bring the history database \(path) up to date: \(error); check it is writable, or give --record another path")
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
        // Which permaudit last wrote the history, so a newer one's database can be named when refused.
        m.registerMigration("v2-meta") { db in
            try db.create(table: "meta") { t in
                t.column("key", .text).primaryKey()
                t.column("value", .text).notNull()
            }
        }
        return m
    }

    /// Records a report as a new run and returns it.
    @discardableResult
    public func record(_ report: AuditReport) throws(HistoryError) -> RecordedRun {
        do { return try record(report) { run, _ in run } } catch let e as HistoryError { throw e } catch { throw HistoryError("\(error)") }
    }

    /// Records a report as a new run, and commits it only once `deliver` has returned: killed or failing
    /// before that, the history holds no trace of the run, so the next run is compared with the last
    /// delivered one and no change is lost (at worst a delivered one is reported again).
    /// - Parameter deliver: gets the new run and its drift from the previous run of the same host and
    ///   principal (nil for the first); its errors are rethrown as they are, and nothing is recorded.
    public func record<T>(_ report: AuditReport, deliveringWith deliver: (RecordedRun, Drift?) throws -> T) throws -> T {
        let path = self.path
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
                let drift = try Self.previous(db, to: run).map { Drift(before: try Self.findings(db, of: $0), after: try Self.findings(db, of: run)) }
                return try deliver(run, drift)
            }
        } catch let e as DatabaseError {
            throw HistoryError("cannot record the run in \(path): \(e)")
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
            return try database.read { db in try Self.previous(db, to: run) }
        } catch {
            throw HistoryError("cannot read \(path): \(error)")
        }
    }

    public func run(id: Int64) throws(HistoryError) -> RecordedRun? {
        do { return try database.read { try Self.fetchRun($0, id: id) } } catch { throw HistoryError("cannot read \(path): \(error)") }
    }

    public func findings(of run: RecordedRun) throws(HistoryError) -> [RecordedFinding] {
        do {
            return try database.read { db in try Self.findings(db, of: run) }
        } catch {
            throw HistoryError("cannot read \(path): \(error)")
        }
    }

    /// What changed from one run to the next.
    public func drift(from old: RecordedRun, to new: RecordedRun) throws(HistoryError) -> Drift {
        Drift(before: try findings(of: old), after: try findings(of: new))
    }

    static func previous(_ db: Database, to run: RecordedRun) throws -> RecordedRun? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM run WHERE id < ? AND hostname = ? AND root = ? AND profile = ? AND principal = ? ORDER BY id DESC LIMIT 1",
            arguments: [run.id, run.hostname, run.root, run.profile, run.principal]
        ).map(Self.run)
    }

    static func findings(_ db: Database, of run: RecordedRun) throws -> [RecordedFinding] {
        try Row.fetchAll(db, sql: "SELECT * FROM finding WHERE runId = ? ORDER BY ruleId, object", arguments: [run.id]).map { row in
            let object: Data = row["object"]
            return RecordedFinding(
                fingerprint: row["fingerprint"], ruleID: row["ruleId"], object: String(decoding: object, as: UTF8.self),
                severity: Severity(rawValue: row["severity"]) ?? .info, state: Finding.State(rawValue: row["state"]) ?? .error,
                message: row["message"])
        }
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
