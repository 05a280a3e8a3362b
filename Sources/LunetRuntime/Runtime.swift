import CLuaShim
import Foundation
import LunetBridge

/// A Lua state set up the way every Lunet entry point (run, repl, test)
/// needs it: standard libraries, the module search order of cli.md, the
/// embedded stdlib, and the host modules under `lunet.*`.
public final class Runtime {
    public let lua: LuaState
    public let scheduler: TaskScheduler
    public let environment: [String: String]
    /// With `--sandbox`: the in-process sandbox's base URL. Every connection
    /// then points at it (each API under its own prefix, with the
    /// sandbox's credentials) instead of the configured servers.
    public var sandboxURL: String? {
        get { bindings.sandboxURL }
        set { bindings.sandboxURL = newValue }
    }

    /// - scriptDirectory: the running script's folder, searched first by
    ///   `require` (nil for -e, stdin and the REPL: then only the rest).
    public init(scriptDirectory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.lua = LuaState()
        self.scheduler = TaskScheduler(lua: lua)
        self.environment = environment
        let search = ModuleSearch(scriptDirectory: scriptDirectory, environment: environment)
        search.install(in: lua)
        Stdlib.installSearcher(in: lua)
        HostModules.register(in: lua, environment: environment)
        do {
            try TaskModule.installCoroutineWrappers(lua, scheduler)
        } catch {
            fatalError("lunet: the embedded stdlib/lunet/_coroutine.lua failed: \(error.message)")
        }
    }

    /// Set the global `arg` as `lua` does: arg[0] the script, arg[1...] its
    /// arguments, arg[-1] the interpreter.
    public func setArguments(script: String, _ arguments: [String]) {
        var fields: [LuaValue: LuaValue] = [.integer(-1): .string(LuaString("lunet")), .integer(0): .string(LuaString(script))]
        for (i, a) in arguments.enumerated() { fields[.integer(Int64(i + 1))] = .string(LuaString(a)) }
        try! LuaValue.table(LuaTable(fields: fields)).push(lua.L)
        lua.setGlobal("arg")
    }

    /// Load and run a main chunk with `arguments` as its `...`, as a task,
    /// until it and every task it spawned have finished. Returns the failures
    /// of spawned tasks nobody waited for (the run then counts as failed).
    public func runMain(
        _ source: [UInt8], chunkName: String, arguments: [String]
    ) throws(LuaScriptError) -> [TaskScheduler.Failure] {
        let base = lua.top
        defer { lua.top = base }
        try lua.load(source, name: chunkName)
        for a in arguments { LuaCall(L: lua.L, name: "main").pushString(a) }
        _ = try scheduler.run(nargs: Int32(arguments.count), waitForAll: true)
        return scheduler.takeUnobservedFailures()
    }
}

/// The host modules, each registered the same way: `package.preload`
/// entries opened on first `require`.
public enum HostModules {
    public static func register(in lua: LuaState, environment: [String: String]) {
        lua.preload("lunet.json", open: JSONModule.open)
        lua.preload("lunet.task", open: TaskModule.open)
        lua.preload("lunet.http", open: HTTPModule.open)
        lua.preload("lunet", open: LunetModule.open)
        RuntimeServices.attach(to: lua, environment: environment)
        lua.preload("lunet.state", open: StateModule.open)
        lua.preload("lunet.log", open: LogModule.open)
    }
}
