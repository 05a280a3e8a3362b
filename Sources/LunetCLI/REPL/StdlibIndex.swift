import LunetBridge
import LunetRuntime

/// `require "lunet._stdlib"` → the names of the modules compiled into the
/// binary. help() and `lunet setup` find every `lunet.doc.*` module through
/// it; REPL completion offers them for `require "…"`.
enum StdlibIndex {
    static func install(in runtime: Runtime) {
        runtime.lua.preload("lunet._stdlib") { call in
            let names = Stdlib.moduleNames
            try call.push(.table(LuaTable(array: names.map { .string(LuaString($0)) })))
            return 1
        }
    }
}
