import Foundation
import Testing

/// `lunet setup`: LuaLS annotations from the doc source, and .luarc.json.
@Suite("lunet setup")
struct SetupCommandTests {
    static func json(_ url: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func writesAnnotationsThatParseAndMergesAnExistingLuarc() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let annotations = dir.appending(path: "luals")
        let project = dir.appending(path: "project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        let luarc = project.appending(path: ".luarc.json")
        try """
            {"workspace": {"library": ["/opt/other"], "checkThirdParty": false},
             "diagnostics": {"disable": ["lowercase-global"], "globals": ["mine"]},
             "runtime.version": "Lua 5.4"}
            """.write(to: luarc, atomically: true, encoding: .utf8)
        let args = ["setup", "--dir", annotations.path, "--project", project.path]
        let r = try await LunetProcess.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        #expect(r.stdout.contains("updated \(luarc.path)"))

        // merged, nothing lost, nothing duplicated after a second run
        _ = try await LunetProcess.run(args)
        let root = try Self.json(luarc)
        let workspace = try #require(root["workspace"] as? [String: Any])
        #expect(workspace["library"] as? [String] == ["/opt/other", annotations.path])
        #expect(workspace["checkThirdParty"] as? Bool == false)
        let diagnostics = try #require(root["diagnostics"] as? [String: Any])
        #expect(diagnostics["disable"] as? [String] == ["lowercase-global"])
        let globals = try #require(diagnostics["globals"] as? [String])
        #expect(globals.first == "mine")
        for name in ["portal", "ic", "cd", "celigo", "help", "icl", "json", "inspect", "_"] {
            #expect(globals.contains(name), "diagnostics.globals lacks \(name): \(globals)")
        }
        #expect(Set(globals).count == globals.count)
        // Exactly the REPL's globals: csv and test are modules, not globals there.
        #expect(!globals.contains("csv") && !globals.contains("test"), "\(globals)")
        #expect(root["runtime.version"] as? String == "Lua 5.4")
        #expect(root["runtime"] == nil, "the dotted key was updated in place")

        // the annotation files: valid Lua, with classes, fields and methods
        let icl = try String(contentsOf: annotations.appending(path: "lunet/icl.lua"), encoding: .utf8)
        #expect(icl.hasPrefix("---@meta lunet.icl\n"))
        #expect(icl.contains("---@class icl.Portal\n"))
        #expect(icl.contains("---@return icl.Content\nfunction icl_Portal:content(type) end"))
        #expect(icl.contains("function M.connect(options) end"))
        let paging = try String(contentsOf: annotations.appending(path: "lunet/paging.lua"), encoding: .utf8)
        #expect(paging.contains("---@class lunet.Cursor\n---@field name string"))
        #expect(paging.contains("function lunet_Cursor:collect(n) end"))
        var files: [String] = []
        let walker = FileManager.default.enumerator(atPath: annotations.path)
        while let relative = walker?.nextObject() as? String {
            if relative.hasSuffix(".lua") { files.append(annotations.appending(path: relative).path) }
        }
        #expect(files.count >= 10, "\(files)")
        let check = try await LunetProcess.run(
            ["run", "-e", "for _, f in ipairs(arg) do assert(loadfile(f)) end print(#arg)"] + files)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout == "\(files.count)\n")
    }

    @Test func createsALuarcAndLeavesABrokenOneAlone() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let annotations = dir.appending(path: "luals")
        let r = try await LunetProcess.run(["setup", "--dir", annotations.path, "--project", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let root = try Self.json(dir.appending(path: ".luarc.json"))
        #expect((root["runtime"] as? [String: Any])?["version"] as? String == "Lua 5.4")
        #expect((root["workspace"] as? [String: Any])?["library"] as? [String] == [annotations.path])

        let broken = dir.appending(path: "broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        let text = "{ \"workspace\": [ oops"
        try text.write(to: broken.appending(path: ".luarc.json"), atomically: true, encoding: .utf8)
        let b = try await LunetProcess.run(["setup", "--dir", annotations.path, "--project", broken.path])
        #expect(b.status == 2)
        #expect(b.stderr.contains("is not a JSON object; left unchanged"), "\(b.stderr)")
        #expect(try String(contentsOf: broken.appending(path: ".luarc.json"), encoding: .utf8) == text)
    }

    /// luac5.4, when installed, agrees that every file parses.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/luac5.4")))
    func annotationsPassLuac() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await LunetProcess.run(["setup", "--no-luarc", "--dir", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        // one file per luac call: Debian's luac5.4 -p crashes (double free) on several
        let command = "for f in $(find '\(dir.path)' -name '*.lua'); do luac5.4 -p \"$f\" || exit 1; done"
        let result = try await LunetProcess.run(["run", "-e", "os.exit(os.execute(arg[1]) and 0 or 1)", command])
        #expect(result.status == 0, "\(result.stderr)")
    }
}
