import CLuaShim
import Dispatch
import LunetBridge

/// Runs Lua code as tasks — coroutines on the one Lua state — so scripts read
/// top to bottom while API calls made in separate tasks overlap.
///
/// Every chunk the host runs (a script's main chunk, a REPL line) is a task.
/// A binding that waits on I/O calls `LuaCall.await`; when the running
/// thread may yield, that lands in `suspend` below: the Swift operation
/// starts on Swift's concurrency pool, the trampoline yields (from C, tagged
/// with the host's yield tag) and the scheduler runs other tasks. When the
/// operation completes it is posted to the inbox from whatever thread it
/// finished on; only this class, on the Lua thread, touches the Lua state:
/// it pushes the results on the task's stack and resumes it.
///
/// A script's own coroutines stay usable: `coroutine.resume`/`wrap` are
/// wrapped (stdlib/lunet/_coroutine.lua) so a host yield inside one travels
/// up to the task and the answer travels back down. Where no yield is
/// possible (a metamethod called from C, a `table.sort` comparator, a module
/// being loaded by `require`) `canSuspend` says no and the call blocks.
public final class TaskScheduler: HostScheduler {
    unowned let lua: LuaState
    var L: OpaquePointer { lua.L }
    private var byThread: [OpaquePointer: LuaTask] = [:]
    private var byID: [Int: LuaTask] = [:]
    private var ready: [LuaTask] = []
    private var readyHead = 0
    private var waitingOnOperations = 0
    private(set) var current: LuaTask?
    private let inbox = Inbox()
    private var nextTaskID = 1
    private var nextOperationID: UInt64 = 1
    /// Tasks whose handle Lua collected; released at the next step.
    private var released: [LuaTask] = []
    /// Finished tasks that failed with nobody waiting for them.
    private var unobservedFailures: [LuaTask] = []
    /// Registry reference of a weak-keyed table: coroutine → whether a host
    /// yield inside it can travel up to its task (see `prepareCoroutine`).
    private let capableRef: Int32

    public init(lua: LuaState) {
        self.lua = lua
        let L = lua.L
        lua_createtable(L, 0, 0)
        lua_createtable(L, 0, 1)
        lua_pushstring(L, "__mode")
        lua_pushstring(L, "k")
        lua_rawset(L, -3)
        lua_setmetatable(L, -2)
        capableRef = luaL_ref(L, lunet_registryindex())
        lua.scheduler = self
    }

    // MARK: Running chunks

    /// A task failure: what the host prints.
    public struct Failure: Error {
        public var error: LuaScriptError
        public var taskID: Int
    }

    /// Run the function on top of the stack (below its `nargs` arguments)
    /// as a task and drive the scheduler until it finishes — and, with
    /// `waitForAll`, until every task it spawned has finished too. On
    /// success its results are left on the stack and their count returned.
    public func run(nargs: Int32, waitForAll: Bool) throws(LuaScriptError) -> Int32 {
        let main = makeTask(movingFunctionWith: nargs, from: L)
        main.observed = true
        defer { release(main) }
        drive { main.isFinished && (!waitForAll || self.isIdle) }
        if case .done(let n) = main.state {
            copyResults(of: main, to: L, count: n)
            return n
        }
        throw scriptError(for: main)
    }

    /// Failed tasks nobody waited for, since the last call; the host reports
    /// them (a run that had one exits with status 1).
    public func takeUnobservedFailures() -> [Failure] {
        defer { unobservedFailures.removeAll() }
        return unobservedFailures.filter { !$0.observed }.map { Failure(error: scriptError(for: $0), taskID: $0.id) }
    }

    private var isIdle: Bool { readyHead == ready.count && waitingOnOperations == 0 && byThread.isEmpty }

    /// The loop: run what is ready; otherwise wait for completions, watching
    /// for interrupts.
    private func drive(until finished: () -> Bool) {
        let interrupt = lua.interruptHandle
        while !finished() {
            releaseCollected()
            if readyHead < ready.count {
                let task = ready[readyHead]
                readyHead += 1
                if readyHead > 64 && readyHead * 2 > ready.count {
                    ready.removeFirst(readyHead)
                    readyHead = 0
                }
                step(task)
                continue
            }
            if interrupt.isPending {
                abortWaiting(message: interrupt.message)
                continue
            }
            if waitingOnOperations == 0 {
                // Nothing can make progress: tasks wait only on each other.
                failDeadlocked()
                continue
            }
            for completion in inbox.take(waiting: .milliseconds(50)) { deliver(completion) }
        }
        releaseCollected()
    }

    private func makeTask(movingFunctionWith nargs: Int32, from source: OpaquePointer, queued: Bool = true) -> LuaTask {
        let thread = lua_newthread(source)!
        let ref = luaL_ref(source, lunet_registryindex())
        lua_xmove(source, thread, nargs + 1)
        let task = LuaTask(id: nextTaskID, thread: thread, threadRef: ref, nargs: nargs)
        nextTaskID += 1
        byThread[thread] = task
        byID[task.id] = task
        if queued { ready.append(task) }
        return task
    }

    /// Resume a ready task until it waits, finishes or fails. Re-entrant:
    /// `spawn` steps the new task from inside the spawner's call.
    private func step(_ task: LuaTask) {
        guard case .ready(let nargs) = task.state else { return }
        let outer = current
        let outerThread = lunet_gethost(L).pointee.running
        defer {
            current = outer
            lunet_gethost(L).pointee.running = outerThread
        }
        task.state = .running
        current = task
        lunet_setrunning(L, task.thread)
        // An interrupt that arrived while no Lua ran hooked only the main
        // thread: hook this one too, so it cannot swallow the error.
        let reason = lunet_gethost(L).pointee.interrupt
        if reason != LUNET_INTERRUPT_NONE { lunet_interrupt(L, reason) }
        var nresults: Int32 = 0
        let status = lua_resume(task.thread, L, nargs, &nresults)
        switch status {
        case LUA_YIELD:
            lunet_pop(task.thread, nresults)
            // Suspended by `suspend`/`wait` during this resume; a plain
            // `coroutine.yield()` at task level just lets others run.
            if case .running = task.state {
                task.state = .ready(nargs: 0)
                ready.append(task)
            }
        case LUA_OK:
            finish(task, results: nresults)
        default:
            fail(task)
        }
    }

    private func finish(_ task: LuaTask, results: Int32) {
        task.state = .done(results: results)
        byThread[task.thread] = nil
        byID[task.id] = nil
        for waiter in task.waiters {
            let co = waiter.thread
            _ = lua_checkstack(co, results + 2)
            lua_pushboolean(co, 1)
            copyResults(of: task, to: co, count: results)
            waiter.state = .ready(nargs: results + 1)
            ready.append(waiter)
        }
        task.waiters.removeAll()
    }

    private func fail(_ task: LuaTask) {
        let co = task.thread
        var length = 0
        if let p = lunet_safetostring(co, -1, &length) {
            task.errorMessage = String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
        }
        lunet_pop(co, 1)
        lunet_traceback(L, co, nil, 0)
        task.traceback = lua_tolstring(L, -1, nil).map { String(cString: $0) }
        lunet_pop(L, 1)
        lua_xmove(co, L, 1)
        task.errorRef = luaL_ref(L, lunet_registryindex())
        task.state = .failed
        byThread[co] = nil
        byID[task.id] = nil
        if task.pending != nil { task.pending = nil }
        for waiter in task.waiters {
            task.observed = true
            _ = lua_checkstack(waiter.thread, 3)
            lua_pushboolean(waiter.thread, 0)
            pushError(of: task, to: waiter.thread)
            waiter.state = .ready(nargs: 2)
            ready.append(waiter)
        }
        task.waiters.removeAll()
        if !task.observed { unobservedFailures.append(task) }
    }

    private func scriptError(for task: LuaTask) -> LuaScriptError {
        let reason = lunet_gethost(L).pointee.interrupt
        return LuaScriptError(
            message: task.errorMessage, traceback: task.traceback,
            kind: .init(status: LUA_ERRRUN, interrupt: reason))
    }

    private func copyResults(of task: LuaTask, to target: OpaquePointer, count: Int32) {
        guard count > 0 else { return }
        let co = task.thread
        _ = lua_checkstack(co, count)
        _ = lua_checkstack(target, count)
        let base = lua_gettop(co) - count
        for i in 1...count { lua_pushvalue(co, base + i) }
        lua_xmove(co, target, count)
    }

    /// Push a failed task's error for a waiter: the value itself, and for a
    /// string the task's traceback appended, so the waiter sees where the
    /// task failed as well as where it waited.
    private func pushError(of task: LuaTask, to target: OpaquePointer) {
        lua_rawgeti(L, lunet_registryindex(), lua_Integer(task.errorRef))
        if lua_type(L, -1) == LUA_TSTRING, let tb = task.traceback {
            lunet_pop(L, 1)
            lua_pushstring(L, task.errorMessage + "\n(task \(task.id)) " + tb)
        }
        lua_xmove(L, target, 1)
    }

    // MARK: Suspending (HostScheduler)

    public func canSuspend(_ L: OpaquePointer) -> Bool {
        guard current != nil, lua_isyieldable(L) != 0 else { return false }
        if byThread[L] != nil { return true }
        return isCapable(L)
    }

    public func suspend(
        _ L: OpaquePointer, name: String,
        operation: @escaping @Sendable () async throws -> any Sendable,
        resume: @escaping (LuaCall, any Sendable) throws -> Int32
    ) -> Int32 {
        let task = current!
        let id = nextOperationID
        nextOperationID += 1
        let taskID = task.id
        let inbox = self.inbox
        let work = Task.detached {
            let result: Result<any Sendable, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            inbox.post(.init(taskID: taskID, operationID: id, result: result))
        }
        task.pending = PendingOperation(id: id, name: name, resume: resume, work: work)
        task.state = .waitingOperation(id)
        waitingOnOperations += 1
        lunet_pushyieldtag(L)
        return 1
    }

    /// Resume the task an operation belonged to with its outcome.
    private func deliver(_ completion: Inbox.Completion) {
        guard let task = byID[completion.taskID], case .waitingOperation(let id) = task.state,
            id == completion.operationID, let pending = task.pending
        else { return }  // cancelled by an interrupt meanwhile
        task.pending = nil
        waitingOnOperations -= 1
        let co = task.thread
        let base = lua_gettop(co)
        let call = LuaCall(L: co, name: pending.name)
        do {
            _ = lua_checkstack(co, 8)
            lua_pushboolean(co, 1)
            let n = try pending.resume(call, try completion.result.get())
            task.state = .ready(nargs: n + 1)
        } catch {
            lua_settop(co, base)
            resumeWithError(task, error, name: pending.name)
        }
        ready.append(task)
    }

    private func resumeWithError(_ task: LuaTask, _ error: any Error, name: String) {
        let co = task.thread
        lua_pushboolean(co, 0)
        let call = LuaCall(L: co, name: name)
        let raised: Int32
        if let error = error as? LuaRaisable {
            raised = error.raise(in: call)
        } else if error is CancellationError {
            raised = LuaError.message(lua.interruptHandle.message).raise(in: call)
        } else {
            raised = LuaError.message("\(call.displayName): \(error)").raise(in: call)
        }
        lua_pushboolean(co, raised == LUNET_RAISE_WHERE ? 1 : 0)
        task.state = .ready(nargs: 3)
    }

    /// Ctrl-C or --timeout while tasks wait: cancel their operations and
    /// resume them with the interrupt as an error (the interrupt hook then
    /// keeps it from being swallowed).
    private func abortWaiting(message: String) {
        for task in byThread.values {
            switch task.state {
            case .waitingOperation:
                task.pending?.work.cancel()
                task.pending = nil
                waitingOnOperations -= 1
                resumeWithError(task, LuaError.message(message), name: "interrupt")
                ready.append(task)
            case .waitingTask:
                resumeWithError(task, LuaError.message(message), name: "interrupt")
                ready.append(task)
            default: break
            }
        }
        for task in byThread.values { task.waiters.removeAll() }
    }

    private func failDeadlocked() {
        for task in byThread.values {
            if case .waitingTask(let other) = task.state {
                other.waiters.removeAll { $0 === task }
                resumeWithError(task, LuaError.message("deadlock: task \(task.id) waits for task \(other.id), which can never finish"), name: "wait")
                ready.append(task)
            }
        }
    }

    // MARK: Tasks from Lua (lunet.task)

    /// task.spawn(fn, ...): the new task runs at once, until it first waits
    /// (or ends); then the spawner continues. So a spawned request is on the
    /// wire before spawn returns.
    func spawn(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        guard lua_type(L, 1) == LUA_TFUNCTION else { throw call.typeError(1, expected: "function") }
        let nargs = lua_gettop(L) - 1
        _ = lua_checkstack(L, nargs + 4)
        for i in 1...(nargs + 1) { lua_pushvalue(L, i) }
        let task = makeTask(movingFunctionWith: nargs, from: L, queued: false)
        call.push(TaskHandle(task: task, scheduler: self), as: TaskModule.handleClass)
        step(task)
        return 1
    }

    /// handle:wait(): the task's results, or its error raised here.
    func wait(for task: LuaTask, _ call: LuaCall) throws -> Int32 {
        let L = call.L
        switch task.state {
        case .done(let n):
            copyResults(of: task, to: L, count: n)
            return n
        case .failed:
            task.observed = true
            pushError(of: task, to: L)
            return LUNET_RAISE
        default:
            break
        }
        guard let me = current, canSuspend(L) else {
            throw call.error("cannot wait here: a task can be waited for from a script, a task or a function they call, but not from inside a metamethod or callback called by C (such as a table.sort comparator) or while a module is being loaded")
        }
        if me === task { throw call.error("a task cannot wait for itself") }
        task.observed = true
        task.waiters.append(me)
        me.state = .waitingTask(task)
        lunet_pushyieldtag(L)
        return LUNET_YIELD_BASE - 1
    }

    func handleReleased(_ task: LuaTask) { released.append(task) }

    private func releaseCollected() {
        guard !released.isEmpty else { return }
        let batch = released
        released.removeAll()
        for task in batch where task.isFinished { release(task) }
    }

    private func release(_ task: LuaTask) {
        guard task.threadRef != LUA_NOREF else { return }
        luaL_unref(L, lunet_registryindex(), task.threadRef)
        task.threadRef = LUA_NOREF
        if task.errorRef != LUA_NOREF {
            luaL_unref(L, lunet_registryindex(), task.errorRef)
            task.errorRef = LUA_NOREF
        }
    }

    // MARK: The script's own coroutines

    /// Called by the wrapped coroutine.resume/wrap before resuming `co` from
    /// thread `L`: a host yield inside `co` can reach the task only if the
    /// resumer can itself yield and pass it on.
    func prepareCoroutine(_ co: OpaquePointer, resumer L: OpaquePointer) {
        let capable = lua_isyieldable(L) != 0 && (byThread[L] != nil || isCapable(L))
        lua_rawgeti(L, lunet_registryindex(), lua_Integer(capableRef))
        lua_pushthread(co)
        lua_xmove(co, L, 1)
        lua_pushboolean(L, capable ? 1 : 0)
        lua_rawset(L, -3)
        lunet_pop(L, 1)
    }

    private func isCapable(_ thread: OpaquePointer) -> Bool {
        lua_rawgeti(L, lunet_registryindex(), lua_Integer(capableRef))
        lua_pushthread(thread)
        lua_xmove(thread, L, 1)
        let capable = lua_rawget(L, -2) == LUA_TBOOLEAN && lua_toboolean(L, -1) != 0
        lunet_pop(L, 2)
        return capable
    }
}
