import Foundation
import LunetJSON
import Testing

@testable import LunetIntegrator

@Suite("integrator.io auth and rate limit")
struct AuthTests {
    @Test func unauthorizedIsABareMessage() async throws {
        try await withIntegrator { _, client in
            let none = try await client.with(token: nil).get("/connections")
            #expect(none.status == 401)
            #expect(none.json == ["message": "Unauthorized"])
            let wrong = try await client.with(token: "nope").get("/connections")
            #expect(wrong.status == 401)
            #expect(wrong.json == ["message": "Bearer Authentication Failed"])
            let basic = try await client.with(token: nil).send(
                .GET, "/connections", headers: [("Authorization", "Basic eDp5")])
            #expect(basic.json == ["message": "Bearer Authentication Failed"])
            let info = try await client.get("/tokenInfo")
            #expect(info.json == ["_userId": "5e03061cda20740022300f09", "scope": "*"])
        }
    }

    @Test func issuedTokensExpireAndCanBeRevoked() async throws {
        try await withIntegrator { _, client in
            let issued = try await client.control(.POST, "tokens", ["expiresIn": 0.6])
            #expect(issued.status == 201)
            let token = try #require(issued.json["token"]?.string)
            #expect(issued.json["expiresAt"]?.string?.hasSuffix("Z") == true)
            let short = client.with(token: token)
            #expect(try await short.get("/state").status == 200)
            try await Task.sleep(for: .milliseconds(800))
            let expired = try await short.get("/state")
            #expect(expired.status == 401)
            #expect(expired.json == ["message": "Bearer Authentication Failed"])

            let forever = try await client.control(.POST, "tokens", [:])
            #expect(forever.json["expiresAt"] == .null)
            let kept = client.with(token: forever.json["token"]!.string!)
            #expect(try await kept.get("/state").status == 200)
            #expect(try await client.control(.DELETE, "tokens/\(forever.json["token"]!.string!)").status == 204)
            #expect(try await kept.get("/state").status == 401)
            #expect(try await client.control(.DELETE, "tokens/nope").status == 404)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await withIntegrator { _, client in
            let defaults = try await client.control(.GET, "rate-limit")
            #expect(defaults.json == ["requestsPerSecond": 300.0, "burst": 1000.0])
            _ = try await client.control(.PUT, "rate-limit", ["requestsPerSecond": 0.5, "burst": 3])
            for _ in 0..<3 { #expect(try await client.get("/state").status == 200) }
            let limited = try await client.get("/state")
            #expect(limited.status == 429)
            #expect(limited.error?["code"] == "rate_limited")
            let wait = try #require(limited.header("Retry-After").flatMap { Int($0) })
            #expect(wait == 2)  // one request drains in 2 s at 0.5 a second
            // Per token: another token still has its whole bucket.
            let other = try await client.control(.POST, "tokens", [:]).json["token"]!.string!
            #expect(try await client.with(token: other).get("/state").status == 200)
            // Unauthenticated requests are refused before they are counted.
            #expect(try await client.with(token: nil).get("/state").status == 401)
            try await Task.sleep(for: .seconds(wait))
            #expect(try await client.get("/state").status == 200)
            _ = try await client.control(.PUT, "rate-limit", ["requestsPerSecond": 0])
            for _ in 0..<10 { #expect(try await client.get("/state").status == 200) }
        }
    }
}
