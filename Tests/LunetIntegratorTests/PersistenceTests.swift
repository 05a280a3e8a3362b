import Foundation
import LunetJSON
import LunetTestSupport
import Testing

@testable import LunetIntegrator

@Suite("integrator.io data in SQLite survives a restart")
struct PersistenceTests {
    @Test func connectionsStateAndPagedExportsSurvive() async throws {
        let directory = try temporaryTestDirectory("lunet-integrator")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model: JSONValue = ["pageSize": 300, "netsuite": ["searches": [["recordType": "customRecord"]]]]
        let (connection, state, token) = try await withIntegrator(data: directory) { _, client in
            let created = try await client.post(
                "/connections", ["type": "ftp", "name": "Kept", "ftp": ["password": "p"]])
            _ = try await client.put("/state/kept", ["yes": true])
            let first = try await client.post("/connections/\(IntegratorDemo.netsuite)/export/pages", ["export": model])
            let token = try await client.control(.POST, "tokens", [:]).json["token"]!.string!
            return (created.json, first.json["pagedExportState"]!, token)
        }
        try await withIntegrator(seed: nil, data: directory) { _, client in
            #expect(try await client.get("/connections/\(connection["_id"]!.string!)").json["name"] == "Kept")
            #expect(try await client.get("/state/kept").json == ["yes": true])
            #expect(try await client.with(token: token).get("/state").status == 200)
            let second = try await client.post(
                "/connections/\(IntegratorDemo.netsuite)/export/pages", ["export": model, "pagedExportState": state])
            #expect(second.status == 200)
            #expect(second.json["data"]?[0]?["row"] == 301)
        }
    }
}
