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
    func luaFile(_ name: String) async throws {
        let outcome = try await LuaThread.run { try Self.run(name) }
        for message in outcome.failures { Issue.record("\(name): \(message)") }
        #expect(outcome.failed == 0)
        #expect(outcome.passed > 0, "\(name) ran no test")
    }

    struct Outcome: Sendable {
        var passed = 0, failed = 0
        var failures: [String] = []
    }

    static func run(_ name: String) throws -> Outcome {
        let runtime = Runtime(scriptDirectory: LuaSuite.directory.path)
        let lua = runtime.lua
        let harness = LuaSuite.directory.appending(path: "harness.lua").path
        let file = LuaSuite.directory.appending(path: name).path
        try lua.load("""
            local harness = dofile(\(luaQuoted(harness)))
            return harness.with_scratch(function() return harness.run_file(\(luaQuoted(file))) end)
            """, name: "=lua suite")
        // Run as a task, as lunet runs every chunk, so lunet.task works.
        let count = try runtime.scheduler.run(nargs: 0, waitForAll: true)
        guard count == 3 else { return Outcome(failed: 1, failures: ["harness returned \(count) values"]) }
        var outcome = Outcome()
        if case .table(let list) = try LuaValue.read(lua.L, -1) {
            outcome.failures = list.array.map { value in
                if case .string(let s) = value { return s.description }
                return "\(value)"
            }
        }
        if case .integer(let f) = try LuaValue.read(lua.L, -2) { outcome.failed = Int(f) }
        if case .integer(let p) = try LuaValue.read(lua.L, -3) { outcome.passed = Int(p) }
        return outcome
    }

    static func luaQuoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
