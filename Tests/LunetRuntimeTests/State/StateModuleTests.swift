import Foundation
import LunetBridge
import LunetJSON
import LunetRuntime
import Testing

/// lunet.state inside a runtime whose environment points at a temporary
/// folder (the Lua-level behaviour is in Tests/lua/state_test.lua).
@Suite("lunet.state in a runtime")
struct StateModuleTests {
    let directory = TemporaryDirectory()
    var databasePath: String { directory.path + "/state/lunet/state.db" }

    /// Run `code` in a new runtime on a thread of its own (LuaThread: a
    /// blocking wait must not park a thread of the concurrency pool) and
    /// return where its store is.
    @discardableResult
    func run(_ code: String, environment extra: [String: String] = [:]) async throws -> StateLocation {
        let environment = directory.environment.merging(extra) { $1 }
        return try await LuaThread.run {
            let runtime = Runtime(environment: environment)
            try runtime.lua.run(code)
            return try runtime.state.location()
        }
    }

    @Test func storeLivesUnderTheRuntimesXDGStateHome() async throws {
        let location = try await run(#"require("lunet.state").set("greeting", { text = "hi", n = 2 })"#)
        #expect(location == .sqlite(path: databasePath))
        #expect(FileManager.default.fileExists(atPath: databasePath))
        let stored = try await SQLiteStateStore(path: databasePath).get("greeting")
        // stored as JSON text (key order is the table's, as json.encode writes it)
        #expect(try JSONValue.parse(try #require(stored).json) == ["n": 2, "text": "hi"])
    }

    @Test func aScriptThatNeverUsesStateCreatesNothing() async throws {
        try await run(#"local state = require("lunet.state"); local x = state.location()"#)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/state"))
    }

    @Test func lunetStateEnvironmentVariableChoosesTheFile() async throws {
        let path = directory.file("elsewhere/jobs.db")
        try await run(#"require("lunet.state").set("k", 1)"#, environment: ["LUNET_STATE": "sqlite:" + path])
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: databasePath))
    }

    @Test func configFileStateIsUsedWhenNoVariableIsSet() async throws {
        let path = directory.file("from-config.db")
        try directory.write("return { state = \"\(path)\" }", to: "config/lunet/config.lua")
        try await run(#"require("lunet.state").set("k", 1)"#)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func anUnreachablePostgresStoreIsAnErrorRaisedInLua() async throws {
        await #expect {
            try await run(#"require("lunet.state").get("k")"#, environment: ["LUNET_STATE": "postgres://u:pw-secret@127.0.0.1:1/x"])
        } throws: { error in
            let message = (error as? LuaScriptError)?.message ?? ""
            return message.contains(
                "lunet.state.get(): state store postgres://u:••••@127.0.0.1:1/x: cannot connect to 127.0.0.1:1: connection refused")
                && !message.contains("pw-secret")
        }
    }

    /// The same script against each store through LUNET_STATE: values
    /// round-trip, keys list, deletes report, and Swift sees what Lua wrote.
    @Test(arguments: StoreKind.allCases) func luaRoundTripThroughLunetState(_ kind: StoreKind) async throws {
        let store = try await FreshStore.make(kind)
        let location = try await run(#"""
            local state = require "lunet.state"
            state.set("feed/a", { token = "t-1", pages = { 1, 2 } })
            state.set("feed/b", 42)
            assert(state.get("feed/a").pages[2] == 2)
            assert(math.type(state.get("feed/b")) == "integer")
            assert(#state.keys("feed/") == 2)
            assert(state.delete("feed/b") == true and state.delete("feed/b") == false)
            state.set("feed/c", nil)
            """#, environment: ["LUNET_STATE": store.location])
        #expect(location.description == (kind == .sqlite ? store.location : try store.open().location))
        let reader = try store.open()
        #expect(try await reader.keys(prefix: "") == ["feed/a"])
        #expect(try await reader.value("feed/a") == ["pages": [1, 2], "token": "t-1"])
    }

    @Test(arguments: StoreKind.allCases) func valuesWrittenInSwiftReadBackInLua(_ kind: StoreKind) async throws {
        let fresh = try await FreshStore.make(kind)
        try await fresh.open().set("cp", value: ["token": "t-9", "pages": [1, 2]])
        try await run(#"""
            local v = require("lunet.state").get("cp")
            assert(v.token == "t-9" and v.pages[2] == 2, "round trip")
            """#, environment: ["LUNET_STATE": fresh.location])
    }

    /// Under the scheduler each call yields its task while SQLite works, so
    /// tasks writing at the same time interleave and all their writes land.
    @Test(arguments: StoreKind.allCases) func tasksWritingAtOnceUnderTheScheduler(_ kind: StoreKind) async throws {
        let fresh = try await FreshStore.make(kind)
        let environment = directory.environment.merging(["LUNET_STATE": fresh.location]) { $1 }
        let count = try await LuaThread.run {
            let runtime = Runtime(environment: environment)
            try runtime.lua.load(#"""
                local task, state = require "lunet.task", require "lunet.state"
                local function writer(name)
                  for i = 1, 40 do state.set(name .. "/" .. i, { i = i }) end
                end
                local a, b = task.spawn(writer, "a"), task.spawn(writer, "b")
                a:wait(); b:wait()
                return #state.keys("a/") + #state.keys("b/")
                """#, name: "=tasks")
            _ = try runtime.scheduler.run(nargs: 0, waitForAll: true)
            return try LuaValue.read(runtime.lua.L, -1)
        }
        #expect(count == 80)
    }
}
