import Foundation
import LunetJSON
import Testing
@testable import LunetRuntime

@Suite("HTTP retries")
struct RetryTests {
    @Test func retries503ThenSucceeds() async throws {
        try await withTestServer { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock)
            let response = try await engine.send(HTTPRequest(.get, server.url("/test/flaky?key=a&fail=2&status=503")))
            #expect(response.status == 200)
            #expect(response.attempts == 3)
            #expect(try response.json()["attempt"] == 3)
            #expect(clock.sleeps.count == 2)
            #expect(engine.stats.snapshot.retries == 2)
        }
    }

    @Test func retryAfterIsNeverUndercut() async throws {
        try await withTestServer { server in
            let clock = VirtualClock()
            // random 0.99: backoffs 0.495 s, 0.99 s, 1.98 s, all below Retry-After.
            let engine = makeEngine(clock: clock.engineClock, random: 0.99)
            let response = try await engine.send(
                HTTPRequest(.get, server.url("/test/flaky?key=b&fail=3&status=429&retry_after=2")))
            #expect(response.status == 200)
            #expect(clock.sleeps == [.seconds(2), .seconds(2), .seconds(2)])
        }
    }

    @Test func backoffIsExponentialWithFullJitter() async throws {
        try await withTestServer { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock, random: 0.5) { $0.retry.cap = .milliseconds(1500) }
            _ = try await engine.send(HTTPRequest(.get, server.url("/test/flaky?key=c&fail=4&status=503")))
            // min(cap, 0.5 s · 2ⁿ⁻¹) · 0.5
            #expect(clock.sleeps == [.milliseconds(250), .milliseconds(500), .milliseconds(750), .milliseconds(750)])
        }
        let policy = RetryPolicy(base: .seconds(1), cap: .seconds(8))
        #expect(policy.backoff(retry: 1, random: 0) == .zero)
        #expect(policy.backoff(retry: 3, random: 0.999) == .milliseconds(3996))
        #expect(policy.backoff(retry: 10, random: 0.5) == .seconds(4))
    }

    @Test func retryAfterForms() {
        let now = Date(timeIntervalSince1970: 1_445_412_470)  // 2015-10-21 07:27:50 GMT
        #expect(RetryAfter.delay("120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(" 0 ", now: now) == .zero)
        #expect(RetryAfter.delay("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay("Wednesday, 21-Oct-15 07:28:00 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay("Wed Oct 21 07:28:00 2015", now: now) == .seconds(10))
        #expect(RetryAfter.delay("Wed, 21 Oct 2015 07:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.delay("soon", now: now) == nil)
        #expect(RetryAfter.delay(nil, now: now) == nil)
    }

    @Test func retryAfterHTTPDateIsHonoured() async throws {
        try await withTestServer { server in
            let clock = VirtualClock()
            let date = RetryAfter.format(clock.date.addingTimeInterval(7)).replacingOccurrences(of: " ", with: "%20")
            let engine = makeEngine(clock: clock.engineClock, random: 0)
            _ = try await engine.send(HTTPRequest(.get, server.url("/test/flaky?key=d&fail=1&status=503&retry_after=\(date)")))
            #expect(clock.sleeps == [.seconds(7)])
        }
    }

    @Test func realRetryAfterWaitsAtLeastThatLong() async throws {
        try await withTestServer { server in
            let engine = makeEngine(random: 0)
            let start = ContinuousClock.now
            let response = try await engine.send(
                HTTPRequest(.get, server.url("/test/flaky?key=e&fail=1&status=503&retry_after=1")))
            let elapsed = ContinuousClock.now - start
            #expect(response.attempts == 2)
            #expect(elapsed >= .seconds(1))
            #expect(elapsed < .seconds(10))  // generous: other suites load the machine
        }
    }

    @Test func status500IsRetriedForGetButNotPost() async throws {
        try await withTestServer { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock)
            let get = try await engine.send(HTTPRequest(.get, server.url("/test/flaky?key=f&fail=1&status=500")))
            #expect(get.attempts == 2)
            let error = await apiError {
                try await engine.send(HTTPRequest(.post, server.url("/test/flaky?key=g&fail=1&status=500")))
            }
            #expect(error?.status == 500)
            #expect(error?.attempts == 1)
            #expect(error?.retryable == false)
            // 503 says the server declined the work: safe for POST too.
            let post503 = try await engine.send(HTTPRequest(.post, server.url("/test/flaky?key=h&fail=1&status=503")))
            #expect(post503.attempts == 2)
            // 502 leaves open whether it acted: not for POST, unless declared safe.
            let post502 = await apiError {
                try await engine.send(HTTPRequest(.post, server.url("/test/flaky?key=i&fail=1&status=502")))
            }
            #expect(post502?.attempts == 1)
            let chunk = try await engine.send(
                HTTPRequest(.post, server.url("/test/flaky?key=j&fail=1&status=502"), retry: .safe))
            #expect(chunk.attempts == 2)
        }
    }

    @Test func postIsNotRetriedAfterAReset() async throws {
        let raw = try RawServer(.resetAfterRequest)
        defer { raw.stop() }
        let clock = VirtualClock()
        let engine = makeEngine(clock: clock.engineClock, maxAttempts: 3)
        let url = URL(string: "http://127.0.0.1:\(raw.port)/create")!
        let post = await apiError { try await engine.send(HTTPRequest(.post, url, body: .json(["a": 1]))) }
        #expect(post?.status == nil)
        #expect(post?.transport == .reset)
        #expect(post?.attempts == 1)
        #expect(post?.retryable == false)
        #expect(raw.connections == 1)
        let get = await apiError { try await engine.send(HTTPRequest(.get, url)) }
        #expect(get?.transport == .reset)
        #expect(get?.attempts == 3)
        #expect(raw.connections == 4)
    }

    @Test func postIsNotRetriedAfterATimeout() async throws {
        try await withTestServer { server in
            let engine = makeEngine(maxAttempts: 2)
            let url = server.url("/test/slow?ms=1500")
            let post = await apiError { try await engine.send(HTTPRequest(.post, url, timeout: .milliseconds(200))) }
            #expect(post?.transport == .timeout)
            #expect(post?.attempts == 1)
            #expect(post?.message.contains("no complete response within") == true)
            let get = await apiError { try await engine.send(HTTPRequest(.get, url, timeout: .milliseconds(200))) }
            #expect(get?.transport == .timeout)
            #expect(get?.attempts == 2)
        }
    }

    @Test func postIsRetriedAfterConnectionRefused() async throws {
        let port = RawServer.closedPort()
        let clock = VirtualClock()
        let started = LockedBox<TestServer?>(nil)
        // The server comes up while the engine waits to retry: the POST
        // that was refused is sent again and arrives exactly once.
        clock.onSleep = { n in
            if n == 1 { started.value = try? await TestServer.start(port: port) }
        }
        let engine = makeEngine(clock: clock.engineClock, maxAttempts: 3)
        let url = URL(string: "http://127.0.0.1:\(port)/test/flaky?key=refused&fail=0")!
        let response = try await engine.send(HTTPRequest(.post, url, body: .json(["create": true])))
        #expect(response.status == 200)
        #expect(response.attempts == 2)
        #expect(try response.json()["attempt"] == 1)
        await started.value?.stop()

        let nobody = RawServer.closedPort()
        let error = await apiError {
            try await engine.send(HTTPRequest(.post, URL(string: "http://127.0.0.1:\(nobody)/x")!))
        }
        #expect(error?.transport == .connect)
        #expect(error?.attempts == 3)
        #expect(error?.retryable == true)
        #expect(error?.message.contains("refused") == true)
    }

    @Test func retryBudgetStopsAStorm() async throws {
        try await withTestServer { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock, budget: RetryBudget(ratio: 0, floor: 3))
            var errors: [APIError] = []
            for _ in 0..<10 {
                if let e = await apiError({ try await engine.send(HTTPRequest(.get, server.url("/test/status/503"))) }) {
                    errors.append(e)
                }
            }
            #expect(errors.count == 10)
            #expect(engine.stats.snapshot.retries == 3)
            #expect(engine.stats.snapshot.requests == 10)
            #expect(engine.stats.snapshot.failures == 10)
            #expect(errors.last?.attempts == 1)
            #expect(errors.last?.message.contains("retry budget") == true)
            #expect(clock.sleeps.count == 3)
        }
        let budget = RetryBudget(ratio: 0.1, floor: 2)
        for _ in 0..<30 { budget.recordRequest() }
        #expect((0..<10).filter { _ in budget.spend() }.count == 5)  // 2 + 10 % of 30
    }

    @Test func overallDeadlineBoundsRetries() async throws {
        try await withTestServer { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock, maxAttempts: 10) { $0.deadline = .seconds(5) }
            let error = await apiError {
                try await engine.send(HTTPRequest(.get, server.url("/test/status/503?retry_after=2")))
            }
            #expect(clock.sleeps == [.seconds(2), .seconds(2)])
            #expect(error?.attempts == 3)
            #expect(error?.status == 503)
            #expect(error?.message.contains("Retry-After 2 s is past the deadline") == true)
        }
    }

    @Test func overallDeadlineInRealTime() async throws {
        try await withTestServer { server in
            let engine = makeEngine { $0.requestTimeout = .seconds(10) }
            let start = ContinuousClock.now
            let error = await apiError {
                try await engine.send(HTTPRequest(.get, server.url("/test/slow?ms=30000"), deadline: .milliseconds(500)))
            }
            let elapsed = ContinuousClock.now - start
            #expect(error?.transport == .timeout)
            #expect(error?.message.contains("deadline of 0.5 s reached") == true)
            #expect(elapsed >= .milliseconds(450))
            #expect(elapsed < .seconds(10))  // the server would answer after 30 s
        }
    }
}

/// A mutable box for values set from @Sendable closures in tests.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
