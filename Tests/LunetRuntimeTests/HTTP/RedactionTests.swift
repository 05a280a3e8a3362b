import Foundation
import LunetJSON
import LunetSandbox
import Testing
@testable import LunetRuntime

@Suite("HTTP redaction and tracing")
struct RedactionTests {
    @Test func namesThatCarrySecretsAreMasked() {
        let r = Redactor()
        #expect(r.header("Authorization", "Bearer abc.def") == "Bearer ••••")
        #expect(r.header("authorization", "apikey user:key") == "apikey ••••")
        #expect(r.header("Cookie", "session=1") == "••••")
        #expect(r.header("X-Api-Key", "k") == "••••")
        #expect(r.header("X-Refresh-Token", "t") == "••••")
        #expect(r.header("X-Client-Secret", "s") == "••••")
        #expect(r.header("Content-Type", "application/json") == "application/json")
        #expect(
            r.url("https://h/cb?code=xyz&state=s1&access_token=a.b&apikey=k&page=2")
                == "https://h/cb?code=••••&state=s1&access_token=••••&apikey=••••&page=2")
        #expect(r.url("https://user:pw@h/x") == "https://user:••••@h/x")
        #expect(
            r.form([QueryItem("grant_type", "password"), QueryItem("username", "alice"), QueryItem("password", "pw")])
                == "{grant_type=password, username=alice, password=••••}")
        let json: JSONValue = [
            "user": "alice", "accessToken": "t1", "nested": [["refresh_token": "t2", "client_secret": "s", "changeToken": "42"]],
            "token": nil,
        ]
        #expect(
            r.json(json)
                == ["user": "alice", "accessToken": "••••", "nested": [["refresh_token": "••••", "client_secret": "••••", "changeToken": "42"]], "token": nil])
    }

    @Test func registeredSecretsAreMaskedAnywhere() {
        let r = Redactor()
        r.register(secret: "s3cr3t-value")
        r.register(secret: "abc")  // too short to mask safely
        #expect(r.scrub("the server said: bad key s3cr3t-value!") == "the server said: bad key ••••!")
        #expect(r.scrub("abc") == "abc")
        #expect(r.json(["message": "echo s3cr3t-value"]) == ["message": "echo ••••"])
    }

    @Test func aTraceOfAGrantAndACallHoldsNoSecret() async throws {
        let secret = "client-secret-7f3a9"
        let api = TestAPI(oauth: .init(clientID: "lunet-cli", clientSecret: secret))
        try await withTestServer(api) { server in
            let capture = TraceCapture()
            let redactor = Redactor()
            let engine = makeEngine(redactor: redactor, trace: capture.log(redactor: redactor))
            let client = OAuth2Client(
                tokenURL: server.url("/test/oauth/token"), clientID: "lunet-cli", clientSecret: secret, api: .integrator,
                engine: engine)
            let auth = OAuth2Provider(client: client, mode: .clientCredentials)
            let token = try await auth.validToken().accessToken
            _ = try await engine.send(HTTPRequest(.get, server.url("/test/protected")), .init(api: .integrator, auth: auth))
            // A server that echoes what it got must not leak it either.
            _ = try await engine.send(
                HTTPRequest(.post, server.url("/test/echo?access_token=\(token)"), body: .json(["client_secret": .string(secret), "note": .string("token \(token)")])))

            let trace = capture.text
            print(trace)
            #expect(!trace.contains(secret))
            #expect(!trace.contains(token))
            #expect(trace.contains("→ POST \(server.base)/test/oauth/token form{grant_type=client_credentials, client_id=lunet-cli, client_secret=••••}"))
            #expect(trace.contains(#""access_token":"••••""#))
            #expect(capture.lines.contains { $0.hasPrefix("← 200 OK ") && $0.contains(" ms") })

            let error = await apiError {
                try await engine.send(HTTPRequest(.get, server.url("/test/status/500?access_token=\(token)&message=bad%20\(token)"), retry: .never))
            }
            #expect(error?.url.contains(token) == false)
            #expect(error?.url.contains("access_token=••••") == true)
            #expect(error?.message == "bad ••••")
            #expect(error.map { "\($0)" }?.contains(token) == false)
        }
    }

    @Test func retriesAndRedirectsAreTraced() async throws {
        try await withTestServer { server in
            let capture = TraceCapture()
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock, random: 0.5, trace: capture.log())
            _ = try await engine.send(HTTPRequest(.get, server.url("/test/flaky?key=t&fail=2&status=503")))
            _ = try await engine.send(
                HTTPRequest(.get, server.url("/test/redirect"), query: [QueryItem("to", "http://localhost:\(server.port)/test/echo")], redirects: .follow()))
            let lines = capture.lines
            #expect(lines.contains("↻ 503, retry 1 in 0.2 s"))
            #expect(lines.contains("↻ 503, retry 2 in 0.5 s"))
            #expect(lines.contains("↪ 302 to http://localhost:\(server.port)/test/echo (credentials not forwarded)"))
            #expect(lines.filter { $0.hasPrefix("→ GET") }.count == 5)
        }
    }

    @Test func runStatisticsSummarise() async throws {
        try await withTestServer { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock)
            _ = try await engine.send(HTTPRequest(.post, server.url("/test/echo"), body: .bytes(Array(repeating: 1, count: 1000), contentType: "application/octet-stream")))
            _ = try await engine.send(HTTPRequest(.get, server.url("/test/flaky?key=s&fail=1")))
            _ = await apiError { try await engine.send(HTTPRequest(.get, server.url("/test/status/404"))) }
            let s = engine.stats.snapshot
            #expect(s.requests == 3)
            #expect(s.retries == 1)
            #expect(s.failures == 1)
            #expect(s.bytesSent == 1000)
            #expect(s.bytesReceived > 1000)
            #expect(engine.stats.summary.hasPrefix("HTTP: 3 requests, 1 retry, 1 failed, 1000 B sent, "))
        }
    }
}
