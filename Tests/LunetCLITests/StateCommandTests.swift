import Foundation
import Testing

@Suite("lunet state")
struct StateCommandTests {
    let dir: URL
    let environment: [String: String]
    var database: String { dir.path + "/state/lunet/state.db" }

    init() throws {
        dir = try LunetProcess.temporaryDirectory()
        environment = [
            "HOME": dir.path, "XDG_STATE_HOME": dir.path + "/state", "XDG_CONFIG_HOME": dir.path + "/config",
            "LUNET_STATE": "", "LUNET_CONFIG": "",
        ]
    }

    func lunet(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> LunetProcess.Result {
        try await LunetProcess.run(arguments, environment: environment.merging(extra) { $1 })
    }

    @Test func setGetDeleteRoundTrip() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try await lunet(["state", "set", "feed/buildings", #"{"token": "t-1", "pages": [1, 2]}"#]).status == 0)
        let got = try await lunet(["state", "get", "feed/buildings"])
        #expect(got.status == 0)
        #expect(got.stdout == "{\n  \"pages\": [\n    1,\n    2\n  ],\n  \"token\": \"t-1\"\n}\n" || got.stdout.contains("\"token\": \"t-1\""))
        #expect(try await lunet(["state", "delete", "feed/buildings"]).status == 0)
        let gone = try await lunet(["state", "get", "feed/buildings"])
        #expect(gone.status == 1)
        #expect(gone.stderr == "lunet: state: no key 'feed/buildings' in \(database)\n")
        let deleteAgain = try await lunet(["state", "delete", "feed/buildings"])
        #expect(deleteAgain.status == 1)
        #expect(deleteAgain.stderr.contains("no key 'feed/buildings'"))
    }

    @Test func valuesThatAreNotJSONAreStoredAsStrings() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await lunet(["state", "set", "a", "buildings"])
        _ = try await lunet(["state", "set", "b", "42"])
        _ = try await lunet(["state", "set", "c", #""42""#])
        _ = try await lunet(["state", "set", "d", "{not json"])
        #expect(try await lunet(["state", "get", "a"]).stdout == "\"buildings\"\n")
        #expect(try await lunet(["state", "get", "b"]).stdout == "42\n")
        #expect(try await lunet(["state", "get", "c"]).stdout == "\"42\"\n")
        #expect(try await lunet(["state", "get", "d"]).stdout == "\"{not json\"\n")
        let script = try await lunet(["run", "-e", "local s = require 'lunet.state'; print(math.type(s.get('b')), s.get('a'), s.get('d'))"])
        #expect(script.stdout == "integer\tbuildings\t{not json\n")
    }

    @Test func listShowsKeysUpdateTimesAndPreviews() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await lunet(["state", "set", "feed/b", "1"])
        _ = try await lunet(["state", "set", "feed/a", String(repeating: "x", count: 100)])
        _ = try await lunet(["state", "set", "other", "true"])
        let list = try await lunet(["state", "list", "feed/"])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("KEY     UPDATED              VALUE"))
        #expect(lines[1].hasPrefix("feed/a  20"))
        #expect(lines[1].hasSuffix("\"" + String(repeating: "x", count: 58) + "…"))
        #expect(lines[2].hasPrefix("feed/b  20") && lines[2].hasSuffix("  1"))
        let all = try await lunet(["state", "list"])
        #expect(all.stdout.split(separator: "\n").count == 4)
        let json = try await lunet(["state", "list", "--json", "other"])
        #expect(json.stdout.contains("\"key\": \"other\""))
        #expect(json.stdout.contains("\"value\": true"))
        #expect(json.stdout.contains("\"updated_at\": \"20"))
        let empty = try await lunet(["state", "list", "nothing/"])
        #expect(empty.status == 0 && empty.stdout.isEmpty)
    }

    @Test func stateOptionAndVariableChooseTheFile() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let flagged = dir.path + "/flagged.db", variable = dir.path + "/variable.db"
        #expect(try await lunet(["state", "set", "--state", flagged, "k", "1"], ["LUNET_STATE": variable]).status == 0)
        #expect(FileManager.default.fileExists(atPath: flagged))
        #expect(!FileManager.default.fileExists(atPath: variable))
        #expect(try await lunet(["state", "set", "k", "2"], ["LUNET_STATE": "sqlite:" + variable]).status == 0)
        #expect(try await lunet(["state", "get", "--state", "sqlite:" + variable, "k"]).stdout == "2\n")
        #expect(try await lunet(["state", "get", "--state", flagged, "k"]).stdout == "1\n")
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test func configFileStateIsUsed() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.path + "/configured.db"
        try dir.write("return { state = '\(path)' }", to: "config/lunet/config.lua")
        #expect(try await lunet(["state", "set", "k", "1"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func configurationErrorsExitWithTwo() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let postgres = try await lunet(["state", "list"], ["LUNET_STATE": "postgres://lunet:hunter2@db/lunet"])
        #expect(postgres.status == 2)
        #expect(postgres.stderr.contains("PostgreSQL state stores are not yet supported"))
        #expect(!postgres.stderr.contains("hunter2"))
        let emptyKey = try await lunet(["state", "get", ""])
        #expect(emptyKey.status == 2)
        #expect(emptyKey.stderr.contains("key must not be empty"))
        let longKey = try await lunet(["state", "set", String(repeating: "k", count: 513), "1"])
        #expect(longKey.status == 2)
        try dir.write("return { profiles = { p = { icl = { clientid = 'x' } } } }", to: "config/lunet/config.lua")
        let badConfig = try await lunet(["state", "list"])
        #expect(badConfig.status == 2)
        #expect(badConfig.stderr.contains("config.lua: profiles.p.icl: unknown option 'clientid'"))
    }

    @Test func aScriptThatNeverUsesStateCreatesNoFile() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await lunet(["run", "-e", "local state = require 'lunet.state'; print('ok')"])
        #expect(r.status == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/state"))
    }

    /// Two processes write the same keys at once; the busy timeout makes
    /// each wait its turn, so both finish without an error.
    @Test func twoProcessesWritingTheSameKeysBothSucceed() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            local state = require "lunet.state"
            local who = arg[1]
            for i = 1, 300 do
              state.set("shared/" .. (i % 5), { writer = who, i = i })
              if i % 50 == 0 then assert(#state.keys("shared/") >= 1) end
            end
            print(who .. " done")
            """
        try dir.write(script, to: "hammer.lua")
        let path = dir.path + "/hammer.lua"
        async let a = lunet(["run", path, "a"])
        async let b = lunet(["run", path, "b"])
        for (name, r) in [("a", try await a), ("b", try await b)] {
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(r.stdout == "\(name) done\n")
        }
        let list = try await lunet(["state", "list", "--json", "shared/"])
        #expect(list.stdout.components(separatedBy: "\"key\"").count == 6)
    }
}
