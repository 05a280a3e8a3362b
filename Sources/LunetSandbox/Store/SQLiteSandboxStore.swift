import Foundation
import GRDB
import LunetJSON

/// The store behind `--data DIR`: one SQLite file in WAL mode, so emulator
/// data survives a restart and readers never wait for a writer.
public final class SQLiteSandboxStore: SandboxStore {
    public static let fileName = "sandbox.sqlite"
    private let pool: DatabasePool

    /// Opens (creating if needed) `directory/sandbox.sqlite`.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.label = "lunet.sandbox"
        configuration.busyMode = .timeout(5)  // another `lunet sandbox` on the same DIR
        let path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    public func read<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        try await pool.read { try body(SQLiteTransaction(db: $0)) }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SandboxTransaction) throws -> T) async throws -> T {
        try await pool.write { try body(SQLiteTransaction(db: $0)) }
    }

    /// Releases the file, so a server started again in the same process can open it.
    public func close() throws {
        try pool.close()
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE document (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (collection, id)
                ) WITHOUT ROWID;
                CREATE TABLE sequence (
                    collection TEXT NOT NULL PRIMARY KEY,
                    value INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}

private struct SQLiteTransaction: SandboxTransaction {
    let db: Database

    func get(_ collection: String, id: String) throws -> JSONValue? {
        let text = try String.fetchOne(
            db, sql: "SELECT body FROM document WHERE collection = ? AND id = ?", arguments: [collection, id])
        return try text.map { try decode($0, collection: collection, id: id) }
    }

    func put(_ collection: String, id: String, _ document: JSONValue) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO document (collection, id, body) VALUES (?, ?, ?)",
            arguments: [collection, id, document.serializedString()])
    }

    func delete(_ collection: String, id: String) throws -> Bool {
        try db.execute(sql: "DELETE FROM document WHERE collection = ? AND id = ?", arguments: [collection, id])
        return db.changesCount > 0
    }

    func scan(_ collection: String, after: String?, limit: Int?) throws -> [SandboxDocument] {
        // A negative LIMIT means no limit in SQLite.
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, body FROM document
                WHERE collection = ? AND (? IS NULL OR id > ?)
                ORDER BY id LIMIT ?
                """,
            arguments: [collection, after, after, limit.map { max(0, $0) } ?? -1])
        return try rows.map { row in
            let id: String = row["id"]
            return SandboxDocument(id: id, body: try decode(row["body"], collection: collection, id: id))
        }
    }

    func scan(_ collection: String, offset: Int, limit: Int?) throws -> [SandboxDocument] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, body FROM document WHERE collection = ? ORDER BY id LIMIT ? OFFSET ?",
            arguments: [collection, limit.map { max(0, $0) } ?? -1, max(0, offset)])
        return try rows.map { row in
            let id: String = row["id"]
            return SandboxDocument(id: id, body: try decode(row["body"], collection: collection, id: id))
        }
    }

    func count(_ collection: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM document WHERE collection = ?", arguments: [collection]) ?? 0
    }

    func nextSequence(_ collection: String) throws -> Int64 {
        try Int64.fetchOne(
            db,
            sql: """
                INSERT INTO sequence (collection, value) VALUES (?, 1)
                ON CONFLICT (collection) DO UPDATE SET value = value + 1
                RETURNING value
                """,
            arguments: [collection])!
    }

    func removeAll(collectionPrefix: String) throws {
        // Compared as bytes, like the memory store; LIKE would treat % and _ as
        // wildcards and ignore case.
        let matches = "substr(CAST(collection AS BLOB), 1, length(CAST(? AS BLOB))) = CAST(? AS BLOB)"
        let arguments: StatementArguments = [collectionPrefix, collectionPrefix]
        try db.execute(sql: "DELETE FROM document WHERE \(matches)", arguments: arguments)
        try db.execute(sql: "DELETE FROM sequence WHERE \(matches)", arguments: arguments)
    }

    private func decode(_ text: String, collection: String, id: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(text)
        } catch {
            throw SandboxStoreError.corruptDocument(collection: collection, id: id, reason: error.description)
        }
    }
}
