import Foundation
import LunetJSON

/// Durable key → JSON storage behind `lunet.state`, feed checkpoints, upload
/// positions and run locks.
///
/// Every implementation (SQLite, PostgreSQL) must pass the same
/// suite, Tests/LunetRuntimeTests/State/StateStoreContract.swift. Values are
/// JSON text, stored and returned byte for byte; keys are validated with
/// `StateKey.validate`. A write is durable when the call returns.
public protocol StateStore: Sendable {
    /// Where the store lives, for messages.
    var location: String { get }

    func get(_ key: String) async throws -> StateEntry?
    /// Store `json` (valid JSON text) under `key`, replacing any value.
    func set(_ key: String, json: String) async throws
    /// Remove `key`; false when it was absent.
    @discardableResult func delete(_ key: String) async throws -> Bool
    /// Keys starting with `prefix` (byte-wise), sorted byte-wise.
    func keys(prefix: String) async throws -> [String]
    /// Entries whose keys start with `prefix`, sorted by key.
    func entries(prefix: String) async throws -> [StateEntry]

    /// Read-modify-write of one key as one transaction: no other writer, in
    /// this process or another, changes the key between the read and the
    /// write. `change` may run more than once and must not have side effects.
    func update<Result: Sendable>(
        _ key: String, _ change: @escaping @Sendable (StateEntry?) throws -> (StateChange, Result)
    ) async throws -> Result

    /// Take the named advisory lock without waiting; nil when another holder
    /// (any process) has it. Held until `release()` or the process ends.
    /// The holder records who it is (`LockHolder.current`).
    func tryLock(_ name: String) async throws -> (any StateLock)?

    /// Wait up to `timeout` for the named lock (short critical sections:
    /// the credential refresh). The default polls `tryLock`.
    func lock(_ name: String, timeout: Duration) async throws -> any StateLock

    /// Who holds the named lock, as its holder recorded; nil when nobody
    /// does or the record is gone.
    func lockHolder(_ name: String) async throws -> LockHolder?
}

/// Who holds a lock: written by the holder when it takes the lock.
public struct LockHolder: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    /// When the holder took the lock.
    public var since: Date

    public init(host: String, pid: Int32, since: Date) {
        self.host = host
        self.pid = pid
        self.since = since
    }

    /// This process, now.
    public static func current() -> LockHolder {
        LockHolder(host: ProcessInfo.processInfo.hostName, pid: getpid(), since: Date())
    }

    /// "pid 4242 on cron-a since 2026-11-24T07:31:02.000Z"
    public var description: String { "pid \(pid) on \(host) since \(Timestamp.iso8601(since))" }

    /// One line for a lock file: "PID HOST SINCE".
    var line: String { "\(pid) \(host.isEmpty ? "-" : host) \(Timestamp.iso8601(since))\n" }

    init?(line: String) {
        let parts = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 3, let pid = Int32(parts[0]), let since = Timestamp.parse(String(parts[2])) else { return nil }
        self.init(host: String(parts[1]), pid: pid, since: since)
    }
}

public struct StateEntry: Sendable, Equatable {
    public var key: String
    /// The stored JSON text.
    public var json: String
    public var updatedAt: Date

    public init(key: String, json: String, updatedAt: Date) {
        self.key = key
        self.json = json
        self.updatedAt = updatedAt
    }

    /// The value parsed; nil if the stored text is not JSON (written by hand).
    public var value: JSONValue? { try? JSONValue.parse(json) }
}

/// What `StateStore.update` does with the key.
public enum StateChange: Sendable, Equatable {
    case keep
    case set(json: String)
    case delete
}

/// A held advisory lock.
public protocol StateLock: Sendable {
    var name: String { get }
    /// Idempotent.
    func release()
}

extension StateStore {
    public func lock(_ name: String, timeout: Duration) async throws -> any StateLock {
        let start = ContinuousClock.now
        var pause = Duration.milliseconds(2)
        while true {
            if let lock = try await tryLock(name) { return lock }
            guard ContinuousClock.now - start < timeout else {
                throw StateError.unavailable(
                    location: location, reason: "lock '\(name)' is held by another process (waited \(timeout))")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Set `key` to `json` (nil deletes) only if its stored text is exactly
    /// `expected` (nil: only if absent). True when the change was made.
    @discardableResult
    public func compareAndSet(_ key: String, expected: String?, new json: String?) async throws -> Bool {
        try await update(key) { entry in
            guard entry?.json == expected else { return (.keep, false) }
            return (json.map { .set(json: $0) } ?? .delete, true)
        }
    }

    public func value(_ key: String) async throws -> JSONValue? {
        try await get(key)?.value
    }

    public func set(_ key: String, value: JSONValue) async throws {
        try await set(key, json: value.serializedString())
    }
}

/// The rules for keys, shared by every store, `lunet.state` and `lunet state`.
public enum StateKey {
    public static let maximumBytes = 512

    /// nil when `key` is acceptable, else what is wrong with it.
    public static func problem(_ key: String) -> String? {
        if key.isEmpty { return "key must not be empty" }
        let n = key.utf8.count
        if n > maximumBytes { return "key is \(n) bytes long; at most \(maximumBytes) allowed" }
        return nil
    }

    public static func validate(_ key: String) throws(StateError) {
        if let problem = problem(key) { throw .invalidKey(problem) }
    }
}

public enum StateError: Error, Equatable, CustomStringConvertible {
    case invalidKey(String)
    /// The store could not be opened or used: where, and why.
    case unavailable(location: String, reason: String)

    public var description: String {
        switch self {
        case .invalidKey(let problem): problem
        case .unavailable(let location, let reason): "state store \(location): \(reason)"
        }
    }
}
