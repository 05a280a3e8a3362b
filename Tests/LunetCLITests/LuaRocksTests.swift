import Foundation
import Testing

/// Real rocks, built by luarocks from the local rockspecs in
/// Tests/fixtures/rocks (no network): fixtext (pure Lua, a module folder
/// with init.lua), fixsum (C, built against liblua5.4-dev) and fixreport
/// (pure Lua, requires both). scripts/ensure-deps installs luarocks.
@Suite("LuaRocks trees and libraries", .serialized)
struct LuaRocksTests {
    static let fixtures = LunetProcess.root.appending(path: "Tests/fixtures/rocks")

    /// `luarocks --lua-version 5.4 --tree TREE make` for each rock, in order,
    /// from copies (make builds in the source folder).
    static func install(_ rocks: [String], into tree: URL, scratch: URL) async throws {
        for rock in rocks {
            let source = scratch.appending(path: "src-\(rock)-\(UUID().uuidString)")
            try FileManager.default.copyItem(at: fixtures.appending(path: rock), to: source)
            let r = try await Command.run(
                "luarocks", ["--lua-version", "5.4", "--tree", tree.path, "make", "\(rock)-1.0-1.rockspec"],
                directory: source)
            try #require(r.status == 0, "luarocks make \(rock) failed (run scripts/ensure-deps):\n\(r.stdout)\(r.stderr)")
        }
    }

    static let job = """
        local report = require "fixreport"
        local fixsum = require "fixsum"
        print(report.line("total sum", 1, 2, 3.5))
        print(fixsum.lua_version, fixsum.compiled:match("^Lua 5%.4") ~= nil)
        print(package.searchpath("fixtext", package.path):match("lua_modules/share/lua/5%.4/fixtext/init%.lua$") ~= nil)
        """

    @Test func pureLuaAndCRocksInALuaModulesTree() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = dir.appending(path: "project")
        try await Self.install(["fixtext", "fixsum", "fixreport"], into: project.appending(path: "lua_modules"), scratch: dir)
        #expect(FileManager.default.fileExists(atPath: project.appending(path: "lua_modules/lib/lua/5.4/fixsum.so").path))
        try project.write(Self.job, to: "jobs/job.lua")
        let expected = "Total Sum   |6.5\n504.0\ttrue\ntrue\n"

        // From the project folder: ./lua_modules.
        let here = try await LunetProcess.run(["run", "jobs/job.lua"], directory: project)
        #expect(here.status == 0, "\(here.stderr)")
        #expect(here.stdout == expected)

        // From elsewhere (cron): the nearest lua_modules above the script.
        let elsewhere = try await LunetProcess.run(["run", project.appending(path: "jobs/job.lua").path], directory: dir)
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        #expect(elsewhere.stdout == expected)

        // lunet test finds the same tree for a spec under the project.
        try project.write("""
            describe("rocks", function()
              it("loads the pure-Lua and the C rock", function()
                assert.equals("Total Sum   |6.5", require("fixreport").line("total sum", 1, 2, 3.5))
              end)
            end)
            """, to: "spec/rocks_spec.lua")
        let test = try await LunetProcess.run(["test", "spec"], directory: project)
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
        #expect(test.stdout == "1 passed, 0 failed\n")
    }

    /// The user library folder ($XDG_DATA_HOME/lunet/lib) as a luarocks tree,
    /// and a library checked out beside a script that requires a rock.
    @Test func userLibraryTreeAndLibraryBesideAScript() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appending(path: "data")
        try await Self.install(["fixtext", "fixsum"], into: data.appending(path: "lunet/lib"), scratch: dir)
        // A library checked out next to the script (its module folder), which requires the rocks.
        try dir.write("""
            local text = require "fixtext"
            local fixsum = require "fixsum"
            return { banner = function(s, ...) return text.title(s) .. " = " .. fixsum.sum(...) end }
            """, to: "app/banner/init.lua")
        try dir.write("print(require('banner').banner('grand total', 40, 2))", to: "app/main.lua")
        let r = try await LunetProcess.run(
            ["run", "app/main.lua"], environment: ["XDG_DATA_HOME": data.path], directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "Grand Total = 42.0\n")

        // Without the user library the rocks are not found, and the error lists where lunet looked.
        let missing = try await LunetProcess.run(
            ["run", "app/main.lua"], environment: ["XDG_DATA_HOME": dir.appending(path: "none").path], directory: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("module 'fixtext' not found"))
        #expect(missing.stderr.contains("/none/lunet/lib/share/lua/5.4/fixtext/init.lua"), "\(missing.stderr)")
    }
}

/// Runs a program (found on PATH) on a thread of its own.
enum Command {
    static func run(_ program: String, _ arguments: [String], directory: URL) async throws -> LunetProcess.Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = [program] + arguments
                    process.currentDirectoryURL = directory
                    let output = Pipe(), errors = Pipe()
                    process.standardOutput = output
                    process.standardError = errors
                    process.standardInput = FileHandle.nullDevice
                    try process.run()
                    let out = output.fileHandleForReading.readDataToEndOfFile()
                    let err = errors.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return LunetProcess.Result(
                        status: process.terminationStatus,
                        stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
                })
            }
        }
    }
}
