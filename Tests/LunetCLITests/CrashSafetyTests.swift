import Foundation
import LunetTestSupport
import Testing

/// Issue 9, item 3: a checkpointed sync (scripts/examples/icl_sync_types.lua:
/// the change feed of `meter` → batch upserts into `meter_copy`) killed with
/// SIGKILL at random moments, 20 times, against a sandbox process that
/// outlives it (`lunet sandbox --data DIR`, with 503/429 faults), then run to
/// completion: the destination must hold every source item's latest version,
/// and the checkpoint must be at the newest change.
@Suite("crash safety: kill -9 during a checkpointed sync", .serialized)
struct CrashSafetyTests {
    @Test func sqliteStateSurvivesTwentyKills() async throws {
        let directory = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await CrashScenario(directory: directory, state: directory.appending(path: "state.db").path).run()
    }

    /// The same against a real PostgreSQL server (a fresh database; the
    /// server is installed and started by PostgresTestServer).
    @Test func postgresStateSurvivesTwentyKills() async throws {
        let directory = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try await PostgresTestServer.shared.freshDatabase()
        try await CrashScenario(directory: directory, state: url).run()
    }
}

/// One crash-safety run against a state store (`LUNET_STATE`).
struct CrashScenario {
    let directory: URL
    let state: String
    var kills = 20
    var initialItems = 2000
    let script = LunetProcess.root.appending(path: "scripts/examples/icl_sync_types.lua").path

    var environment: [String: String] {
        // No config file at all: the sandbox URL and the state come from the environment.
        ["XDG_CONFIG_HOME": directory.appending(path: "config").path, "LUNET_CONFIG": "", "LUNET_PROFILE": "",
         "LUNET_STATE": state,
         // Batches that straddle the feed's 500-item pages, two in flight: a
         // checkpoint saved when a page is consumed (not when its batches are
         // acknowledged) would skip items here.
         "SYNC_BATCH_SIZE": "70", "SYNC_CONCURRENCY": "2"]
    }

    func run() async throws {
        let sandbox = try await SandboxProcess.start(
            data: directory.appending(path: "sandbox").path,
            faults: "path=/icl/api,seed=9,503=0.03,429=0.02,retry-after=0")
        defer { sandbox.stop() }
        var env = environment
        env["LUNET_SANDBOX_URL"] = sandbox.url
        try await lunet(["run", "-e", Self.setup, String(initialItems)], env)
        try await lunet(["state", "delete", "checkpoint:sync:meter->meter_copy"], env, allowing: [0, 1])

        var killed = 0, finished = 0
        var delays: [Double] = []
        for round in 1...kills {
            try await lunet(["run", "-e", Self.mutate, String(round)], env)
            let delay = Double.random(in: 0.05...0.8)
            delays.append(delay)
            let outcome = try await KilledRun.run([LunetProcess.binary, "run", script, "meter", "meter_copy"], env, killAfter: delay)
            if outcome.wasKilled { killed += 1 } else {
                finished += 1
                #expect(outcome.status == 0, "round \(round) ended by itself with \(outcome.status): \(outcome.stderr)")
            }
        }
        // Most kills must land mid-run, or the test proves nothing.
        #expect(killed >= kills / 2, "only \(killed) of \(kills) runs were killed mid-run (delays \(delays))")
        let last = try await lunet(["run", script, "meter", "meter_copy"], env)
        #expect(last.stderr.contains("synced") && !last.stderr.contains("ERROR"), "\(last.stderr)")
        try await check(env)
    }

    /// Every source item (deleted ones included) is in the destination with
    /// its latest name and reading, nothing else is, and the checkpoint is
    /// the source feed's newest token.
    func check(_ env: [String: String]) async throws {
        let result = try await lunet(["run", "-e", Self.inspect], env)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let source = try #require(json["source"] as? [String: [String: Any]])
        let copies = try #require(json["destination"] as? [String: [String: Any]])
        #expect(source.count > initialItems)
        #expect(copies.count == source.count, "\(copies.count) copies of \(source.count) source items")
        var missing: [String] = [], stale: [String] = []
        for (externalId, item) in source {
            guard let copy = copies["meter:" + externalId] else { missing.append(externalId); continue }
            if copy["name"] as? String != item["name"] as? String || (copy["reading"] as? NSNumber) != (item["reading"] as? NSNumber)
                || (copy["source_deleted"] as? Bool ?? false) != (item["isDeleted"] as? Bool ?? false)
            {
                stale.append(externalId)
            }
        }
        #expect(missing.isEmpty, "missing in the destination: \(missing.sorted().prefix(10)) (\(missing.count))")
        #expect(stale.isEmpty, "not the latest version: \(stale.sorted().prefix(10)) (\(stale.count))")
        let newest = try #require(json["newest"] as? String)
        #expect(json["checkpoint"] as? String == newest)
    }

    @discardableResult
    func lunet(_ arguments: [String], _ env: [String: String], allowing: Set<Int32> = [0]) async throws -> LunetProcess.Result {
        let result = try await LunetProcess.run(arguments, environment: env)
        #expect(allowing.contains(result.status), "lunet \(arguments.prefix(2)) exited \(result.status): \(result.stderr)")
        return result
    }

    /// The source type and its first items.
    static let setup = """
        local icl = require "lunet.icl"
        local p = icl.connect()
        p:type("meter"):create{ id = "b3c1e0a2-0000-4000-8000-0000000c2a5e", name = "meter", displayName = "Meter",
          titleFieldName = "name", fields = {
            { type = "ShortText", name = "name", displayName = "Name", isRequired = true },
            { type = "Number", name = "reading", displayName = "Reading", isRequired = false } } }
        local items = {}
        for i = 1, tonumber(arg[1]) do items[i] = { externalId = ("M-%05d"):format(i), name = "meter " .. i, reading = i } end
        local r = p:content("meter"):upsert(items)
        assert(#r.succeeded == #items, "setup: not every item stored")
        """

    /// Round N: 1,000 items get a new reading and name (two feed pages and
    /// more), 20 are created, 3 deleted.
    static let mutate = """
        local icl = require "lunet.icl"
        local round = tonumber(arg[1])
        local meters = icl.connect():content("meter")
        local items = {}
        for k = 1, 1000 do
          local i = (round * 97 + k * 2) % 2000 + 1
          items[#items + 1] = { externalId = ("M-%05d"):format(i), name = ("meter %d r%d"):format(i, round), reading = round * 10000 + i }
        end
        for k = 1, 20 do
          local i = 2000 + round * 20 + k
          items[#items + 1] = { externalId = ("M-%05d"):format(i), name = "new meter " .. i, reading = i }
        end
        local r = meters:upsert(items, { batch_size = 500, concurrency = 2 })
        assert(#r.succeeded == #items, "mutate: not every item stored")
        for k = 1, 3 do
          pcall(meters.delete, meters, ("M-%05d"):format((round * 31 + k * 7) % 2000 + 1)) -- may be gone already
        end
        """

    /// Prints {source = {ext → latest change}, destination = {ext → item}, newest, checkpoint} as JSON.
    static let inspect = """
        local icl = require "lunet.icl"
        local json = require "lunet.json"
        local state = require "lunet.state"
        local p = icl.connect()
        local source, destination = {}, {}
        for item in p:changes{ type = "meter", token = "0" } do
          source[item.externalId] = { name = item.name, reading = item.reading, isDeleted = item.isDeleted }
        end
        for item in p:content("meter_copy"):list{ page_size = 500 } do
          destination[item.externalId] = { name = item.name, reading = item.reading, source_deleted = item.source_deleted }
        end
        local now = p:changes{ type = "meter", since = "now" }
        for _ in now do end
        print(json.encode{ source = source, destination = destination, newest = now.token,
                           checkpoint = state.get("checkpoint:sync:meter->meter_copy") })
        """
}

/// A run killed with SIGKILL after `killAfter` seconds, unless it ended first.
enum KilledRun {
    struct Outcome: Sendable {
        var wasKilled: Bool
        var status: Int32
        var stderr: String
    }

    static func run(_ command: [String], _ environment: [String: String], killAfter: Double) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(command, environment, killAfter: killAfter) })
            }
        }
    }

    private static func runBlocking(_ command: [String], _ environment: [String: String], killAfter: Double) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let errors = FileManager.default.temporaryDirectory.appending(path: "lunet-killed-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(killAfter)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        return Outcome(
            wasKilled: killed, status: process.terminationStatus,
            stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
