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

    /// Run `code` in a new runtime, off the concurrency pool (see onThread).
    func run(_ code: String, environment extra: [String: String] = [:]) async throws -> Runtime {
        let environment = directory.environment.merging(extra) { $1 }
        return try await onThread {
            let runtime = Runtime(environment: environment)
            try runtime.lua.run(code)
            return runtime
        }
    }

    @Test func storeLivesUnderTheRuntimesXDGStateHome() async throws {
        let runtime = try await run(#"require("lunet.state").set("greeting", { text = "hi", n = 2 })"#)
        #expect(FileManager.default.fileExists(atPath: databasePath))
        let stored = try await runtime.state.store().get("greeting")
        #expect(stored?.json == #"{"n":2,"text":"hi"}"#)
        #expect(try runtime.state.location() == .sqlite(path: databasePath))
    }

    @Test func aScriptThatNeverUsesStateCreatesNothing() async throws {
        _ = try await run(#"local state = require("lunet.state"); local x = state.location()"#)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/state"))
    }

    @Test func lunetStateEnvironmentVariableChoosesTheFile() async throws {
        let path = directory.file("elsewhere/jobs.db")
        _ = try await run(#"require("lunet.state").set("k", 1)"#, environment: ["LUNET_STATE": "sqlite:" + path])
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: databasePath))
    }

    @Test func configFileStateIsUsedWhenNoVariableIsSet() async throws {
        let path = directory.file("from-config.db")
        try directory.write("return { state = \"\(path)\" }", to: "config/lunet/config.lua")
        _ = try await run(#"require("lunet.state").set("k", 1)"#)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func postgresLocationIsAConfigErrorRaisedInLua() async throws {
        await #expect {
            _ = try await run(#"require("lunet.state").get("k")"#, environment: ["LUNET_STATE": "postgres://u:pw@db/x"])
        } throws: { error in
            let message = (error as? LuaScriptError)?.message ?? ""
            return message.contains("lunet.state.get(): state location postgres://u:••••@db/x: PostgreSQL state stores are not yet supported")
        }
    }

    @Test func valuesWrittenInSwiftReadBackInLua() async throws {
        let store = try SQLiteStateStore(path: databasePath)
        try await store.set("cp", value: ["token": "t-9", "pages": [1, 2]])
        _ = try await run(#"""
            local v = require("lunet.state").get("cp")
            assert(v.token == "t-9" and v.pages[2] == 2, "round trip")
            """#)
    }
}
