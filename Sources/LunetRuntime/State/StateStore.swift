import Foundation
import LunetJSON

/// Durable key → JSON storage behind `lunet.state`, feed checkpoints, upload
/// positions and run locks.
///
/// Every implementation (SQLite today, PostgreSQL later) must pass the same
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
    func tryLock(_ name: String) async throws -> (any StateLock)?
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
