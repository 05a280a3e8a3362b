import CLuaShim
import LunetBridge

/// One task: a coroutine the scheduler owns, anchored in the registry.
final class LuaTask {
    enum State {
        /// Runnable; its thread's stack holds `nargs` values to resume with.
        case ready(nargs: Int32)
        case running
        /// Suspended on a Swift operation (see `PendingOperation`).
        case waitingOperation(UInt64)
        /// Suspended in `handle:wait()` on another task.
        case waitingTask(LuaTask)
        /// Finished; its results are the top `results` values of its stack.
        case done(results: Int32)
        /// Raised an error, kept in the registry under `errorRef`.
        case failed
    }

    let id: Int
    let thread: OpaquePointer
    /// Registry reference that keeps the thread alive.
    var threadRef: Int32
    var state: State
    var waiters: [LuaTask] = []
    var errorRef: Int32 = LUA_NOREF
    var errorMessage = ""
    var traceback: String?
    /// Someone waited on the outcome (or it is a main chunk whose outcome
    /// the host reports): an unobserved failure is reported at the end.
    var observed = false
    var pending: PendingOperation?

    init(id: Int, thread: OpaquePointer, threadRef: Int32, nargs: Int32) {
        self.id = id
        self.thread = thread
        self.threadRef = threadRef
        self.state = .ready(nargs: nargs)
    }

    var isFinished: Bool {
        switch state {
        case .done, .failed: true
        default: false
        }
    }

    var statusName: String {
        switch state {
        case .ready: "ready"
        case .running: "running"
        case .waitingOperation, .waitingTask: "waiting"
        case .done: "done"
        case .failed: "failed"
        }
    }
}

/// A Swift operation a task is suspended on.
struct PendingOperation {
    let id: UInt64
    /// The function's name ("task.sleep"), for error messages.
    let name: String
    let resume: (LuaCall, any Sendable) throws -> Int32
    let work: Task<Void, Never>
}

/// What Lua holds for a task (`task.spawn` returns it). When Lua collects
/// it, the scheduler is told (on the Lua thread, at its next step) so the
/// finished task's thread and results can be released.
final class TaskHandle {
    let task: LuaTask
    unowned let scheduler: TaskScheduler
    init(task: LuaTask, scheduler: TaskScheduler) {
        self.task = task
        self.scheduler = scheduler
    }
    deinit { scheduler.handleReleased(task) }
}
