import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// One PostgreSQL connection used by one caller at a time: connected on
/// first use (and again after it drops), the schema ensured once, errors
/// turned into `StateError.unavailable` naming the host, never the password.
actor PostgresSession {
    let url: PostgresURL
    private var connection: PostgresConnection?
    private var schemaReady = false
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ url: PostgresURL) { self.url = url }

    /// postgres-nio wants every connection closed before it goes away.
    deinit {
        guard let connection, !connection.isClosed else { return }
        let closing: EventLoopFuture<Void> = connection.close()
        if !connection.eventLoop.inEventLoop { _ = try? closing.wait() }
    }

    static let logger = Logger(label: "lunet.state.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Advisory lock spaces (the two-int4 form, distinct from the bigint
    /// keys of named locks): key locks of `update`, schema creation.
    static let keyLockSpace: Int32 = 0x4C55_4E45  // "LUNE"
    static let schemaLockSpace: Int32 = 0x4C55_4E46

    /// Run `body` on the connection, alone.
    func run<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        let connection = try await ready()
        do {
            return try await body(connection)
        } catch {
            throw mapped(error)
        }
    }

    /// Run `body` in a transaction, alone: committed when it returns,
    /// rolled back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await run { connection in
            try await connection.query("BEGIN", logger: Self.logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: Self.logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: Self.logger)
                throw error
            }
        }
    }

    private func enter() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    private func ready() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        let fresh = try await Self.connect(url)
        do {
            if !schemaReady {
                try await Self.createSchema(fresh)
                schemaReady = true
            }
        } catch {
            try? await fresh.close()
            throw mapped(error)
        }
        connection = fresh
        return fresh
    }

    private func mapped(_ error: Error) -> Error {
        if error is StateError || error is CancellationError { return error }
        return StateError.unavailable(location: url.redacted, reason: Self.reason(error, url))
    }

    // MARK: Connecting

    private static let ids = ManagedAtomicCounter()

    /// A new connection with the store's session settings.
    static func connect(_ url: PostgresURL) async throws -> PostgresConnection {
        let connection: PostgresConnection
        do {
            var configuration = PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.user, password: url.password,
                database: url.database, tls: try tls(url.tls))
            configuration.options.connectTimeout = .seconds(15)
            connection = try await PostgresConnection.connect(
                configuration: configuration, id: ids.next(), logger: logger)
        } catch {
            throw StateError.unavailable(location: url.redacted, reason: reason(error, url))
        }
        keepSocketsFromChildren()
        do {
            try await connection.query("SET synchronous_commit = on", logger: logger)
            try await connection.query("SET application_name = 'lunet'", logger: logger)
        } catch {
            try? await connection.close()
            throw StateError.unavailable(location: url.redacted, reason: reason(error, url))
        }
        return connection
    }

    /// SwiftNIO opens sockets without close-on-exec, so a child started
    /// by `os.execute` would inherit the connection and keep a killed
    /// run's lock alive for as long as the child lives. Mark every socket
    /// (beyond stdin/out/err) close-on-exec once the connection is up. A
    /// child forked by another task during the connect itself can still
    /// inherit it; `--lock` connects before the script starts.
    static func keepSocketsFromChildren() {
        var descriptors: [Int32] = []
        if let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            descriptors = names.compactMap(Int32.init)
        } else {
            descriptors = Array(3..<min(Int32(getdtablesize()), 4096))
        }
        for fd in descriptors where fd > 2 {
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    private static func tls(_ mode: PostgresURL.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable: return .disable
        case .prefer:
            configuration.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: configuration))
        case .require:
            configuration.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: configuration))
        case .verify:
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }

    /// Both tables, created once per database; concurrent creators take
    /// turns (CREATE TABLE IF NOT EXISTS alone can still collide).
    private static func createSchema(_ connection: PostgresConnection) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(schemaLockSpace), 0)", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS lunet_state (
                    key text COLLATE "C" PRIMARY KEY,
                    value text NOT NULL,
                    updated_at timestamptz NOT NULL)
                """, logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS lunet_locks (
                    name text COLLATE "C" PRIMARY KEY,
                    host text NOT NULL,
                    pid integer NOT NULL,
                    since timestamptz NOT NULL,
                    backend_pid integer NOT NULL)
                """, logger: logger)
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    // MARK: Errors

    /// What went wrong, for a message that names the host and never the
    /// password (postgres-nio's own descriptions are deliberately vague).
    static func reason(_ error: Error, _ url: PostgresURL) -> String {
        let text = describe(error, url)
        return Redactor.shared.scrub(text)
    }

    private static func describe(_ error: Error, _ url: PostgresURL) -> String {
        if let error = error as? StateError { return error.description }
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let message = info[.message] ?? "server error"
                switch info[.sqlState] {
                case "28P01", "28000":
                    return "authentication failed for user '\(url.user)' at \(url.endpoint): \(message)"
                case "3D000": return "\(message) at \(url.endpoint)"
                default:
                    let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                    return message + state
                }
            }
            switch error.code {
            case .connectionError:
                return "cannot connect to \(url.endpoint): \(error.underlying.map(socketReason) ?? "connection failed")"
            case .serverClosedConnection, .uncleanShutdown:
                return "the connection to \(url.endpoint) was closed"
            case .sslUnsupported:
                return "\(url.endpoint) does not support TLS, which sslmode requires"
            case .authMechanismRequiresPassword:
                return "\(url.endpoint) asks for a password and the URL has none"
            case .unsupportedAuthMechanism:
                return "\(url.endpoint) asks for an authentication method lunet does not support"
            default:
                return "\(url.endpoint): \(error.code)"
            }
        }
        if error is NIOSSLError { return "TLS with \(url.endpoint) failed: \(error)" }
        return "\(url.endpoint): \(socketReason(error))"
    }

    private static func socketReason(_ error: Error) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return socketReason(first.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve the host name (\(dns))" }
            return "no address for the host name"
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if error is ChannelError, case .connectTimeout = error as? ChannelError { return "timed out" }
        return "\(error)"
    }
}

/// Connection ids for postgres-nio's logs.
final class ManagedAtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
