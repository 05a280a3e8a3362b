import Foundation

/// Run `body` on a thread of its own and wait for it without blocking a
/// thread of Swift's concurrency pool.
///
/// Lua code that calls `lunet.state` waits with `LuaCall.await`, whose
/// blocking path parks the calling thread until a detached task finishes.
/// Test functions run on the cooperative pool (2 threads on a 2-core
/// machine); if every pool thread were parked that way at once, the tasks
/// they wait for could never start. Running the Lua on a plain thread rules
/// that out.
func onThread<T>(_ body: @escaping () throws -> T) async throws -> T {
    let box = UncheckedBox(body)
    return try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: UncheckedBox(try box.value()).value) } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
