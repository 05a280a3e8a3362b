import Foundation
import PostgresNIO

/// Named locks as PostgreSQL session advisory locks on
/// `hashtextextended(name, 0)`, each held on a connection of its own: when
/// the holder exits — even by SIGKILL — its connection drops, the server
/// ends the session, and the lock is free. The holder's host, pid and time
/// go into `lunet_locks` (rows of holders whose session is gone are
/// ignored, and replaced by the next holder).
struct PostgresLocks: Sendable {
    let url: PostgresURL

    func tryLock(_ name: String) async throws -> (any StateLock)? {
        try Self.check(name)
        let connection = try await PostgresSession.connect(url)
        do {
            if try await Self.attempt(connection, name) { return try await Self.held(connection, name, url) }
            try? await connection.close()
            return nil
        } catch {
            try? await connection.close()
            throw StateError.unavailable(location: url.redacted, reason: PostgresSession.reason(error, url))
        }
    }

    /// Poll on one connection until the lock is ours or `timeout` passes.
    func lock(_ name: String, timeout: Duration) async throws -> any StateLock {
        try Self.check(name)
        let connection = try await PostgresSession.connect(url)
        let start = ContinuousClock.now
        var pause = Duration.milliseconds(5)
        do {
            while true {
                if try await Self.attempt(connection, name) { return try await Self.held(connection, name, url) }
                guard ContinuousClock.now - start < timeout else {
                    let holder = try await Self.holder(connection, name).map { " by \($0)" } ?? ""
                    throw StateError.unavailable(
                        location: url.redacted, reason: "lock '\(name)' is held\(holder) (waited \(timeout))")
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(100))
            }
        } catch {
            try? await connection.close()
            if error is StateError || error is CancellationError { throw error }
            throw StateError.unavailable(location: url.redacted, reason: PostgresSession.reason(error, url))
        }
    }

    static func holder(_ connection: PostgresConnection, _ name: String) async throws -> LockHolder? {
        let rows = try await connection.query(
            """
            SELECT host, pid, since FROM lunet_locks l
            WHERE name = \(name) AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid)
            """, logger: PostgresSession.logger)
        for try await (host, pid, since) in rows.decode((String, Int32, Date).self) {
            return LockHolder(host: host, pid: pid, since: since)
        }
        return nil
    }

    private static func check(_ name: String) throws(StateError) {
        guard !name.isEmpty else { throw StateError.invalidKey("lock name must not be empty") }
    }

    private static func attempt(_ connection: PostgresConnection, _ name: String) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT pg_try_advisory_lock(hashtextextended(\(name), 0))", logger: PostgresSession.logger)
        for try await got in rows.decode(Bool.self) { return got }
        return false
    }

    /// Record who holds the lock, then hand it out.
    private static func held(_ connection: PostgresConnection, _ name: String, _ url: PostgresURL) async throws
        -> PostgresLock
    {
        let me = LockHolder.current()
        try await connection.query(
            """
            INSERT INTO lunet_locks (name, host, pid, since, backend_pid)
            VALUES (\(name), \(me.host), \(me.pid), \(me.since), pg_backend_pid())
            ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid,
                since = excluded.since, backend_pid = excluded.backend_pid
            """, logger: PostgresSession.logger)
        return PostgresLock(name: name, connection: connection)
    }
}

/// A held advisory lock and the connection holding it.
///
/// `release()` is synchronous (the StateLock protocol): it sends the unlock
/// and waits for the answer, a loopback-or-LAN round trip, so that a
/// `tryLock` right after it succeeds. The connection is closed after.
final class PostgresLock: StateLock, @unchecked Sendable {
    let name: String
    private let connection: PostgresConnection
    private var released = false
    private let guardLock = NSLock()

    init(name: String, connection: PostgresConnection) {
        self.name = name
        self.connection = connection
    }

    deinit { release() }

    func release() {
        guardLock.lock()
        let first = !released
        released = true
        guardLock.unlock()
        guard first else { return }
        let logger = PostgresSession.logger
        let done = connection.query(
            "DELETE FROM lunet_locks WHERE name = \(name) AND backend_pid = pg_backend_pid()", logger: logger
        ).flatMap { [connection, name] _ in
            connection.query("SELECT pg_advisory_unlock(hashtextextended(\(name), 0))", logger: logger)
        }.flatMap { [connection] _ in connection.close() }
        .flatMapError { [connection] _ in connection.close() }
        // Never block an event loop thread (a release from a callback): the
        // close then completes on its own.
        if !connection.eventLoop.inEventLoop { _ = try? done.wait() }
    }
}
