import CLuaShim
import Dispatch
import LunetBridge

/// `lunet.task`: the Swift core (spawn, sleep, yield, clock, handles) plus
/// stdlib/lunet/task.lua, which adds `task.map` on top of it.
enum TaskModule {
    static let handleClass = LuaClass<TaskHandle>("lunet.Task", display: "task") { c in
        c.method("wait") { handle, call in
            try handle.scheduler.wait(for: handle.task, call)
        }
        c.property("id") { .integer(Int64($0.task.id)) }
        c.property("status") { .string(LuaString($0.task.statusName)) }
        c.tostring { "<task \($0.task.id) \($0.task.statusName)>" }
    }

    static func open(_ call: LuaCall) throws -> Int32 {
        guard let scheduler = call.state.scheduler as? TaskScheduler else {
            throw call.error("lunet.task needs the task scheduler (use a lunet Runtime)")
        }
        let L = call.L
        lua_createtable(L, 0, 4)
        func field(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
            lua_pushstring(L, name)
            call.pushFunction("task.\(name)", body)
            lua_rawset(L, -3)
        }
        field("spawn") { try scheduler.spawn($0) }
        field("sleep", sleep)
        field("yield") { call in
            try call.await({ 0 }, deliver: { _, _ in 0 })
        }
        // Seconds on a monotonic clock (os.time counts whole seconds, os.clock CPU time).
        field("clock") { call in
            call.pushNumber(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
            return 1
        }
        // stdlib/lunet/task.lua receives the core table and completes it.
        return try Stdlib.run("lunet.task", in: call, arguments: 1)
    }

    static func sleep(_ call: LuaCall) throws -> Int32 {
        let seconds = try call.number(1)
        guard seconds >= 0, seconds.isFinite else {
            throw call.argumentError(1, "seconds must be a non-negative number")
        }
        return try call.await({
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return 0
        }, deliver: { _, _ in 0 })
    }

    /// The wrapped coroutine.resume/wrap (stdlib/lunet/_coroutine.lua) get
    /// two host functions: a test for the host's yield tag, and the
    /// capability bookkeeping of `TaskScheduler.prepareCoroutine`.
    static func installCoroutineWrappers(_ lua: LuaState, _ scheduler: TaskScheduler) throws(LuaScriptError) {
        let L = lua.L
        guard let source = Stdlib.source(of: "lunet._coroutine") else { return }
        try lua.load(source, name: "@stdlib/lunet/_coroutine.lua")
        lua.pushFunction("coroutine (host yield test)") { call in
            call.pushBoolean(lunet_isyieldtag(call.L, 1) != 0)
            return 1
        }
        lua.pushFunction("coroutine.resume") { [unowned scheduler] call in
            guard let co = lua_tothread(call.L, 1) else { throw call.typeError(1, expected: "coroutine") }
            scheduler.prepareCoroutine(co, resumer: call.L)
            return 0
        }
        try lua.call(nargs: 2, nresults: 0)
        _ = L
    }
}
