import CLuaShim
import LunetBridge

/// The Lua modules of stdlib/, compiled into the binary by the EmbedStdlib
/// build plugin, found by a searcher placed last in `package.searchers`.
public enum Stdlib {
    public static var moduleNames: [String] { EmbeddedStdlib.modules.keys.sorted() }

    public static func source(of module: String) -> String? { EmbeddedStdlib.modules[module]?.source }

    static func installSearcher(in lua: LuaState) {
        let L = lua.L
        lua.getGlobal("package")
        lua_pushstring(L, "searchers")
        lua_rawget(L, -2)
        let n = lua_rawlen(L, -1)
        lua.pushFunction("stdlib searcher", search)
        lua_rawseti(L, -2, lua_Integer(n + 1))
        lunet_pop(L, 2)
    }

    /// Run stdlib chunk `module` (protected) with the top `arguments` values
    /// of the call's stack as its `...`, leaving its one result. Used by host
    /// modules that are part Swift, part Lua (lunet.task).
    public static func run(_ module: String, in call: LuaCall, arguments: Int32) throws -> Int32 {
        guard let entry = EmbeddedStdlib.modules[module] else {
            throw call.error("stdlib module '\(module)' is missing from this build")
        }
        let L = call.L
        let status = Array(entry.source.utf8).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) {
                lunet_loadbuffer(L, $0.baseAddress, $0.count, "@" + entry.path, "t")
            }
        }
        if status == LUA_OK {
            lua_rotate(L, -(arguments + 1), 1)
            if lunet_pcall(L, arguments, 1) == LUA_OK { return 1 }
        }
        var length = 0
        let message = String(cString: lunet_safetostring(L, -1, &length))
        throw LuaError.verbatim("error loading stdlib module '\(module)': \(message)")
    }

    /// searcher(name) → loader, path | message
    private static func search(_ call: LuaCall) throws -> Int32 {
        let name = try call.string(1)
        guard let module = EmbeddedStdlib.modules[name] else {
            call.pushString("no module '\(name)' in lunet's stdlib")
            return 1
        }
        let status = Array(module.source.utf8).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) {
                lunet_loadbuffer(call.L, $0.baseAddress, $0.count, "@" + module.path, "t")
            }
        }
        guard status == LUA_OK else {
            // The compile error is on the stack; raise it with the module named.
            var length = 0
            let message = String(cString: lunet_safetostring(call.L, -1, &length))
            throw LuaError.verbatim("error loading stdlib module '\(name)': \(message)")
        }
        call.pushString(module.path)
        return 2
    }
}
