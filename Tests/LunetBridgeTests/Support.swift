import CLuaShim
import LunetBridge
import Synchronization

/// Counts live instances, to prove objects handed to Lua are released.
final class Tracked: Sendable {
    static let live = Atomic<Int>(0)
    let label: String
    init(_ label: String) {
        self.label = label
        Tracked.live.add(1, ordering: .relaxed)
    }
    deinit { Tracked.live.subtract(1, ordering: .relaxed) }
}

/// A Swift error that owns a Swift object: if an error path leaked, the
/// object would never be released.
struct TrackedError: Error, CustomStringConvertible {
    let payload: Tracked
    var description: String { "tracked failure \(payload.label)" }
}

extension LuaState {
    /// Run `code` and return its results converted to Swift values.
    func eval(_ code: String) throws -> [LuaValue] {
        let base = top
        defer { top = base }
        try load(code, name: "=test")
        try call()
        return try (base + 1..<top + 1).map { try LuaValue.read(L, $0) }
    }

    func define(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
        pushFunction(name, body)
        setGlobal(name)
    }
}
