import Foundation
import LunetJSON
import Testing

@testable import LunetICL

@Suite("iCL emulator: data in SQLite survives a restart; reset and seed")
struct PersistenceTests {
    @Test func sqliteKeepsItemsTypesTokensAndFeedPositions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lunet-icl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (session, token, created) = try await withICL(seed: "demo", data: directory) { _, client in
            let portal = try await client.login()
            let created = try await portal.post("/api/content/building", ["externalId": "HG", "buildingname": "HG", "strasse": "Straße 1"])
            #expect(created.status == 200)
            let head = try await portal.get("/api/content/getchanges?changeToken=__________8")
            return (portal.token, try #require(head.json["NextChangeToken"]?.string), created.json)
        }
        try await withICL(data: directory) { _, client in
            var portal = client
            portal.token = session
            #expect(try await portal.get("/api/content/building/HG").json == created)
            #expect(try await portal.get("/api/content/building?$inlinecount=allpages&$top=0").result["__count"] == 1201)
            #expect(try await portal.get("/api/contenttype/elevator").status == 200)
            #expect(try await portal.get("/api/content/getchanges?changeToken=\(token)").json["Results"] == [])
            // Validation errors and the atomic batch's rollback behave the same in SQLite.
            #expect(try await portal.post("/api/content/building", ["externalId": "X", "buildingname": "X"]).status == 400)
            let batch = try await portal.put(
                "/api/content/building/batch",
                [["externalId": "B1", "buildingname": "B1", "strasse": "Gasse 1"], ["externalId": "B2", "buildingname": "B2"]])
            #expect(batch.json["errored"]?.array?.count == 1)
            #expect(try await portal.get("/api/content/building/B1").status == 404)
            _ = try await portal.delete("/api/content/building/HG")
            let feed = try await portal.get("/api/content/getchanges?changeToken=\(token)")
            #expect(strings(feed.json["Results"]?.array ?? [], "externalId") == ["HG"])
        }
    }

    @Test func resetEmptiesAndDemoIsRepeatable() async throws {
        try await withICL(seed: "demo") { server, client in
            let portal = try await client.login()
            let first = try await portal.get("/api/content/building/GB-00012")
            #expect(first.json["strasse"] == "Hansonstrasse 23")
            await server.reset()
            let fresh = try await client.login()
            #expect(try await fresh.get("/api/contenttypes?$inlinecount=allpages").result["__count"] == 0)
            #expect(try await fresh.get("/api/content?$inlinecount=allpages").result["__count"] == 0)
            _ = try await server.seed("demo")
            #expect(try await fresh.get("/api/content/building/GB-00012").json == first.json)
            await #expect(throws: (any Error).self) { try await server.seed("nosuchseed") }
        }
    }
}
