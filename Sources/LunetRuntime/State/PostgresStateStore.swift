import Foundation
import PostgresNIO

/// The state store in a PostgreSQL database (postgres-nio), shared by every
/// machine that points `LUNET_STATE` at it.
///
/// One connection serves gets and writes, one at a time; each held lock has
/// a connection of its own (PostgresLocks). The tables are created on first
/// use under an advisory lock. Every session runs with
/// `synchronous_commit = on`, so a write is durable when the call returns.
/// `update` serializes writers of one key with a transaction-scoped advisory
/// lock on the key's hash, which also covers keys that do not exist yet
/// (SELECT … FOR UPDATE would lock nothing there).
public final class PostgresStateStore: StateStore {
    let url: PostgresURL
    public var location: String { url.redacted }
    private let session: PostgresSession

    /// Parse `url` now; connect on first use (a bad URL fails here, an
    /// unreachable server at the first call).
    public init(url text: String) throws(ConfigError) {
        url = try PostgresURL(text)
        session = PostgresSession(url)
    }

    // MARK: StateStore

    public func get(_ key: String) async throws -> StateEntry? {
        try StateKey.validate(key)
        return try await session.run { connection in try await Self.fetch(connection, key) }
    }

    public func set(_ key: String, json: String) async throws {
        try StateKey.validate(key)
        try await session.run { connection in try await Self.store(connection, key, json) }
    }

    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        try StateKey.validate(key)
        return try await session.run { connection in
            let rows = try await connection.query(
                "DELETE FROM lunet_state WHERE key = \(key) RETURNING key", logger: PostgresSession.logger)
            var deleted = false
            for try await _ in rows { deleted = true }
            return deleted
        }
    }

    public func keys(prefix: String) async throws -> [String] {
        try await session.run { connection in
            let rows = try await connection.query(
                "SELECT key FROM lunet_state WHERE key >= \(prefix) AND starts_with(key, \(prefix)) ORDER BY key",
                logger: PostgresSession.logger)
            var keys: [String] = []
            for try await key in rows.decode(String.self) { keys.append(key) }
            return keys
        }
    }

    public func entries(prefix: String) async throws -> [StateEntry] {
        try await session.run { connection in
            let rows = try await connection.query(
                """
                SELECT key, value, updated_at FROM lunet_state
                WHERE key >= \(prefix) AND starts_with(key, \(prefix)) ORDER BY key
                """, logger: PostgresSession.logger)
            var entries: [StateEntry] = []
            for try await (key, json, at) in rows.decode((String, String, Date).self) {
                entries.append(StateEntry(key: key, json: json, updatedAt: at))
            }
            return entries
        }
    }

    public func update<Result: Sendable>(
        _ key: String, _ change: @escaping @Sendable (StateEntry?) throws -> (StateChange, Result)
    ) async throws -> Result {
        try StateKey.validate(key)
        return try await session.transaction { connection in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(PostgresSession.keyLockSpace), hashtext(\(key)))",
                logger: PostgresSession.logger)
            let (action, result) = try change(try await Self.fetch(connection, key))
            switch action {
            case .keep: break
            case .set(let json): try await Self.store(connection, key, json)
            case .delete:
                try await connection.query("DELETE FROM lunet_state WHERE key = \(key)", logger: PostgresSession.logger)
            }
            return result
        }
    }

    public func tryLock(_ name: String) async throws -> (any StateLock)? {
        try await locks().tryLock(name)
    }

    public func lock(_ name: String, timeout: Duration) async throws -> any StateLock {
        try await locks().lock(name, timeout: timeout)
    }

    public func lockHolder(_ name: String) async throws -> LockHolder? {
        try await session.run { connection in try await PostgresLocks.holder(connection, name) }
    }

    private func locks() async throws -> PostgresLocks {
        try await session.run { _ in }  // the tables exist before a lock records its holder
        return PostgresLocks(url: url)
    }

    // MARK: SQL

    private static func fetch(_ connection: PostgresConnection, _ key: String) async throws -> StateEntry? {
        let rows = try await connection.query(
            "SELECT value, updated_at FROM lunet_state WHERE key = \(key)", logger: PostgresSession.logger)
        for try await (json, at) in rows.decode((String, Date).self) {
            return StateEntry(key: key, json: json, updatedAt: at)
        }
        return nil
    }

    private static func store(_ connection: PostgresConnection, _ key: String, _ json: String) async throws {
        try await connection.query(
            """
            INSERT INTO lunet_state (key, value, updated_at) VALUES (\(key), \(json), clock_timestamp())
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, logger: PostgresSession.logger)
    }
}
