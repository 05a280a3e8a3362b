import Foundation

/// `lunet run --lock NAME`: at most one run per name at a time, across
/// every process that shares the state store (one machine with SQLite,
/// all machines with PostgreSQL). The lock is the store's named lock
/// "run:NAME": an flock beside the SQLite file or a PostgreSQL session
/// advisory lock, so it is released on any exit, SIGKILL included.
public enum RunLock {
    public static let maximumNameBytes = 200

    public enum Outcome: Sendable {
        case acquired(any StateLock)
        /// Another run holds it; who, when its record could be read.
        case held(LockHolder?)
    }

    /// nil when `name` is acceptable, else what is wrong with it.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "--lock needs a name" }
        let n = name.utf8.count
        if n > maximumNameBytes { return "--lock name is \(n) bytes long; at most \(maximumNameBytes) allowed" }
        return nil
    }

    public static func acquire(_ name: String, in store: any StateStore) async throws -> Outcome {
        if let lock = try await store.tryLock(key(name)) { return .acquired(lock) }
        return .held(try await store.lockHolder(key(name)))
    }

    /// The one line printed when the lock is taken.
    public static func heldMessage(_ name: String, holder: LockHolder?, location: String) -> String {
        let who = holder.map { "\($0)" } ?? "another run (its record is not readable yet)"
        return "lock '\(name)' is held by \(who) (state store \(location)); not starting"
    }

    static func key(_ name: String) -> String { "run:" + name }
}
