import Foundation
import LunetTestSupport
import LunetBridge
import LunetJSON
@testable import LunetRuntime
import Testing

/// What only the PostgreSQL store has: its URL, its errors, concurrent
/// first use, and the credential refresh lock shared through it. The
/// common behaviour is in StateStoreContractTests.
@Suite("PostgreSQL state store")
struct PostgresStateStoreTests {
    @Test func urlForms() throws {
        let full = try PostgresURL("postgres://lunet%40ops:p%3Aw@db.internal:6543/jobs?sslmode=require")
        #expect(full.user == "lunet@ops")
        #expect(full.password == "p:w")
        #expect(full.host == "db.internal" && full.port == 6543)
        #expect(full.database == "jobs" && full.tls == .require)
        let short = try PostgresURL("postgresql://u@[::1]/d")
        #expect(short.host == "::1" && short.port == 5432 && short.password == nil && short.tls == .prefer)
        #expect(short.endpoint == "[::1]:5432")
        #expect(try PostgresURL("postgres://u:x@h/d?sslmode=disable").tls == .disable)
        #expect(try PostgresURL("postgres://u:x@h/d?sslmode=verify-full").tls == .verify)
    }

    @Test func badURLsAreConfigErrorsThatHideThePassword() {
        let cases: [(String, String)] = [
            ("postgres://u:hunter22@h:5432", "missing database name"),
            ("postgres://:hunter22@h/d", "missing user name"),
            ("postgres://u:hunter22@h:99999/d", "bad port '99999'"),
            ("postgres://u:hunter22@h/d?timeout=3", "unknown parameter 'timeout' (known: sslmode)"),
            ("postgres://u:hunter22@h/d?sslmode=maybe", "sslmode must be disable, prefer, require or verify-full"),
            ("postgres://u:hunter22@/d", "missing host"),
        ]
        for (url, problem) in cases {
            #expect {
                try StateLocation.postgres(url: url).open()
            } throws: { error in
                let message = "\(error)"
                return error is ConfigError && message.contains(problem) && !message.contains("hunter22")
                    && message.contains("••••")
            }
        }
    }

    @Test func redactionStopsAtTheLastAtSign() {
        #expect(StateLocation.redacted("postgres://u:p@ss@h/d") == "postgres://u:••••@h/d")
        #expect(StateLocation.redacted("postgres://u@h/d") == "postgres://u@h/d")
        #expect(StateLocation.postgres(url: "postgres://lunet:hunter2@db/x").description == "postgres://lunet:••••@db/x")
    }

    @Test func connectionRefusedNamesTheHostNotThePassword() async throws {
        let store = try StateLocation.postgres(url: "postgres://lunet:s3cret-pw@127.0.0.1:1/lunet").open()
        #expect(store.location == "postgres://lunet:••••@127.0.0.1:1/lunet")
        await #expect {
            try await store.get("k")
        } throws: { error in
            let message = "\(error)"
            return message == "state store postgres://lunet:••••@127.0.0.1:1/lunet: cannot connect to 127.0.0.1:1: connection refused"
        }
    }

    @Test func authenticationFailureNamesUserAndHost() async throws {
        let good = URLComponents(string: try await PostgresTestServer.shared.url())!
        let url = "postgres://lunet:wrong-password-42@127.0.0.1:\(good.port!)/lunet"
        let store = try PostgresStateStore(url: url)
        await #expect {
            try await store.set("k", json: "1")
        } throws: { error in
            let message = "\(error)"
            return message.contains("authentication failed for user 'lunet' at 127.0.0.1:\(good.port!)")
                && !message.contains("wrong-password-42")
        }
    }

    @Test func aMissingDatabaseIsNamed() async throws {
        let base = try await PostgresTestServer.shared.url()
        #expect(base.hasSuffix("/lunet"))
        let url = base.dropLast("lunet".count) + "no_such_db"
        await #expect {
            try await PostgresStateStore(url: String(url)).keys(prefix: "")
        } throws: { error in
            "\(error)".contains("database \"no_such_db\" does not exist")
        }
    }

    /// Eight stores using a new database at the same moment: the schema is
    /// created once (under an advisory lock) and every write lands.
    @Test func concurrentFirstUseCreatesTheSchemaOnce() async throws {
        let url = try await PostgresTestServer.shared.freshDatabase()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask { try await PostgresStateStore(url: url).set("k\(i)", value: .integer(Int64(i))) }
            }
            try await group.waitForAll()
        }
        #expect(try await PostgresStateStore(url: url).keys(prefix: "k").count == 8)
    }

    /// Two credential stores with files of their own (two machines) take
    /// turns through the PostgreSQL lock: no two updates overlap.
    @Test func credentialRefreshesTakeTurnsThroughTheStore() async throws {
        let url = try await PostgresTestServer.shared.freshDatabase()
        let directory = TemporaryDirectory()
        let inside = Counter()
        let stores = ["a", "b"].map { machine in
            let state = try! PostgresStateStore(url: url)
            return CredentialStore(
                path: directory.file("\(machine)/credentials.json"),
                sharedLock: { timeout in try await state.lock(CredentialStore.sharedLockName, timeout: timeout) })
        }
        let key = CredentialKey(service: "iconect", profile: "default")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                group.addTask {
                    for _ in 0..<4 {
                        try await store.update(key) { entry in
                            inside.enter()
                            try await Task.sleep(for: .milliseconds(30))
                            inside.leave()
                            return (entry, ())
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inside.maximum == 1)
        #expect(inside.total == 8)
    }

    /// In a runtime whose state is on PostgreSQL, the credential store waits
    /// for the store's lock (held here as another machine would).
    @Test func aRuntimeOnPostgresUsesTheSharedRefreshLock() async throws {
        let url = try await PostgresTestServer.shared.freshDatabase()
        let directory = TemporaryDirectory()
        let environment = directory.environment.merging(["LUNET_STATE": url]) { $1 }
        let other = try PostgresStateStore(url: url)
        let held = try #require(try await other.tryLock(CredentialStore.sharedLockName))
        let credentials = try await LuaThread.run {
            let runtime = Runtime(environment: environment)
            return runtime.lua.bindings!.credentials
        }
        let finished = Counter()
        let update = Task {
            try await credentials.set(CredentialKey(service: "icl", profile: "p"), CredentialEntry())
            finished.enter()
        }
        try await Task.sleep(for: .milliseconds(400))
        #expect(finished.total == 0, "the update ran while another machine held the refresh lock")
        held.release()
        try await update.value
        #expect(finished.total == 1)
    }
}

/// Counts callers inside a section and the most seen at once.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var maximum = 0
    private(set) var total = 0
    func enter() {
        lock.withLock {
            current += 1
            total += 1
            maximum = max(maximum, current)
        }
    }
    func leave() { lock.withLock { current -= 1 } }
}
