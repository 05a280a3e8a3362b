import Foundation
import Testing

@Suite("require search order")
struct ModuleSearchTests {
    @Test func scriptFolderLuaModulesLuaPathDataHomeAndStdlib() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 1. beside the script
        try dir.write("return 'script folder'", to: "app/near.lua")
        // 2. ./lua_modules tree (luarocks --tree lua_modules layout), relative to the cwd
        try dir.write("return 'lua_modules'", to: "lua_modules/share/lua/5.4/rock.lua")
        try dir.write("return 'lua_modules init'", to: "lua_modules/share/lua/5.4/pkg/init.lua")
        // 3. LUA_PATH
        try dir.write("return 'LUA_PATH'", to: "custom/fromenv.lua")
        // 4. $XDG_DATA_HOME/lunet/lib
        try dir.write("return 'user lib'", to: "data/lunet/lib/userlib.lua")
        // shadowing: the script folder wins over lua_modules
        try dir.write("return 'shadow: script folder'", to: "app/both.lua")
        try dir.write("return 'shadow: lua_modules'", to: "lua_modules/share/lua/5.4/both.lua")
        try dir.write("""
            print((require 'near'))
            print((require 'rock'))
            print((require 'pkg'))
            print((require 'fromenv'))
            print((require 'userlib'))
            print((require 'both'))
            print(type(require 'lunet.inspect'))
            print(type(require 'lunet.json'))
            """, to: "app/main.lua")
        let r = try await LunetProcess.run(
            ["run", "app/main.lua"],
            environment: [
                "LUA_PATH": dir.appending(path: "custom").path + "/?.lua;;",
                "XDG_DATA_HOME": dir.appending(path: "data").path,
            ],
            directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == """
            script folder
            lua_modules
            lua_modules init
            LUA_PATH
            user lib
            shadow: script folder
            table
            table

            """)
    }

    @Test func missingModuleListsWhereItLooked() async throws {
        let r = try await LunetProcess.run(["run", "-e", "require 'no.such.module'"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("module 'no.such.module' not found"))
        #expect(r.stderr.contains("lua_modules/share/lua/5.4/no/such/module.lua"))
        #expect(r.stderr.contains("no module 'no.such.module' in lunet's stdlib"))
    }

    /// Debian's lua-cjson C module loads against the same liblua5.4.
    @Test func luaCModulesLoad() async throws {
        let r = try await LunetProcess.run(["run", "-e", """
            local cjson = require "cjson"
            local t = cjson.decode('{"a":[1,2,3],"b":"x"}')
            print(#t.a, t.b, cjson.encode({ 5 }), cjson.null == require("lunet.json").null)
            """])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "3\tx\t[5]\ttrue\n")
    }
}
