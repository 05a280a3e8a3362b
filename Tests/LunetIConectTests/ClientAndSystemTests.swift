import LunetJSON
import Testing

@testable import LunetIConect

@Suite("iCONECT system endpoints and clients")
struct ClientAndSystemTests {
    @Test func systemEndpoints() async throws {
        try await withIConect { _, client in
            let user = try await client.get("/user")
            #expect(user.status == 200)
            #expect(user.json.object?.keys == [
                "id", "username", "first_name", "last_name", "phone_number", "email", "description", "state",
            ])
            let system = try await client.get("/system")
            #expect(system.json.array?.contains { $0["value"] == "11.2.5" } == true)
            #expect(try await client.get("/uploadtarget").json[0]?["project_id"] == 1)
            let servers = try await client.get("/dataservers")
            #expect(servers.json.count == 2)
            #expect(servers.json[0]?.object?.keys == ["id", "name", "type"])
            #expect(try await client.get("/projects/1/dataserver").json["name"] == "SQL-PRIMARY")
            #expect(try await client.get("/projects/99/dataserver").status == 404)
        }
    }

    @Test func listAndGet() async throws {
        try await withIConect { _, client in
            let list = try await client.get("/clients")
            #expect(list.status == 200)
            #expect(list.json.ids == [1, 2])
            let one = try await client.get("/clients/2")
            #expect(one.json == ["id": 2, "name": "Globex Corporation", "description": "Corporate legal department", "state": 0])
            let missing = try await client.get("/clients/42")
            #expect(missing.status == 404)
            #expect(missing.json == ["iconect_error": "Client 42 was not found"])
            let notANumber = try await client.get("/clients/abc")
            #expect(notANumber.status == 400)
            #expect(notANumber.error == "The value 'abc' is not valid for client_id.")
        }
    }

    @Test func createValidatesAndAnswers201() async throws {
        try await withIConect { _, client in
            let created = try await client.post("/clients", ["name": "Initech", "description": "TPS reports", "state": 0])
            #expect(created.status == 201)
            #expect(created.json == ["id": 3, "name": "Initech", "description": "TPS reports", "state": 0])
            let noName = try await client.post("/clients", ["description": "x", "state": 0])
            #expect(noName.status == 400)
            #expect(noName.error == "The name field is required.")
            let emptyDescription = try await client.post("/clients", ["name": "x", "description": "", "state": 0])
            #expect(emptyDescription.error == "The description field is required.")
            let badState = try await client.post("/clients", ["name": "x", "description": "y", "state": 1])
            #expect(badState.status == 400)
            #expect(badState.error?.contains("0 (Active), 2 (Disabled)") == true)
            let notJSON = try await client.send(.POST, url: client.api + "/clients", body: Array("{oops".utf8))
            #expect(notJSON.status == 400)
            let text = try await client.send(.POST, url: client.api + "/clients", body: Array("name".utf8), contentType: "text/plain")
            #expect(text.status == 415)
            #expect(text.error != nil)
            #expect(try await client.post("/clients", nil).status == 400)
            #expect(try await client.get("/clients").json.count == 3)
        }
    }

    @Test func updateActivateDeactivate() async throws {
        try await withIConect { _, client in
            let updated = try await client.put("/clients/2", ["name": "Globex Corp.", "description": "Legal", "state": 2])
            #expect(updated.status == 200)
            #expect(updated.json == ["id": 2, "name": "Globex Corp.", "description": "Legal", "state": 2])
            #expect(try await client.put("/clients/2", ["name": "Globex Corp."]).status == 400)
            #expect(try await client.put("/clients/9", ["name": "a", "description": "b", "state": 0]).status == 404)
            let activated = try await client.put("/clients/2/activate")
            #expect(activated.json == ["iconect_ok": "Client 2 activated"])
            #expect(try await client.get("/clients/2").json["state"] == 0)
            #expect(try await client.put("/clients/2/deactivate").json["iconect_ok"] != nil)
            #expect(try await client.get("/clients/2").json["state"] == 2)
            #expect(try await client.put("/clients/8/activate").status == 404)
        }
    }

    @Test func deleteRefusesClientsWithProjects() async throws {
        try await withIConect { _, client in
            let refused = try await client.delete("/clients/1")
            #expect(refused.status == 400)
            #expect(refused.error?.contains("associated with projects") == true)
            let created = try await client.post("/clients", ["name": "Temp", "description": "t", "state": 0])
            let id = try #require(created.json["id"]?.integer)
            let deleted = try await client.delete("/clients/\(id)")
            #expect(deleted.json == ["iconect_ok": .string("Client \(id) deleted")])
            #expect(try await client.get("/clients/\(id)").status == 404)
            #expect(try await client.delete("/clients/\(id)").status == 404)
        }
    }

    @Test func unknownAPIPathIsNotServed() async throws {
        try await withIConect { _, client in
            let reply = try await client.get("/nothing/here")
            #expect(reply.status == 404)
            #expect(reply.error == "No API operation at GET /iconect/api/v1/nothing/here")
            let deeper = try await client.get("/projects/1/nothing")
            #expect(deeper.status == 404)
            #expect(deeper.error != nil)
            let patch = try await client.send(.PATCH, url: client.api + "/clients/1")
            #expect(patch.status == 404 || patch.status == 405)
            // Real routes still win over the fallback.
            #expect(try await client.get("/projects/1/records/count").json == 600)
        }
    }
}
