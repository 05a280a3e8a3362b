import Dispatch

/// Run async work from a synchronous command and wait for it. The CLI's
/// commands run on the main thread, outside Swift's cooperative pool, so
/// blocking here starves nothing; Task.detached, not Task {}, because a
/// plain Task started from code that then blocks can deadlock.
func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Outcome<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { outcome.result = .success(try await body()) } catch { outcome.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try outcome.result!.get()
}

/// Written by the task before it signals, read after the wait.
private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
