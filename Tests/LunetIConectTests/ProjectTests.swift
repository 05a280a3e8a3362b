import LunetJSON
import Testing

@testable import LunetIConect

@Suite("iCONECT projects")
struct ProjectTests {
    @Test func listFiltersProjectsAndTemplates() async throws {
        try await withIConect { _, client in
            #expect(try await client.get("/projects").json.ids == [1, 2])
            #expect(try await client.get("/projects?type=0").json.ids == [1, 2])
            #expect(try await client.get("/projects?type=1").json.ids == [3])
            #expect(try await client.get("/projects?type=2").json.ids == [1, 2, 3])
            #expect(try await client.get("/projects?type=5").status == 400)
            #expect(try await client.get("/projects?type=x").status == 400)
            let first = try await client.get("/projects").json[0]
            #expect(first?.object?.keys.prefix(3) == ["name", "description", "LID"])
            #expect(first?["LID"] == 1)
        }
    }

    @Test func getAndSettings() async throws {
        try await withIConect { _, client in
            let project = try await client.get("/projects/2")
            #expect(project.json["name"] == "Globex Internal Investigation")
            #expect(project.json["client_id"] == 2)
            #expect(try await client.get("/projects/2/settings").json["LID"] == 2)
            let missing = try await client.get("/projects/77")
            #expect(missing.status == 404)
            #expect(missing.error == "Project 77 was not found")
            #expect(try await client.get("/projects/77/settings").status == 404)
        }
    }

    @Test func createWithDefaultsAndValidation() async throws {
        try await withIConect { _, client in
            let created = try await client.post("/projects", ["name": "New Matter", "description": "d", "client_id": 1])
            #expect(created.status == 201)
            #expect(created.json["id"] == 4)
            #expect(created.json["LID"] == 4)
            #expect(created.json["state"] == 0)  // "If no state is provided the Project will be created as Active (0)"
            #expect(created.json["dataservers_id"] == 1)
            #expect(try await client.get("/projects/4/fields").json.count == 0)
            #expect(try await client.post("/projects", ["description": "no name"]).status == 400)
            #expect(try await client.post("/projects", ["name": "x", "client_id": 99]).status == 400)
            #expect(try await client.post("/projects", ["name": "x", "dataservers_id": 99]).status == 400)
            #expect(try await client.post("/projects", ["name": "x", "state": 1]).status == 400)
            #expect(try await client.post("/projects", ["name": "x", "type": 2]).status == 400)
            let notTemplate = try await client.post("/projects", ["name": "x", "project_template_id": 1])
            #expect(notTemplate.status == 400)
            #expect(notTemplate.error == "Project template 1 was not found")
        }
    }

    @Test func createFromTemplateCopiesStructure() async throws {
        try await withIConect { _, client in
            let created = try await client.post(
                "/projects", ["name": "From template", "description": "d", "project_template_id": 3, "state": 2, "type": 3])
            #expect(created.status == 201)
            let p = try #require(created.json["id"]?.integer)
            #expect(created.json["state"] == 2)
            #expect(try await client.get("/projects/\(p)/fields").json.count == 11)
            #expect(try await client.get("/projects/\(p)/panels").json.count == 3)
            let all = try await client.get("/projects/\(p)/panels/1/folders/0")
            #expect(all.json.count == 5)
            let hot = all.json.array?.first { $0["name"] == "Hot" }
            #expect(hot?["full_name"] == "First Pass\\Responsive\\Hot")
            #expect(try await client.get("/projects/\(p)/records/count").json == 0)
            #expect(try await client.get("/projects/\(p)/filestores").json.count == 1)
        }
    }

    @Test func updateDeleteActivate() async throws {
        try await withIConect { _, client in
            let updated = try await client.put("/projects/2", ["name": "Renamed", "description": "New description"])
            #expect(updated.json == ["name": "Renamed", "description": "New description", "LID": 2])
            #expect(try await client.put("/projects/2", ["name": "Renamed"]).status == 400)
            #expect(try await client.put("/projects/99", ["name": "a", "description": "b"]).status == 404)
            #expect(try await client.put("/projects/2/deactivate").json["iconect_ok"] == "Project 2 deactivated")
            #expect(try await client.get("/projects/2").json["state"] == 2)
            #expect(try await client.put("/projects/2/activate").status == 200)
            #expect(try await client.get("/projects/2").json["state"] == 0)
            let deleted = try await client.delete("/projects/2")
            #expect(deleted.json == ["iconect_ok": "Project 2 deleted"])
            #expect(try await client.get("/projects/2").status == 404)
            #expect(try await client.get("/projects/2/records").status == 404)
            #expect(try await client.delete("/projects/2").status == 404)
            // The upload target goes with its project.
            #expect(try await client.delete("/projects/1").status == 200)
            #expect(try await client.get("/uploadtarget").json == [])
        }
    }

    @Test func projectClient() async throws {
        try await withIConect { _, client in
            #expect(try await client.get("/projects/1/clients").json["name"] == "Acme Legal LLP")
            let none = try await client.get("/projects/3/clients")
            #expect(none.status == 404)
            #expect(none.error == "Project 3 has no client")
            #expect(try await client.put("/projects/3/clients/2").json["iconect_ok"] == "Client 2 added to project 3")
            #expect(try await client.get("/projects/3/clients").json["id"] == 2)
            // One client per project: adding another replaces it.
            _ = try await client.put("/projects/3/clients/1")
            #expect(try await client.get("/projects/3/clients").json["id"] == 1)
            let wrong = try await client.delete("/projects/3/clients/2")
            #expect(wrong.status == 404)
            #expect(try await client.delete("/projects/3/clients/1").json["iconect_ok"] == "Client 1 removed from project 3")
            #expect(try await client.get("/projects/3/clients").status == 404)
            #expect(try await client.put("/projects/3/clients/9").status == 404)
            #expect(try await client.put("/projects/9/clients/1").status == 404)
        }
    }
}
