import Foundation
import Testing

/// Runs each Tests/lua/sandbox/*_test.lua with `lunet run --sandbox`, as an
/// operator would run a script against the built-in emulators.
@Suite("Lua tests against the sandbox")
struct SandboxLuaSuiteTests {
    static let directory = LunetProcess.root.appending(path: "Tests/lua/sandbox")
    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix("_test.lua") }.sorted()
    }

    @Test(arguments: files)
    func luaFile(_ name: String) async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await LunetProcess.run(
            ["run", "--sandbox", "Tests/lua/harness.lua", "Tests/lua/sandbox/" + name],
            environment: ["XDG_STATE_HOME": dir.path, "XDG_CONFIG_HOME": dir.path, "LUNET_CONFIG": ""],
            directory: LunetProcess.root)
        for line in r.stderr.split(separator: "\n") where line.hasPrefix("FAIL ") { Issue.record("\(line)") }
        #expect(r.status == 0, "\(r.stderr.prefix(2000))")
        let summary = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasSuffix(" 0 failed"), "\(name): \(summary)")
        #expect(!summary.hasPrefix("0 passed"), "\(name) ran no test")
    }
}
