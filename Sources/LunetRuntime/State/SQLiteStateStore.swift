import Foundation
import GRDB

/// The state store in one SQLite file (GRDB, the system's SQLite).
///
/// WAL lets readers and a writer proceed together; `synchronous = FULL`
/// syncs the WAL on every commit, so a write survives a power cut once the
/// call returns (WAL's usual NORMAL would only survive a crash of the
/// process). Writers take the write lock up front (BEGIN IMMEDIATE): a
/// transaction that read first and then tried to upgrade could fail with
/// SQLITE_BUSY no matter how long the busy timeout.
public final class SQLiteStateStore: StateStore {
    public let path: String
    public var location: String { path }
    private let queue: DatabaseQueue
    private let locks: FileLocks

    /// How long a write waits for another connection's transaction.
    public static let defaultBusyTimeout: TimeInterval = 30

    /// Open (creating if needed) the database at `path`. A missing folder is
    /// created with mode 0700, a missing file with mode 0600.
    public init(path: String, busyTimeout: TimeInterval = SQLiteStateStore.defaultBusyTimeout) throws(StateError) {
        self.path = path
        self.locks = FileLocks(directory: path + ".locks")
        do {
            var directory = (path as NSString).deletingLastPathComponent
            if directory.isEmpty { directory = "." }
            try PrivateFiles.makeDirectory(directory)
            // Two processes creating the file at the same moment race in
            // the WAL switch and schema creation, and SQLite answers one
            // with "database is locked" at once, busy timeout or not. Opening
            // is serialized across processes instead (the kernel drops the
            // lock if a process dies while holding it).
            let opening = try FileLock.acquireBlocking(path + ".init.lock")
            defer { opening.release() }
            try PrivateFiles.touch(path)
            var configuration = GRDB.Configuration()
            configuration.label = "lunet.state"
            configuration.busyMode = .timeout(busyTimeout)
            configuration.prepareDatabase { db in
                // The busy timeout is already set, so a second process
                // switching a new file to WAL at the same moment just waits.
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in try Self.createSchema(db) }
        } catch let error as PrivateFileError {
            throw .unavailable(location: path, reason: error.description)
        } catch let error as FileLock.Failure {
            throw .unavailable(location: path, reason: error.description)
        } catch {
            throw .unavailable(location: path, reason: Self.reason(error))
        }
    }

    private static func createSchema(_ db: Database) throws {
        guard try !db.tableExists("state") else { return }
        try db.execute(sql: """
            CREATE TABLE state (
                key TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL,       -- JSON text
                updated_at TEXT NOT NULL   -- ISO 8601, UTC, milliseconds
            ) WITHOUT ROWID;
            PRAGMA user_version = 1;
            """)
    }

    // MARK: StateStore

    public func get(_ key: String) async throws -> StateEntry? {
        try StateKey.validate(key)
        return try await access { db in try Self.fetch(db, key) }
    }

    public func set(_ key: String, json: String) async throws {
        try StateKey.validate(key)
        try await access(writing: true) { db in try Self.store(db, key, json) }
    }

    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        try StateKey.validate(key)
        return try await access(writing: true) { db in
            try db.execute(sql: "DELETE FROM state WHERE key = ?", arguments: [key])
            return db.changesCount > 0
        }
    }

    public func keys(prefix: String) async throws -> [String] {
        try await entries(prefix: prefix, values: false).map(\.key)
    }

    public func entries(prefix: String) async throws -> [StateEntry] {
        try await entries(prefix: prefix, values: true)
    }

    public func update<Result: Sendable>(
        _ key: String, _ change: @escaping @Sendable (StateEntry?) throws -> (StateChange, Result)
    ) async throws -> Result {
        try StateKey.validate(key)
        return try await access(writing: true) { db in
            let (action, result) = try change(try Self.fetch(db, key))
            switch action {
            case .keep: break
            case .set(let json): try Self.store(db, key, json)
            case .delete: try db.execute(sql: "DELETE FROM state WHERE key = ?", arguments: [key])
            }
            return result
        }
    }

    public func tryLock(_ name: String) async throws -> (any StateLock)? {
        try locks.tryLock(name)
    }

    public func lockHolder(_ name: String) async throws -> LockHolder? {
        try locks.holder(of: name)
    }

    /// A PRAGMA's value on this store's connection (tests check the
    /// journal mode and synchronous setting the store runs with).
    func pragma(_ name: String) async throws -> String? {
        try await queue.read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    // MARK: SQL

    private static func fetch(_ db: Database, _ key: String) throws -> StateEntry? {
        guard let row = try Row.fetchOne(db, sql: "SELECT value, updated_at FROM state WHERE key = ?", arguments: [key])
        else { return nil }
        return StateEntry(key: key, json: row[0], updatedAt: Timestamp.parse(row[1]) ?? .distantPast)
    }

    private static func store(_ db: Database, _ key: String, _ json: String) throws {
        try db.execute(
            sql: """
                INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """,
            arguments: [key, json, Timestamp.iso8601(Date())])
    }

    /// Keys compare byte-wise (SQLite's BINARY collation), so the keys with a
    /// prefix are one contiguous run starting at the prefix itself: read
    /// from there and stop at the first key without it.
    private func entries(prefix: String, values: Bool) async throws -> [StateEntry] {
        try await access { db in
            let columns = values ? "key, value, updated_at" : "key"
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(columns) FROM state WHERE key >= ? ORDER BY key", arguments: [prefix])
            var found: [StateEntry] = []
            let prefixBytes = Array(prefix.utf8)
            while let row = try rows.next() {
                let key: String = row[0]
                guard key.utf8.starts(with: prefixBytes) else { break }
                found.append(
                    values
                        ? StateEntry(key: key, json: row[1], updatedAt: Timestamp.parse(row[2]) ?? .distantPast)
                        : StateEntry(key: key, json: "", updatedAt: .distantPast))
            }
            return found
        }
    }

    private func access<T: Sendable>(writing: Bool = false, _ body: @escaping @Sendable (Database) throws -> T)
        async throws -> T
    {
        do {
            return writing ? try await queue.write(body) : try await queue.read(body)
        } catch let error as DatabaseError {
            throw StateError.unavailable(location: path, reason: Self.reason(error))
        }
    }

    private static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.resultCode.description }
        return "\(error)"
    }
}
