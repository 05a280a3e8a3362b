import CLuaShim
import Foundation
import LunetBridge

/// The `require` search order of cli.md:
///   1. the script's own folder,
///   2. ./lua_modules (the tree `luarocks --tree lua_modules` makes),
///   3. LUA_PATH_5_4 / LUA_PATH (Lua already applied them, ";;" = defaults),
///   4. $XDG_DATA_HOME/lunet/lib,
///   5. the modules compiled into the binary (stdlib/, see Stdlib).
/// C modules: the script's folder, ./lua_modules/lib/lua/5.4, then
/// LUA_CPATH_5_4 / LUA_CPATH (or Lua's defaults, where Debian's Lua C
/// packages install themselves).
struct ModuleSearch {
    var scriptDirectory: String?
    var environment: [String: String]

    var dataHome: String { XDGPaths(environment: environment).dataHome }

    func luaPath(existing: String) -> String {
        var parts: [String] = []
        if let dir = scriptDirectory { parts += ["\(dir)/?.lua", "\(dir)/?/init.lua"] }
        parts += ["./lua_modules/share/lua/5.4/?.lua", "./lua_modules/share/lua/5.4/?/init.lua"]
        parts.append(existing)
        parts += ["\(dataHome)/lunet/lib/?.lua", "\(dataHome)/lunet/lib/?/init.lua"]
        return parts.joined(separator: ";")
    }

    func luaCPath(existing: String) -> String {
        var parts: [String] = []
        if let dir = scriptDirectory { parts.append("\(dir)/?.so") }
        parts += ["./lua_modules/lib/lua/5.4/?.so", existing, "\(dataHome)/lunet/lib/?.so"]
        return parts.joined(separator: ";")
    }

    func install(in lua: LuaState) {
        let L = lua.L
        lua.getGlobal("package")
        for (field, make) in [("path", luaPath), ("cpath", luaCPath)] {
            lua_pushstring(L, field)
            lua_rawget(L, -2)
            let existing = lua_tolstring(L, -1, nil).map { String(cString: $0) } ?? ""
            lunet_pop(L, 1)
            lua_pushstring(L, field)
            lua_pushstring(L, make(existing))
            lua_rawset(L, -3)
        }
        lunet_pop(L, 1)
    }
}
