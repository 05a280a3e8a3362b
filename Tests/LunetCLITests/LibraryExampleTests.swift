import Foundation
import Testing

/// The example library scripts/lunet-sync: its own specs (CI runs them the
/// way a library author would), its example script, and its rockspec.
@Suite("Example library lunet-sync")
struct LibraryExampleTests {
    static let library = LunetProcess.root.appending(path: "scripts/lunet-sync")

    static func environment(_ dir: URL) -> [String: String] {
        ["XDG_STATE_HOME": dir.path, "XDG_CONFIG_HOME": dir.path, "XDG_DATA_HOME": dir.path, "LUNET_CONFIG": ""]
    }

    @Test func specsPassAgainstTheSandbox() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await LunetProcess.run(
            ["test", "--sandbox", "scripts/lunet-sync"], environment: Self.environment(dir), directory: LunetProcess.root)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let summary = try #require(r.stdout.split(separator: "\n").last.map(String.init))
        let passed = try #require(summary.wholeMatch(of: /(\d+) passed, 0 failed/).map { Int($0.1)! }, "\(r.stdout)")
        #expect(passed >= 11, "\(r.stdout)")
    }

    /// Without --sandbox the iCL specs are pending, not failing.
    @Test func specsWithoutTheSandboxSkipTheAPIPart() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await LunetProcess.run(
            ["test", "--output", "tap", "scripts/lunet-sync"], environment: Self.environment(dir), directory: LunetProcess.root)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains(" # SKIP pending\n"))
        #expect(!r.stdout.contains("not ok"))
    }

    @Test func exampleScriptRunsAgainstTheSandbox() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await LunetProcess.run(
            ["run", "--sandbox", Self.library.appending(path: "examples/archive_buildings.lua").path],
            environment: Self.environment(dir), directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.wholeMatch(of: /buildings → archive: read \d+, written 1200, skipped \d+, failed 0 in \d+ batches, checkpoint \S+\n/) != nil, "\(r.stdout)")
    }

    /// `luarocks make` with the library's rockspec installs it into a
    /// lua_modules tree that a script elsewhere can require.
    @Test func rockspecInstallsIntoALuaModulesTree() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appending(path: "lunet-sync")
        try FileManager.default.copyItem(at: Self.library, to: source)
        let tree = dir.appending(path: "project/lua_modules")
        let make = try await Command.run(
            "luarocks", ["--lua-version", "5.4", "--tree", tree.path, "make", "lunet-sync-0.1-1.rockspec"], directory: source)
        try #require(make.status == 0, "\(make.stdout)\(make.stderr)")
        try dir.write("""
            local sync = require "lunet_sync"
            local dest, got = sync.destinations.collect()
            local r = sync.pipeline{ source = sync.sources.array{ { id = 1 }, { id = 2 } }, destination = dest }:run()
            print(sync.format(r), #got, package.searchpath("lunet_sync", package.path))
            """, to: "project/job.lua")
        let r = try await LunetProcess.run(["run", "job.lua"], environment: Self.environment(dir), directory: dir.appending(path: "project"))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "array → collect: read 2, written 2, skipped 0, failed 0 in 1 batches\t2\t./lua_modules/share/lua/5.4/lunet_sync/init.lua\n")
    }
}
