import Foundation
import LunetJSON
import LunetSandbox
import LunetTestSupport
import Testing

@testable import LunetIConect

@Suite("iCONECT views, templates, and the sandbox seam")
struct ViewTemplateAndSandboxTests {
    @Test func viewsFromSelectionsAndSearches() async throws {
        try await withIConect { _, client in
            let selected = try await client.post("/projects/1/views", ["selected_ids": [5, 3, 9999]])
            #expect(selected.status == 201)
            #expect(selected.json.object?.keys == ["name", "description", "LID", "id"])
            let v = try #require(selected.json["LID"]?.integer)
            #expect(try await client.get("/projects/1/records?view_id=\(v)").json.ids == [3, 5])

            let inverted = try await client.post("/projects/1/views", ["selected_ids": [1, 2], "invert_selection": true])
            #expect(try await client.get("/projects/1/records?view_id=\(inverted.json["id"]!.integer!)&page_size=1000").json.count == 598)

            let search = try await client.post("/projects/1/views", ["search_query": "termination carla"])
            let found = try await client.get("/projects/1/records?view_id=\(search.json["id"]!.integer!)&page_size=1000&field_ids=3,4").json
            #expect(found.count > 0)
            #expect(found.array?.allSatisfy { $0["field_data"]?["3"] == "Termination notice" && $0["field_data"]?["4"] == "Carla Novak" } == true)

            let both = try await client.post("/projects/1/views", ["selected_ids": [1], "search_query": "x"])
            #expect(both.status == 400)
            #expect(try await client.post("/projects/1/views", ["invert_selection": true]).status == 400)
            let past = try await client.post("/projects/1/views", ["selected_ids": [1], "expiry_date": "2020-01-01T00:00:00Z"])
            #expect(past.error == "expiry_date must be in the future.")
            let future = try await client.post("/projects/1/views", ["selected_ids": [1], "expiry_date": "2099-01-01T00:00:00Z"])
            #expect(future.status == 201)

            let deleted = try await client.delete("/projects/1/views/\(v)")
            #expect(deleted.json["LID"] == .integer(v))
            #expect(try await client.get("/projects/1/records?view_id=\(v)").status == 404)
            #expect(try await client.delete("/projects/1/views/\(v)").status == 404)
        }
    }

    @Test func templates() async throws {
        try await withIConect { _, client in
            let list = try await client.get("/projects/1/templates?type=7")
            #expect(list.json.ids == [1, 2])
            #expect(list.json[0]?["type"] == 7)
            #expect(try await client.get("/projects/1/templates").error == "The type parameter is required.")
            #expect(try await client.get("/projects/1/templates?type=3").status == 400)
            #expect(try await client.get("/projects/2/templates?type=7").json == [])
            #expect(try await client.get("/projects/8/templates?type=7").status == 404)
        }
    }

    @Test func resetEmptiesButSignInStillWorks() async throws {
        try await withIConect { server, client in
            await server.reset()
            var fresh = client
            try await fresh.signIn()
            #expect(try await fresh.get("/clients").json == [])
            #expect(try await fresh.get("/projects?type=2").json == [])
            // Seeding again gives the same data, however often.
            try await server.seed("demo")
            try await server.seed("demo")
            #expect(try await fresh.get("/clients").json.ids == [1, 2])
            #expect(try await fresh.get("/projects/1/records/count").json == 600)
            await #expect(throws: SandboxError.self) { try await server.seed("no-such-seed") }
        }
    }

    @Test func emptySandboxCanBeBuiltThroughTheAPI() async throws {
        try await withIConect(seed: nil) { _, client in
            let project = try await client.post("/projects", ["name": "Scratch"])
            #expect(project.status == 201)
            #expect(project.json["dataservers_id"] == 0)
            #expect(try await client.get("/uploadtarget").json == [])
        }
    }

    @Test func dataSurvivesARestartWithSQLite() async throws {
        let directory = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (token, upload) = try await withIConect(data: directory) { _, client in
            _ = try await client.post("/clients", ["name": "Durable", "description": "kept", "state": 0])
            _ = try await client.upload("/projects/1/records/5/files/9", testBytes(5000), filename: "kept.bin")
            _ = try await client.settings(["access_token_lifetime": 600])
            return (client.token, try await client.get("/projects/1/records/5").json["version"])
        }
        try await withIConect(seed: nil, data: directory) { (_, client) async throws -> Void in
            var old = client
            old.token = token
            #expect(try await old.get("/clients/3").json["name"] == "Durable")
            #expect(try await client.get("/projects/1/records/count").json == 600)
            #expect(try await client.get("/projects/1/records/5").json["version"] == upload)
            #expect(try await client.get("/projects/1/records/5/files/9").bytes == testBytes(5000))
            #expect(try await client.send(.GET, url: client.base + "/_sandbox/settings").json["access_token_lifetime"] == 600)
        }
    }

    @Test func routeTableNamesEveryPathOnce() {
        var seen = Set<String>()
        for (name, route) in IConectRoutes.table {
            #expect(["GET", "POST", "PUT", "DELETE"].contains(route.method), "\(name)")
            #expect(route.path.hasPrefix("/"), "\(name)")
            #expect(seen.insert(route.method + " " + route.path).inserted, "\(name) repeats a route")
        }
        #expect(IConectRoutes.table["identity.token"]?.path == "/openid/token")
    }
}
