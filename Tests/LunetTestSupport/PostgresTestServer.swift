import Foundation

/// A real PostgreSQL server for tests: `scripts/pg-test-server` (which
/// installs Debian's postgresql when missing) run once per test process, on
/// first use, and stopped when the process exits (atexit; if the process is
/// killed, the script's watchdog stops it). The two test modules share one
/// server through LUNET_TEST_POSTGRES_URL / _DIR, which also let a caller
/// point the tests at a server of their own.
///
///     let url = try await PostgresTestServer.shared.url()             // database "lunet"
///     let fresh = try await PostgresTestServer.shared.freshDatabase() // a new empty database
///
/// Each test that needs an empty store takes a fresh database: tables and
/// advisory locks are per database, so tests cannot see each other.
/// The waiting happens on threads of their own, never on Swift's
/// cooperative pool. Shared by the test targets (Tests/LunetTestSupport).
public actor PostgresTestServer {
    public static let shared = PostgresTestServer()

    struct Started: Sendable {
        var url: String
        var directory: String
    }

    private var started: Task<Started, Error>?
    private var counter = 0

    /// The URL of database "lunet" on the shared server.
    public func url() async throws -> String { try await start().url }

    /// A new, empty database; its URL.
    public func freshDatabase() async throws -> String {
        let server = try await start()
        counter += 1
        let name = "t\(getpid())_\(counter)_\(UInt32.random(in: 0...UInt32.max))"
        let out = try await Self.script(["createdb", server.directory, name])
        guard let url = out.split(separator: "\n").first, url.hasPrefix("postgres://") else {
            throw Failure("pg-test-server createdb printed no URL: \(out)")
        }
        return String(url)
    }

    private func start() async throws -> Started {
        if let started { return try await started.value }
        let task = Task<Started, Error> {
            let environment = ProcessInfo.processInfo.environment
            if let url = environment["LUNET_TEST_POSTGRES_URL"], let dir = environment["LUNET_TEST_POSTGRES_DIR"],
                !url.isEmpty, !dir.isEmpty
            {
                return Started(url: url, directory: dir)
            }
            let out = try await Self.script(["start", "--owner", String(getpid())])
            let lines = out.split(separator: "\n").map(String.init)
            guard lines.count >= 2, lines[0].hasPrefix("postgres://") else {
                throw Failure("pg-test-server printed no URL: \(out)")
            }
            let server = Started(url: lines[0], directory: lines[1])
            setenv("LUNET_TEST_POSTGRES_URL", server.url, 1)
            setenv("LUNET_TEST_POSTGRES_DIR", server.directory, 1)
            postgresTestServerDirectory.withLock { $0 = server.directory }
            atexit { stopPostgresTestServer() }
            return server
        }
        started = task
        return try await task.value
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// scripts/pg-test-server of the package this file is in.
    static let scriptPath: String = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appending(path: "Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appending(path: "scripts/pg-test-server").path
    }()

    /// Run the script on a thread of its own; its stdout, or an error with its stderr.
    static func script(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(arguments) })
            }
        }
    }

    /// posix_spawn and waitpid, not Foundation's Process: Process missed
    /// the exit of this script (it leaves a watchdog behind) and waited
    /// forever. Output goes through files, so no pipe can fill up.
    fileprivate static func runBlocking(_ arguments: [String]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appending(path: "pg-test-server-\(UUID().uuidString)").path
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [scriptPath] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, scriptPath, &actions, nil, &cArgs, environ)
        guard spawned == 0 else { throw Failure("cannot run \(scriptPath): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw Failure("scripts/pg-test-server \(arguments.joined(separator: " ")) failed (status \(status)): \(err)")
        }
        return out
    }
}

private let postgresTestServerDirectory = NSLockedValue<String?>(nil)

private func stopPostgresTestServer() {
    guard let directory = postgresTestServerDirectory.withLock({ $0 }) else { return }
    _ = try? PostgresTestServer.runBlocking(["stop", directory])
}

private final class NSLockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
