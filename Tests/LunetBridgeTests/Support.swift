import CLuaShim
import LunetBridge
import Synchronization

/// Counts live `Tracked` objects. Each test has its own, since tests run in
/// parallel.
final class LiveCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
}

/// An object whose lifetime is counted, to prove objects handed to Lua (or
/// carried by errors) are released.
final class Tracked: Sendable {
    let label: String
    let counter: LiveCount
    init(_ label: String, _ counter: LiveCount) {
        self.label = label
        self.counter = counter
        counter.add(1)
    }
    deinit { counter.add(-1) }
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
