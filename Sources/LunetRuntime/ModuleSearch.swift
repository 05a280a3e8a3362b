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
/// Two additions (docs/libraries.md): after ./lua_modules, the nearest
/// lua_modules folder at or above the script's folder (so a scheduled run
/// started from another working directory still finds the rocks installed
/// beside its project), and the user library folder may itself be a
/// luarocks tree (`luarocks --tree $XDG_DATA_HOME/lunet/lib install …`).
struct ModuleSearch {
    var scriptDirectory: String?
    var environment: [String: String]

    var dataHome: String { XDGPaths(environment: environment).dataHome }

    /// The luarocks trees searched after the script's folder: ./lua_modules,
    /// then the nearest one at or above the script's folder when that is
    /// another folder.
    var rockTrees: [String] {
        var trees = ["./lua_modules"]
        guard let dir = scriptDirectory else { return trees }
        let fm = FileManager.default
        let cwd = (fm.currentDirectoryPath as NSString).standardizingPath
        var folder = ((dir.hasPrefix("/") ? dir : cwd + "/" + dir) as NSString).standardizingPath
        while true {
            let candidate = folder == "/" ? "/lua_modules" : folder + "/lua_modules"
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                if folder != cwd { trees.append(candidate) }
                break
            }
            if folder == "/" || folder.isEmpty { break }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return trees
    }

    func luaPath(existing: String, rockTrees: [String]) -> String {
        var parts: [String] = []
        if let dir = scriptDirectory { parts += ["\(dir)/?.lua", "\(dir)/?/init.lua"] }
        for tree in rockTrees { parts += ["\(tree)/share/lua/5.4/?.lua", "\(tree)/share/lua/5.4/?/init.lua"] }
        parts.append(existing)
        let lib = "\(dataHome)/lunet/lib"
        parts += ["\(lib)/?.lua", "\(lib)/?/init.lua", "\(lib)/share/lua/5.4/?.lua", "\(lib)/share/lua/5.4/?/init.lua"]
        return parts.joined(separator: ";")
    }

    func luaCPath(existing: String, rockTrees: [String]) -> String {
        var parts: [String] = []
        if let dir = scriptDirectory { parts.append("\(dir)/?.so") }
        for tree in rockTrees { parts.append("\(tree)/lib/lua/5.4/?.so") }
        let lib = "\(dataHome)/lunet/lib"
        parts += [existing, "\(lib)/?.so", "\(lib)/lib/lua/5.4/?.so"]
        return parts.joined(separator: ";")
    }

    func install(in lua: LuaState) {
        let L = lua.L
        lua.getGlobal("package")
        let trees = rockTrees  // walks the folders up to /: once for both paths
        for (field, make) in [("path", luaPath), ("cpath", luaCPath)] {
            lua_pushstring(L, field)
            lua_rawget(L, -2)
            let existing = lua_tolstring(L, -1, nil).map { String(cString: $0) } ?? ""
            lunet_pop(L, 1)
            lua_pushstring(L, field)
            lua_pushstring(L, make(existing, trees))
            lua_rawset(L, -3)
        }
        lunet_pop(L, 1)
    }
}
