import Foundation
import Hummingbird
import LunetJSON
import Testing

@testable import LunetSandbox

@Suite("control endpoints")
struct ControlRoutesTests {
    @Test func resetReachesEveryModule() async throws {
        let calls = ModuleCalls(), otherCalls = ModuleCalls()
        try await withSandbox(calls: calls, extraModules: { [DummyModule(prefix: "other", store: $0.namespaced("other"), calls: otherCalls)] }) { _, client in
            _ = try await client.put("/dummy/items/a", "1")
            let reply = try await client.post("/_sandbox/reset")
            #expect(reply.status == 200)
            #expect(reply.json == ["reset": ["dummy", "other"]])
            #expect(calls.all == ["reset"])
            #expect(otherCalls.all == ["reset"])
            #expect(try await client.get("/dummy/items/a").status == 404)
        }
    }

    @Test func seedReachesModulesThatKnowTheName() async throws {
        let calls = ModuleCalls()
        try await withSandbox(calls: calls, extraModules: { _ in [NoSeedsModule(prefix: "bare")] }) { _, client in
            let reply = try await client.post("/_sandbox/seed/demo")
            #expect(reply.status == 200)
            #expect(reply.json == ["seed": "demo", "seeded": ["dummy"]])
            #expect(calls.all == ["seed demo"])
            #expect(try await client.get("/dummy/items/seeded").json == ["from": "demo"])

            let unknown = try await client.post("/_sandbox/seed/nonesuch")
            #expect(unknown.status == 404)
            #expect(unknown.json["error"]?.string == "unknown seed 'nonesuch': no sandbox module has a data set by that name")
        }
    }

    @Test func seedOptionLoadsBeforeListening() async throws {
        try await withSandbox(seed: "demo") { _, client in
            let seeded = try await client.get("/dummy/items/seeded")
            #expect(seeded.status == 200)
        }
        await #expect(throws: SandboxError.unknownSeed("nonesuch")) {
            try await withSandbox(seed: "nonesuch") { _, _ in }
        }
    }

    @Test func faultsCanBeReadAndReplaced() async throws {
        try await withSandbox(faults: "seed=1,503@2") { server, client in
            #expect(try await client.get("/_sandbox/faults").json == ["spec": "seed=1,503@2"])
            let replaced = try await client.put("/_sandbox/faults", "429=10%, latency=1ms")
            #expect(replaced.status == 200)
            #expect(replaced.json == ["spec": "seed=0,429=0.1,latency=1ms"])
            #expect(server.faults == (try FaultSpec(parsing: "429=0.1,latency=1ms")))

            let json = try await client.put("/_sandbox/faults", #"{"spec": "500@1"}"#)
            #expect(json.json == ["spec": "seed=0,500@1"])
            #expect(try await client.get("/dummy/ping").status == 500)

            let bad = try await client.put("/_sandbox/faults", "5o3=0.1")
            #expect(bad.status == 400)
            #expect(bad.json == ["error": "bad fault spec part '5o3=0.1': unknown fault '5o3'"])
            #expect(try await client.get("/_sandbox/faults").json == ["spec": "seed=0,500@1"])

            #expect(try await client.put("/_sandbox/faults", "").json == ["spec": ""])
            #expect(try await client.get("/dummy/ping").status == 200)
        }
    }

    @Test func healthNamesPrefixesStoreAndFaults() async throws {
        try await withSandbox(faults: "503@9") { _, client in
            let reply = try await client.get("/_sandbox/health")
            #expect(reply.status == 200)
            #expect(reply.json == ["status": "ok", "prefixes": ["dummy"], "store": "memory", "faults": "seed=0,503@9"])
        }
    }

    @Test func requestLogRecordsWhatTheClientSaw() async throws {
        try await withSandbox(faults: "path=/dummy/items/x,latency=30ms;path=/dummy/ping,429@2,latency=10ms;path=/dummy/batch,reset@1") { _, client in
            _ = try await client.put("/dummy/items/x?tag=1&b=2", #"{"v":1}"#)
            _ = try await client.get("/dummy/items/missing")
            _ = try await client.get("/dummy/ping")
            _ = try await client.get("/dummy/ping")
            _ = try? await client.post("/dummy/batch", "[]")
            _ = try await client.get("/_sandbox/health")

            let log = try await client.get("/_sandbox/requests").json
            #expect(log["dropped"] == 0)
            let entries = try #require(log["requests"]?.array)
            #expect(entries.count == 5)
            #expect(entries.map { $0["seq"]?.integer } == [1, 2, 3, 4, 5])
            #expect(entries.map { $0["method"]?.string } == ["PUT", "GET", "GET", "GET", "POST"])
            #expect(entries.map { $0["path"]?.string } == [
                "/dummy/items/x", "/dummy/items/missing", "/dummy/ping", "/dummy/ping", "/dummy/batch",
            ])
            #expect(entries.map { $0["status"] } == [200, 404, 200, 429, .null])
            #expect(entries.map { $0["fault"] } == [.null, .null, .null, "429", "reset"])
            #expect(entries[0]["query"] == "tag=1&b=2")
            #expect(entries[1]["query"] == .null)
            #expect(try #require(entries[0]["delay_ms"]?.double) == 30)
            #expect(try #require(entries[0]["duration_ms"]?.double) >= 30)
            #expect(entries[1]["delay_ms"]?.double == 0)
            #expect(entries[2]["delay_ms"]?.double == 10)
            #expect(entries[3]["delay_ms"]?.double == 10)
            let time = try #require(entries[0]["time"]?.string)
            #expect(time.hasSuffix("Z") && time.contains("T"))

            let later = try await client.get("/_sandbox/requests?after=3").json
            #expect(later["requests"]?.array?.map { $0["seq"]?.integer } == [4, 5])

            #expect(try await client.delete("/_sandbox/requests").status == 204)
            #expect(try await client.get("/_sandbox/requests").json == ["requests": [], "dropped": 0])
        }
    }

    @Test func requestLogKeepsTheLastEntriesAndCountsTheDropped() {
        let log = RequestLog(capacity: 3)
        for i in 1...5 {
            log.record {
                RequestLogEntry(
                    sequence: $0, time: Date(), method: "GET", path: "/\(i)", query: nil, status: 200, fault: nil,
                    delayMilliseconds: 0, durationMilliseconds: 1)
            }
        }
        let (entries, dropped) = log.entries()
        #expect(entries.map(\.path) == ["/3", "/4", "/5"])
        #expect(entries.map(\.sequence) == [3, 4, 5])
        #expect(dropped == 2)
        #expect(RequestLog.defaultCapacity == 10_000)
    }

    @Test func badModulePrefixesAreRefused() async throws {
        for (prefix, reason) in [
            ("", "must not be empty"), ("a/b", "must be one path segment, without '/'"),
            ("_sandbox", "is reserved for control endpoints"), ("dummy", "used by two modules"),
        ] {
            await #expect(throws: SandboxError.badPrefix(prefix, reason: reason)) {
                try await withSandbox(extraModules: { _ in [NoSeedsModule(prefix: prefix)] }) { _, _ in }
            }
        }
    }

    @Test func aTakenPortIsReportedAsSuch() async throws {
        try await withSandbox { server, _ in
            await #expect(throws: SandboxError.portInUse(server.port)) {
                _ = try await SandboxServer.start(SandboxOptions(port: server.port, modules: { _ in [] }))
            }
        }
    }

    @Test func stopDoesNotWaitForeverForASlowRequest() async throws {
        let server = try await SandboxServer.start(SandboxOptions(
            faults: try FaultSpec(parsing: "slow@1,slow-latency=60s"),
            modules: { [DummyModule(store: $0)] }))
        let client = SandboxClient(baseURL: server.baseURL)
        let request = Task { try await client.get("/dummy/ping") }
        try await Task.sleep(for: .milliseconds(200))
        let elapsed = await ContinuousClock().measure { await server.stop() }
        #expect(elapsed < .seconds(10))
        await #expect(throws: (any Error).self) { _ = try await request.value }
    }

    @Test func aFixedPortIsUsed() async throws {
        let probe = try await SandboxServer.start(SandboxOptions(modules: { _ in [] }))
        let port = probe.port
        await probe.stop()
        let server = try await SandboxServer.start(SandboxOptions(port: port, modules: { _ in [] }))
        #expect(server.port == port)
        #expect(server.baseURL == "http://127.0.0.1:\(port)")
        await server.stop()
        await server.stop()  // a second stop is harmless
    }
}

/// A module with no data sets at all.
struct NoSeedsModule: SandboxModule {
    let prefix: String
    func register(on group: RouterGroup<SandboxContext>) {}
    func reset() async {}
    func seed(_ name: String) async throws { throw UnknownSeed(name) }
}
