import Foundation
import LunetJSON
import Testing

@testable import LunetIntegrator

@Suite("integrator.io state API")
struct StateTests {
    @Test func keysValuesAndDeletes() async throws {
        try await withIntegrator { _, client in
            #expect(try await client.get("/state").json == ["keys": ["banana", "lastSync"]])
            #expect(try await client.get("/state/banana").json == ["message": "Don't slip!"])
            let missing = try await client.get("/state/nope")
            #expect(missing.status == 404)
            #expect(missing.error?["code"] == "not_found")

            let created = try await client.put("/state/cursor", ["value": 41, "list": [1, "two", nil]])
            #expect(created.status == 201)
            #expect(created.text == "Created")
            let updated = try await client.put("/state/cursor", ["value": 42])
            #expect(updated.status == 200)
            #expect(updated.text == "OK")
            #expect(try await client.get("/state/cursor").json == ["value": 42])
            #expect(try await client.put("/state/n", 7).status == 201)
            #expect(try await client.get("/state/n").json == 7)
            #expect(try await client.put("/state/with%20space", "x").status == 201)
            #expect(try await client.get("/state").json["keys"] == ["banana", "cursor", "lastSync", "n", "with space"])
            #expect(try await client.send(.PUT, "/state/bad", raw: "{oops").status == 400)

            #expect(try await client.delete("/state/cursor").status == 204)
            #expect(try await client.get("/state/cursor").status == 404)
            #expect(try await client.delete("/state/cursor").status == 404)
            let wiped = try await client.delete("/state")
            #expect(wiped.status == 204)
            let none = try await client.get("/state")
            #expect(none.status == 204)
            #expect(none.bytes.isEmpty)
        }
    }
}
