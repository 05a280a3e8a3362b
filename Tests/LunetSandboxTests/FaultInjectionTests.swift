import AsyncHTTPClient
import Foundation
import LunetJSON
import NIOCore
import Testing

@testable import LunetSandbox

#if canImport(Glibc)
import Glibc
#endif

@Suite("fault injection over HTTP")
struct FaultInjectionTests {
    static let mixed = "seed=42,429=0.15,500=0.1,503=0.1"

    @Test func sameSeedSameStatusesDifferentSeedDifferent() async throws {
        let first = try await withSandbox(faults: Self.mixed) { _, client in
            try await client.statuses("/dummy/ping", count: 200)
        }
        let again = try await withSandbox(faults: Self.mixed) { _, client in
            try await client.statuses("/dummy/ping", count: 200)
        }
        let otherSeed = try await withSandbox(faults: "seed=43,429=0.15,500=0.1,503=0.1") { _, client in
            try await client.statuses("/dummy/ping", count: 200)
        }
        #expect(first == again)
        #expect(first != otherSeed)
        #expect(Set(first) == [200, 429, 500, 503])
    }

    @Test func putFaultsRestartsTheSequence() async throws {
        try await withSandbox(faults: Self.mixed) { _, client in
            let first = try await client.statuses("/dummy/ping", count: 50)
            #expect(try await client.put("/_sandbox/faults", Self.mixed).status == 200)
            #expect(try await client.statuses("/dummy/ping", count: 50) == first)
            _ = try await client.post("/_sandbox/reset")
            #expect(try await client.statuses("/dummy/ping", count: 50) == first)
        }
    }

    @Test func everyNthIsExact() async throws {
        try await withSandbox(faults: "503@5") { _, client in
            let statuses = try await client.statuses("/dummy/ping", count: 20)
            #expect(statuses == (1...20).map { $0 % 5 == 0 ? 503 : 200 })
        }
    }

    @Test func pathScopeCountsOnlyItsOwnRequests() async throws {
        try await withSandbox(faults: "path=/dummy/items,503@2") { _, client in
            var statuses: [Int] = []
            for _ in 0..<3 {
                statuses.append(try await client.get("/dummy/ping").status)
                statuses.append(try await client.get("/dummy/items").status)
            }
            #expect(statuses == [200, 200, 200, 503, 200, 200])
        }
    }

    @Test func injectedStatusHasJSONBodyAndMark() async throws {
        try await withSandbox(faults: "500@1") { _, client in
            let reply = try await client.get("/dummy/ping")
            #expect(reply.status == 500)
            #expect(reply.json == ["error": "injected fault 500"])
            #expect(reply.headers["Content-Type"] == ["application/json; charset=utf-8"])
            #expect(reply.headers["Lunet-Sandbox-Fault"] == ["500"])
        }
    }

    @Test func injected429CarriesRetryAfter() async throws {
        try await withSandbox(faults: "429@1") { _, client in
            let reply = try await client.get("/dummy/ping")
            #expect(reply.status == 429)
            #expect(reply.headers["Retry-After"] == ["1"])
            #expect(reply.json == ["error": "injected fault 429"])
        }
        try await withSandbox(faults: "429=1,retry-after=7") { _, client in
            let reply = try await client.get("/dummy/ping")
            #expect(reply.headers["Retry-After"] == ["7"])
        }
    }

    @Test func retryAfterCanBeAnHTTPDate() async throws {
        try await withSandbox(faults: "429@1,retry-after=date+5") { _, client in
            let reply = try await client.get("/dummy/ping")
            let text = try #require(reply.headers["Retry-After"].first)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            formatter.timeZone = TimeZone(identifier: "GMT")
            let date = try #require(formatter.date(from: text))
            #expect(date.timeIntervalSinceNow > 3.5 && date.timeIntervalSinceNow <= 6.5)
        }
    }

    @Test func slowRequestsAreAnsweredLate() async throws {
        try await withSandbox(faults: "slow@2,slow-latency=800ms") { server, client in
            let clock = ContinuousClock()
            var replies: [Reply] = []
            let fast = try await clock.measure { replies.append(try await client.get("/dummy/ping")) }
            let slow = try await clock.measure { replies.append(try await client.get("/dummy/ping")) }
            #expect(fast < .milliseconds(800))
            #expect(slow >= .milliseconds(795))
            #expect(replies.map(\.text) == ["pong", "pong"])
            #expect(replies[1].headers["Lunet-Sandbox-Fault"] == ["slow"])
            #expect(server.requests().map(\.fault) == [nil, "slow"])
            #expect(server.requests().map(\.status) == [200, 200])
        }
    }

    @Test func latencyDelaysEveryRequest() async throws {
        try await withSandbox(faults: "latency=200ms") { _, client in
            let clock = ContinuousClock()
            var reply: Reply?
            let elapsed = try await clock.measure { reply = try await client.get("/dummy/ping") }
            #expect(elapsed >= .milliseconds(195))
            #expect(reply?.status == 200)
            #expect(reply?.text == "pong")
            #expect(reply?.headers["Lunet-Sandbox-Delay"] == ["200ms"])
        }
    }

    @Test func latencyRangeStaysInRange() async throws {
        try await withSandbox(faults: "seed=3,latency=60..120ms") { _, client in
            let clock = ContinuousClock()
            for _ in 0..<5 {
                let elapsed = try await clock.measure { _ = try await client.get("/dummy/ping") }
                #expect(elapsed >= .milliseconds(55))
                #expect(elapsed < .milliseconds(1000))
            }
        }
    }

    @Test func noFaultsMeansNoDelayHeader() async throws {
        try await withSandbox { _, client in
            let reply = try await client.get("/dummy/ping")
            #expect(reply.status == 200)
            #expect(reply.headers["Lunet-Sandbox-Delay"].isEmpty)
            #expect(reply.headers["Lunet-Sandbox-Fault"].isEmpty)
        }
    }

    @Test func resetSurfacesAsAConnectionErrorNotAStatus() async throws {
        try await withSandbox(faults: "reset=1") { server, client in
            await #expect {
                _ = try await client.get("/dummy/ping")
            } throws: { error in
                (error as? IOError)?.errnoCode == ECONNRESET
            }
            // The next request on a fresh connection is reset too, and the server lives on.
            await #expect(throws: (any Error).self) { _ = try await client.get("/dummy/ping") }
            let health = try await client.get("/_sandbox/health")
            #expect(health.status == 200)
        }
    }

    @Test func resetIsATCPResetWithNoResponseBytes() async throws {
        try await withSandbox(faults: "reset@1") { server, _ in
            let outcome = try rawExchange(port: server.port, "GET /dummy/ping HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(outcome.received.isEmpty)
            #expect(outcome.errno == ECONNRESET)
        }
    }

    @Test func resetAfterLetsTheModuleWriteButLosesTheAnswer() async throws {
        try await withSandbox(faults: "path=/dummy/items/lost,reset-after=1") { _, client in
            await #expect(throws: (any Error).self) { _ = try await client.put("/dummy/items/lost", #"{"n":1}"#) }
            _ = try await client.put("/_sandbox/faults", "")
            #expect(try await client.get("/dummy/items/lost").json == ["n": 1])
        }
    }

    @Test func controlEndpointsAreNeverFaultedNorCounted() async throws {
        try await withSandbox(faults: "500=1,latency=2s") { _, client in
            let clock = ContinuousClock()
            let started = clock.now
            var statuses: [Int] = []
            statuses.append(try await client.get("/_sandbox/health").status)
            statuses.append(try await client.get("/_sandbox/faults").status)
            statuses.append(try await client.get("/_sandbox/requests").status)
            statuses.append(try await client.post("/_sandbox/reset").status)
            statuses.append(try await client.post("/_sandbox/seed/demo").status)
            statuses.append(try await client.delete("/_sandbox/requests").status)
            #expect(statuses == [200, 200, 200, 200, 200, 204])
            #expect(clock.now - started < .seconds(2))
        }
        try await withSandbox(faults: "reset=1") { _, client in
            let health = try await client.get("/_sandbox/health")
            #expect(health.status == 200)
        }
        try await withSandbox(faults: "503@2") { _, client in
            #expect(try await client.get("/dummy/ping").status == 200)
            _ = try await client.get("/_sandbox/health")
            _ = try await client.get("/_sandbox/requests")
            #expect(try await client.get("/dummy/ping").status == 503)
        }
    }

    @Test func unknownPathsAreFaultedAndLoggedToo() async throws {
        try await withSandbox(faults: "503@2") { server, client in
            let statuses = try await client.statuses("/nowhere", count: 2)
            #expect(statuses == [404, 503])
            #expect(server.requests().map(\.status) == [404, 503])
        }
    }
}

/// Sends `request` on a plain socket and reads until the peer closes.
func rawExchange(port: Int, _ request: String) throws -> (received: [UInt8], errno: Int32) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(connected == 0)
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let bytes = Array(request.utf8)
    try #require(send(fd, bytes, bytes.count, 0) == bytes.count)
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n > 0 { received += buffer[..<n]; continue }
        return (received, n == 0 ? 0 : errno)
    }
}
