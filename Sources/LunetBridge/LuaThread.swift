import Foundation

/// Runs Lua work on a dedicated thread, for async Swift code that hosts a
/// Lua state (tests, an in-process server).
///
/// A Lua state belongs to one thread, and its scheduler blocks that thread
/// while tasks wait for Swift operations. On Swift's cooperative pool (a few
/// threads: 2 on a 2-core machine) that would starve the very operations it
/// waits for; `lunet` itself runs Lua on the process's main thread.
public enum LuaThread {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
