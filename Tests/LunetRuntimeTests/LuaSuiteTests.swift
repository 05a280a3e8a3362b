import Foundation
import LunetBridge
import LunetRuntime
import Testing

/// Runs every Tests/lua/*_test.lua file (busted-style, see harness.lua)
/// inside a Lunet runtime, so the Lua-level tests of the host modules run
/// with the real bridge and report through `swift test`.
enum LuaSuite {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let directory = root.appending(path: "Tests/lua")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix("_test.lua") }.sorted()
    }
}

@Suite("Lua test files")
struct LuaSuiteTests {
    @Test func thereAreLuaTests() {
        #expect(!LuaSuite.files.isEmpty, "no Tests/lua/*_test.lua found under \(LuaSuite.directory.path)")
    }

    @Test(arguments: LuaSuite.files)
    func luaFile(_ name: String) throws {
        let runtime = Runtime(scriptDirectory: LuaSuite.directory.path)
        let lua = runtime.lua
        let harness = LuaSuite.directory.appending(path: "harness.lua").path
        let file = LuaSuite.directory.appending(path: name).path
        try lua.load("""
            local harness = dofile(\(luaQuoted(harness)))
            return harness.run_file(\(luaQuoted(file)))
            """, name: "=lua suite")
        try lua.call(nresults: 3)
        let failures = try LuaValue.read(lua.L, -1)
        let failed = try LuaValue.read(lua.L, -2)
        let passed = try LuaValue.read(lua.L, -3)
        if case .table(let list) = failures {
            for message in list.array { Issue.record("\(name): \(message)") }
        }
        #expect(failed == .integer(0))
        guard case .integer(let p) = passed else { Issue.record("no count from \(name)"); return }
        #expect(p > 0, "\(name) ran no test")
    }

    func luaQuoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
