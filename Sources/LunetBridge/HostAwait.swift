import CLuaShim
import Dispatch

/// THE path for every binding that waits on I/O.
///
/// A binding describes the wait as an async operation producing a `Sendable`
/// value, plus a `deliver` step that turns that value into Lua results on the
/// Lua thread:
///
///     return try call.await { try await http.send(request) } deliver: { call, response in
///         try call.push(response.luaValue); return 1
///     }
///
/// Every binding uses this one entry point so that the way waiting happens
/// can change in one place. Two strategies exist:
///
/// * **Yield** (when a `HostScheduler` is attached to the state and the
///   running coroutine is one of its tasks and yieldable): the operation is
///   handed to the scheduler and the call returns a yield status; the C
///   trampoline yields (`lua_yieldk`) *after* Swift has returned, tagged with
///   the host's yield tag. When the operation completes, the scheduler (on
///   the Lua thread) runs `deliver` on the coroutine's stack and resumes it
///   with `(true, results…)`, or with `(false, error)`, which the C
///   continuation raises — so `pcall` around the call still works and other
///   tasks run while this one waits.
/// * **Block** (no scheduler, or not yieldable: inside a metamethod, a
///   `table.sort` comparator, a `string.gsub` callback): the Lua thread waits
///   for the operation, checking every 50 ms whether the state was
///   interrupted (Ctrl-C, `--timeout`) and cancelling the operation if so.
public protocol HostScheduler: AnyObject {
    /// Whether the thread `L` is a scheduler task that may yield now.
    func canSuspend(_ L: OpaquePointer) -> Bool
    /// Take over a suspended wait: start `operation`, and when it finishes
    /// resume thread `L` after `resume` has pushed its results (returning how
    /// many) or thrown. Returns the number of values the call yields.
    /// `name` is the function's name ("task.sleep"), for error messages.
    func suspend(
        _ L: OpaquePointer, name: String,
        operation: @escaping @Sendable () async throws -> any Sendable,
        resume: @escaping (LuaCall, any Sendable) throws -> Int32
    ) -> Int32
}

extension LuaCall {
    public func await<T: Sendable>(
        _ operation: @escaping @Sendable () async throws -> T,
        deliver: @escaping (LuaCall, T) throws -> Int32
    ) throws -> Int32 {
        let host = state
        if let scheduler = host.scheduler, scheduler.canSuspend(L) {
            let n = scheduler.suspend(L, name: function.name, operation: { try await operation() }) { call, value in
                try deliver(call, value as! T)
            }
            return LUNET_YIELD_BASE - n
        }
        let value = try blockingWait(operation)
        return try deliver(self, value)
    }

    /// Run `operation` to completion on Swift's concurrency pool while this
    /// thread waits, giving up (and cancelling it) on an interrupt.
    func blockingWait<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        // Task.detached, not Task {}: a plain Task from a thread blocked on a
        // semaphore can deadlock (see docs/embedding-notes).
        let task = Task.detached {
            do { box.set(.success(try await operation())) } catch { box.set(.failure(error)) }
            done.signal()
        }
        let interrupt = state.interruptHandle
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if interrupt.isPending {
                task.cancel()
                throw LuaError.message(interrupt.message)
            }
        }
        return try box.get()
    }
}

extension LuaState {
    /// The scheduler that lets host waits yield (attached by the runtime).
    public var scheduler: HostScheduler? {
        get { extensions[ObjectIdentifier(HostSchedulerKey.self)] as? HostScheduler }
        set { extensions[ObjectIdentifier(HostSchedulerKey.self)] = newValue }
    }
}

private enum HostSchedulerKey {}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let lock = DispatchSemaphore(value: 1)
    func set(_ r: Result<T, Error>) { lock.wait(); result = r; lock.signal() }
    func get() throws -> T { lock.wait(); defer { lock.signal() }; return try result!.get() }
}
