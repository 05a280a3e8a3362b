import Foundation
import Testing

/// Runs the CoreData example scripts in scripts/examples/ against the
/// in-process sandbox (`lunet run --sandbox`), as CI must. The sandbox lives
/// as long as one `lunet run`, so "run twice" happens in one process: a
/// driver calls the example with `dofile`, changing data in between.
@Suite("CoreData example scripts against the sandbox")
struct CoreDataExampleTests: SandboxScriptSuite {
    let dir: URL
    let environment: [String: String]
    static let examples = LunetProcess.root.appending(path: "scripts/examples")

    init() throws {
        (dir, environment) = try Self.scratch()
    }

    /// The non-empty lines of `text`.
    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func mirrorRunTwiceFetchesOnlyTheChangedFiles() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let mirror = dir.appending(path: "mirror").path
        let example = Self.examples.appending(path: "coredata_mirror_files.lua").path
        try dir.write("""
            local function mirror()
              arg = { [0] = \(quoted(example)), \(quoted(mirror)), "ci-mirror" }
              dofile(arg[0])
            end
            mirror()
            print("-- between runs")
            local cd = require("lunet.coredata").connect()
            cd.files:update(cd.files:list{ title = "Document 002" }:first(), { title = "Document 002 (revised)" })
            cd.files:update(cd.files:list{ title = "Document 150" }:first(), { description = "touched" })
            local f = assert(io.open(\(quoted(dir.path + "/new.txt")), "wb")); f:write("brand new\\n"); f:close()
            cd.files:upload{ folder = cd.folders:list():first(), path = \(quoted(dir.path + "/new.txt")) }
            mirror()
            """, to: "driver.lua")
        let r = try await run(dir.appending(path: "driver.lua").path)
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out.first == "150 files mirrored into \(mirror) (75613 bytes)", "\(r.stdout)")
        let second = out.drop { $0 != "-- between runs" }.dropFirst()
        #expect(second.first?.hasPrefix("3 files mirrored into \(mirror) (") == true, "\(r.stdout)")
        #expect(out.filter { $0.hasPrefix("checkpoint \"ci-mirror\": since ") }.count == 2)

        let names = try FileManager.default.contentsOfDirectory(atPath: mirror)
        #expect(names.count == 151, "\(names.count) files")
        #expect(!names.contains { $0.hasSuffix(".part") }, "no temporary file left")
        let newest = try #require(names.first { $0.hasSuffix("-new.txt") })
        #expect(try String(contentsOfFile: mirror + "/" + newest, encoding: .utf8) == "brand new\n")
        let doc2 = try #require(names.first { $0.hasSuffix("-document-002.txt") })
        #expect(try String(contentsOfFile: mirror + "/" + doc2, encoding: .utf8).hasPrefix("Lunet sandbox demo file 002\n"))
    }

    @Test func mirrorNeedsAFolder() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run("scripts/examples/coredata_mirror_files.lua")
        #expect(r.status == 2)
        #expect(r.stderr.contains("usage: lunet run coredata_mirror_files.lua DIR [CHECKPOINT]"))
    }

    @Test func iclBuildingsSyncToCoreDataProjectsRunAfterRun() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let example = Self.examples.appending(path: "icl_to_coredata_projects.lua").path
        try dir.write("""
            os.exit = function(code) print("exit " .. tostring(code)) end
            local function sync() arg = { [0] = \(quoted(example)) }; dofile(arg[0]) end
            sync()
            local b = require("lunet.icl").connect():content("building")
            b:create{ externalId = "NEW-1", buildingname = "Neubau", strasse = "Neugasse 1", plz = "1010", ort = "Wien" }
            local old = b:get("GB-00012")
            old.buildingname = "Umbenannt"
            b:replace("GB-00012", old)
            b:delete("GB-00002")
            sync()
            sync()
            local cd = require("lunet.coredata").connect()
            local state = require("lunet.state")
            for _, ext in ipairs { "NEW-1", "GB-00012", "GB-00002" } do
              local p = cd.projects:get(state.get("icl2cd:" .. ext))
              print(ext, p.title, p.status, p.description)
            end
            print("projects", cd.projects:list{ title__startswith = "GB-" }:total())
            """, to: "driver.lua")
        let r = try await run(dir.appending(path: "driver.lua").path)
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out.count == 10, "\(r.stdout)")
        guard out.count == 10 else { return }
        #expect(out[0] == "1205 building changes: 1200 created, 0 updated, 0 closed, 5 skipped, 0 failed")
        #expect(out[1] == "exit 0")
        #expect(out[2] == "3 building changes: 1 created, 1 updated, 1 closed, 0 skipped, 0 failed")
        #expect(out[4] == "0 building changes: 0 created, 0 updated, 0 closed, 0 skipped, 0 failed")
        #expect(out[6].hasPrefix("NEW-1\tNEW-1 Neubau\t") && out[6].hasSuffix("\tNeugasse 1, 1010 Wien"), "\(out[6])")
        #expect(out[7].hasPrefix("GB-00012\tGB-00012 Umbenannt\t"))
        #expect(out[8].hasPrefix("GB-00002\tGB-00002 ") && out[8].contains("\tproject_status:Closed:\t"))
        #expect(out[9] == "projects\t1200", "one project per building, none twice")
    }
}

/// Connection options outside the sandbox: what is missing is named, the
/// environment variables of the CoreData docs are read, and the key is
/// never shown.
@Suite("CoreData connection options")
struct CoreDataConnectTests {
    @Test func connectNamesWhatIsMissingAndReadsTheEnvironment() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("""
            local coredata = require "lunet.coredata"
            for _, opts in ipairs { {}, { url = "http://127.0.0.1:9/cd" }, { url = "http://127.0.0.1:9/cd", user = "u" },
                                    { url = "ftp://x", user = "u", key = "k" }, { url = "http://x", user = "u", key = "k", pin = 1 } } do
              print((select(2, pcall(coredata.connect, opts))))
            end
            if (os.getenv("API_KEY") or "") ~= "" then print(tostring(coredata.connect())) end
            """, to: "connect.lua")
        let bare = ["XDG_STATE_HOME": dir.path, "XDG_CONFIG_HOME": dir.path, "LUNET_CONFIG": "",
                    "COREDATA_BASE_URL": "", "API_USER": "", "API_KEY": "", "COREDATA_API_USER": "", "COREDATA_API_KEY": ""]
        let r = try await LunetProcess.run(["run", dir.appending(path: "connect.lua").path], environment: bare,
                                           directory: LunetProcess.root)
        #expect(r.status == 0, "\(r.stderr)")
        let out = r.stdout.split(separator: "\n").map(String.init)
        #expect(out.count == 5, "\(r.stdout)")
        guard out.count == 5 else { return }
        #expect(out[0].contains("coredata: option 'url' is required (COREDATA_BASE_URL"))
        #expect(out[1].contains("coredata: option 'user' is required (the API user; or API_USER)"))
        #expect(out[2].contains("coredata: option 'key' is required (the API key; or API_KEY)"))
        #expect(out[3].contains("coredata: option 'url' must be an http(s) URL, got 'ftp://x'"))
        #expect(out[4].contains("pin"), "unknown option named: \(out[4])")

        var env = bare
        env["COREDATA_BASE_URL"] = "https://tenant.example.is"
        env["API_USER"] = "ops"
        env["API_KEY"] = "s3cr3t-key-value"
        let withEnv = try await LunetProcess.run(["run", dir.appending(path: "connect.lua").path], environment: env,
                                                 directory: LunetProcess.root)
        #expect(withEnv.status == 0, "\(withEnv.stderr)")
        #expect(withEnv.stdout.contains("<coredata connection https://tenant.example.is"), "\(withEnv.stdout)")
        #expect(!withEnv.stdout.contains("s3cr3t"), "the key is never shown")
    }
}

private func quoted(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
