import Foundation
import LunetTestSupport
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

    /// `lunet` with LUNET_STATE pointing at a fresh store of `kind`.
    func lunet(_ kind: StoreKind) async throws -> (location: String, run: @Sendable ([String]) async throws -> LunetProcess.Result) {
        let location = try await kind.freshLocation(in: dir)
        let environment = self.environment.merging(["LUNET_STATE": location]) { $1 }
        return (location, { arguments in try await LunetProcess.run(arguments, environment: environment) })
    }

    @Test(arguments: StoreKind.allCases) func setGetDeleteRoundTrip(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (location, lunet) = try await lunet(kind)
        #expect(try await lunet(["state", "set", "feed/buildings", #"{"token": "t-1", "pages": [1, 2]}"#]).status == 0)
        let got = try await lunet(["state", "get", "feed/buildings"])
        #expect(got.status == 0)
        #expect(got.stdout == "{\n  \"pages\": [\n    1,\n    2\n  ],\n  \"token\": \"t-1\"\n}\n" || got.stdout.contains("\"token\": \"t-1\""))
        #expect(try await lunet(["state", "delete", "feed/buildings"]).status == 0)
        let gone = try await lunet(["state", "get", "feed/buildings"])
        #expect(gone.status == 1)
        #expect(gone.stderr == "lunet: state: no key 'feed/buildings' in \(StoreKind.shown(location))\n")
        let deleteAgain = try await lunet(["state", "delete", "feed/buildings"])
        #expect(deleteAgain.status == 1)
        #expect(deleteAgain.stderr.contains("no key 'feed/buildings'"))
    }

    @Test(arguments: StoreKind.allCases) func valuesThatAreNotJSONAreStoredAsStrings(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, lunet) = try await lunet(kind)
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

    @Test(arguments: StoreKind.allCases) func listShowsKeysUpdateTimesAndPreviews(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, lunet) = try await lunet(kind)
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
        let badURL = try await lunet(["state", "list"], ["LUNET_STATE": "postgres://lunet:hunter2@db"])
        #expect(badURL.status == 2)
        #expect(badURL.stderr == "lunet: state location postgres://lunet:••••@db: missing database name after the host (postgres://USER:PASSWORD@HOST/DATABASE)\n")
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
    @Test(arguments: StoreKind.allCases) func twoProcessesWritingTheSameKeysBothSucceed(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, lunet) = try await lunet(kind)
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

    /// A PostgreSQL store that cannot be reached or refuses the password:
    /// exit 1, one line naming the host, never the password.
    @Test func postgresConnectionErrorsNameTheHostNotThePassword() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let refused = try await lunet(["state", "list"], ["LUNET_STATE": "postgres://lunet:hunter2@127.0.0.1:1/lunet"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "lunet: state store postgres://lunet:••••@127.0.0.1:1/lunet: cannot connect to 127.0.0.1:1: connection refused\n")
        let url = try #require(URLComponents(string: try await PostgresTestServer.shared.url()))
        let wrong = "postgres://lunet:not-the-password@127.0.0.1:\(url.port!)/lunet"
        for arguments in [["state", "get", "k"], ["run", "-e", "require('lunet.state').get('k')"], ["run", "--lock", "j", "-e", "print(1)"]] {
            let denied = try await lunet(arguments, ["LUNET_STATE": wrong])
            #expect(denied.status == 1, "\(arguments)")
            #expect(denied.stderr.contains("authentication failed for user 'lunet' at 127.0.0.1:\(url.port!)"), "\(denied.stderr)")
            #expect(!denied.stderr.contains("not-the-password"))
        }
    }

    /// What one machine writes through PostgreSQL another reads (here: two
    /// homes with nothing in common but LUNET_STATE).
    @Test func twoMachinesShareStateThroughPostgres() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = try await StoreKind.postgres.freshLocation(in: dir)
        let other = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: other) }
        let a = environment.merging(["LUNET_STATE": location]) { $1 }
        let b = ["HOME": other.path, "XDG_STATE_HOME": other.path + "/state", "LUNET_STATE": location, "LUNET_CONFIG": ""]
        let wrote = try await LunetProcess.run(["run", "-e", "require('lunet.state').set('cp', {token = 'T-7'})"], environment: a)
        #expect(wrote.status == 0, "\(wrote.stderr)")
        let read = try await LunetProcess.run(["state", "get", "cp"], environment: b)
        #expect(read.stdout == "{\n  \"token\": \"T-7\"\n}\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/state/lunet/state.db"))
    }
}
