import CLuaShim
import Testing
@testable import LunetBridge

@Suite("Errors raised from Swift")
struct ErrorTests {
    @Test func messageCarriesCallerPositionAndFunctionName() throws {
        let lua = LuaState()
        lua.define("fail") { call in throw call.error("went wrong") }
        let r = try lua.eval("return pcall(function() fail() end)")
        #expect(r == [false, "test:1: fail(): went wrong"])
        // Called straight from pcall there is no Lua caller, so no position
        // (the same as Lua's own `pcall(string.rep)`).
        #expect(try lua.eval("return pcall(fail)") == [false, "fail(): went wrong"])
    }

    @Test func argumentErrorsReadLikeLua() throws {
        let lua = LuaState()
        lua.define("json_decode") { call in _ = try call.string(1); return 0 }
        lua.define("takes_int") { call in _ = try call.integer(2); return 0 }
        #expect(try lua.eval("return select(2, pcall(function() return json_decode() end))") == ["test:1: json_decode(): bad argument #1 (string expected, got no value)"])
        #expect(try lua.eval("return select(2, pcall(function() return json_decode(nil) end))") == ["test:1: json_decode(): bad argument #1 (string expected, got nil)"])
        #expect(try lua.eval("return select(2, pcall(function() return takes_int(1, 1.5) end))") == ["test:1: takes_int(): bad argument #2 (number has no integer representation)"])
        #expect(try lua.eval("return select(2, pcall(function() return takes_int(1, 'x') end))") == ["test:1: takes_int(): bad argument #2 (integer expected, got string)"])
    }

    @Test func unknownOptionsAreNamed() throws {
        let lua = LuaState()
        lua.define("opts") { call in
            let o = try call.options(1, allowed: ["page_size", "limit"])
            return Int32(try o.integer("page_size") ?? 0) * 0
        }
        let r = try lua.eval("return select(2, pcall(function() return opts({ page_size = 1, pagesize = 2 }) end))")
        #expect(r == ["test:1: opts(): bad argument #1 (unknown option 'pagesize'; known options: limit, page_size)"])
        let r2 = try lua.eval("return select(2, pcall(function() return opts({ page_size = 'x' }) end))")
        #expect(r2 == ["test:1: opts(): option 'page_size' must be an integer, got string"])
    }

    @Test func arbitrarySwiftErrorsBecomeMessages() throws {
        let lua = LuaState()
        lua.define("f") { _ in throw TrackedError(payload: Tracked("x")) }
        #expect(try lua.eval("return select(2, pcall(function() return f() end))") == ["test:1: f(): tracked failure x"])
    }

    @Test func structuredErrorValuesSurviveAsTables() throws {
        struct TableError: LuaRaisable {
            func raise(in call: LuaCall) -> Int32 {
                try! LuaValue.object(["status": 404, "message": "absent"]).push(call.L)
                return LUNET_RAISE
            }
        }
        let lua = LuaState()
        lua.define("f") { _ in throw TableError() }
        let r = try lua.eval("local ok, e = pcall(f); return type(e), e.status, e.message")
        #expect(r == ["table", 404, "absent"])
    }

    @Test func lunetErrorsKeepTheirTraceback() throws {
        struct APIFailure: LuaRaisable {
            func raise(in call: LuaCall) -> Int32 {
                try! LuaValue.object(["message": "down"]).push(call.L)
                lua_createtable(call.L, 0, 1)
                lua_pushstring(call.L, "__name")
                lua_pushstring(call.L, "lunet.Error")
                lua_rawset(call.L, -3)
                lua_setmetatable(call.L, -2)
                return LUNET_RAISE
            }
        }
        let lua = LuaState()
        lua.define("api_call") { _ in throw APIFailure() }
        let r = try lua.eval(
            "local function fetch() api_call() end\n"
                + "local ok, e = pcall(function() fetch() end)\n"
                + "return e.message, e.traceback")
        #expect(r.first == "down")
        guard case .string(let tb) = r.last else { Issue.record("no traceback field"); return }
        #expect(tb.description.hasPrefix("stack traceback:"))
        #expect(tb.description.contains("test:1: in upvalue 'fetch'"))
        // other tables are left alone
        let plain = try lua.eval("local ok, e = pcall(error, {}); return e.traceback")
        #expect(plain == [.nil])
    }

    @Test func uncaughtErrorsCarryMessageAndTraceback() throws {
        let lua = LuaState()
        lua.define("f") { call in throw call.error("deep") }
        do {
            try lua.run("local function g() f() end\ng()", name: "@script.lua")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "script.lua:1: f(): deep")
            #expect(error.kind == .runtime)
            let tb = try #require(error.traceback)
            #expect(tb.hasPrefix("stack traceback:"))
            #expect(tb.contains("script.lua:1: in local 'g'"))
            #expect(tb.contains("script.lua:2: in main chunk"))
        }
    }

    @Test func syntaxErrorsAreReportedAsSyntax() {
        let lua = LuaState()
        #expect(throws: LuaScriptError.self) { try lua.run("x = = 1", name: "@bad.lua") }
        do { try lua.run("x = = 1", name: "@bad.lua") } catch {
            #expect(error.kind == .syntax)
            #expect(error.message.hasPrefix("bad.lua:1:"))
        }
    }

    /// The engineering rule's proof: a million Swift throws under pcall leak
    /// nothing — Lua's heap returns to where it was and every Swift object
    /// that travelled with an error is released. (RSS over the same loop is
    /// measured in a separate process by the CLI tests.)
    @Test func millionThrowsLeakNothing() throws {
        let lua = LuaState()
        lua.define("boom") { _ in throw TrackedError(payload: Tracked("loop")) }
        let liveBefore = Tracked.live.load(ordering: .relaxed)
        try lua.run("for i = 1, 1000 do pcall(boom) end")  // warm up
        lua.collectGarbage()
        let heapBefore = lua.memoryInUse
        let r = try lua.eval("""
            local caught = 0
            for i = 1, 1000000 do
              local ok, e = pcall(boom)
              if not ok and e:find('tracked failure loop', 1, true) then caught = caught + 1 end
            end
            return caught
            """)
        #expect(r == [1_000_000])
        lua.collectGarbage()
        let heapAfter = lua.memoryInUse
        #expect(abs(heapAfter - heapBefore) < 16 * 1024, "Lua heap grew from \(heapBefore) to \(heapAfter) bytes")
        #expect(Tracked.live.load(ordering: .relaxed) - liveBefore <= 0)
    }
}
