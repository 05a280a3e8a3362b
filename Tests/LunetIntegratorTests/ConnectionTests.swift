import Foundation
import LunetJSON
import LunetSandbox
import Testing

@testable import LunetIntegrator

@Suite("integrator.io connections")
struct ConnectionTests {
    @Test func listPagesWithLinkHeaders() async throws {
        try await withIntegrator { server, client in
            let first = try await client.get("/connections")
            #expect(first.status == 200)
            #expect(first.json.array?.count == 100)
            #expect(first.next == server.baseURL + "/integrator/v1/connections?skip=100&limit=100")
            #expect(first.link("prev") == nil)
            let (all, pages) = try await client.all("/connections?limit=100")
            #expect(all.count == 250)
            #expect(pages == 3)
            #expect(Set(all.compactMap { $0["_id"]?.string }).count == 250)
            let small = try await client.get("/connections?limit=7&skip=14")
            #expect(small.json.array?.count == 7)
            #expect(small.next == server.baseURL + "/integrator/v1/connections?skip=21&limit=7")
            #expect(small.link("prev") == server.baseURL + "/integrator/v1/connections?skip=7&limit=7")
            let last = try await client.get("/connections?limit=100&skip=200")
            #expect(last.json.array?.count == 50)
            #expect(last.next == nil)
            #expect(try await client.get("/connections?limit=5000").json.array?.count == 250)
            for bad in ["limit=0", "limit=abc", "skip=-1"] {
                let reply = try await client.get("/connections?\(bad)")
                #expect(reply.status == 400, "\(bad)")
                #expect(reply.error?["code"] == "invalid_query_params")
            }
            // Secrets never leave the server.
            #expect(!all.contains { $0.serializedString().contains("sandbox-secret") })
        }
    }

    @Test func getTheSeedsSlackConnection() async throws {
        try await withIntegrator { _, client in
            let reply = try await client.get("/connections/5541e17a1383a6ce6e00000d")
            #expect(reply.status == 200)
            let connection = reply.json
            #expect(connection["_id"] == "5541e17a1383a6ce6e00000d")
            #expect(connection["lastModified"] == "2015-05-02T05:13:43.736Z")
            #expect(connection["type"] == "rest")
            #expect(connection["name"] == "Slack API")
            #expect(connection["rest"]?["bearerToken"] == "******")
            #expect(connection["rest"]?["pingRelativeURI"] == "api.test")
            #expect(connection["queues"] == [["name": "5541e17a1383a6ce6e00000d", "size": 0]])
            let missing = try await client.get("/connections/000000000000000000000000")
            #expect(missing.status == 404)
            #expect(missing.error?["code"] == "not_found")
            #expect(missing.error?["message"]?.string?.isEmpty == false)
        }
    }

    @Test func createValidatesAndMasks() async throws {
        try await withIntegrator { server, client in
            let cases: [(JSONValue, Int, String, String)] = [
                (["name": "x"], 422, "missing_required_field", "type"),
                (["type": "carrier-pigeon"], 422, "invalid_field", "type"),
                (["type": "rest", "name": "x"], 422, "missing_required_field", "rest"),
                (["type": "rest", "rest": ["mediaType": "json"]], 422, "missing_required_field", "rest.baseURI"),
                (["type": "ftp", "name": 5], 422, "invalid_field", "name"),
            ]
            for (body, status, code, field) in cases {
                let reply = try await client.post("/connections", body)
                #expect(reply.status == status, "\(body)")
                #expect(reply.error?["code"]?.string == code, "\(body)")
                #expect(reply.error?["field"]?.string == field, "\(body)")
            }
            let malformed = try await client.send(.POST, "/connections", raw: "{nope")
            #expect(malformed.status == 400)
            #expect(malformed.error?["code"] != nil)

            let created = try await client.post(
                "/connections",
                [
                    "type": "http", "name": "Acme", "_id": "ignored",
                    "http": [
                        "baseURI": "https://acme.example.com", "auth": ["type": "token", "token": ["token": "s3cret"]],
                    ],
                ])
            #expect(created.status == 201)
            let id = try #require(created.json["_id"]?.string)
            #expect(id.count == 24 && id != "ignored")
            #expect(created.json["http"]?["auth"]?["token"]?["token"] == "******")
            #expect(created.json["createdAt"]?.string?.hasSuffix("Z") == true)
            #expect(try await client.get("/connections/\(id)").json["name"] == "Acme")
            #expect(try await client.all("/connections?limit=1000").items.count == 251)
            let stored = try await server.store.namespaced("integrator").get("connections", id: id)
            #expect(stored?["http"]?["auth"]?["token"]?["token"] == "s3cret")
        }
    }

    @Test func putReplacesAndKeepsMaskedSecrets() async throws {
        try await withIntegrator { server, client in
            let id = "5541e17a1383a6ce6e00000d"
            var connection = try await client.get("/connections/\(id)").json.object!
            connection["name"] = "Slack (renamed)"
            connection["offline"] = false
            let replaced = try await client.put("/connections/\(id)", .object(connection))
            #expect(replaced.status == 200)
            #expect(replaced.json["name"] == "Slack (renamed)")
            #expect(replaced.json["createdAt"] == connection["createdAt"])
            #expect(replaced.json["lastModified"] != connection["lastModified"])
            let store = server.store.namespaced("integrator")
            #expect(try await store.get("connections", id: id)?["rest"]?["bearerToken"] == "xoxb-sandbox-secret")
            #expect(try await store.get("connections", id: id)?["queues"] == nil)
            // PUT replaces: fields left out are gone.
            let bare = try await client.put(
                "/connections/\(id)", ["type": "rest", "rest": ["baseURI": "https://slack.com/api"]])
            #expect(bare.json["name"] == nil)
            #expect(try await store.get("connections", id: id)?["rest"]?["bearerToken"] == nil)
            #expect(try await client.put("/connections/000000000000000000000000", ["type": "ftp"]).status == 404)
            #expect(try await client.put("/connections/\(id)", ["name": "no type"]).status == 422)
        }
    }

    @Test func deleteAnswers204ThenNotFound() async throws {
        try await withIntegrator { _, client in
            let id = IntegratorDemo.connectionID(10)
            let deleted = try await client.delete("/connections/\(id)")
            #expect(deleted.status == 204)
            #expect(deleted.bytes.isEmpty)
            #expect(try await client.get("/connections/\(id)").status == 404)
            #expect(try await client.delete("/connections/\(id)").status == 404)
            #expect(try await client.all("/connections?limit=1000").items.count == 249)
        }
    }

    @Test func pingSavedAndVirtual() async throws {
        try await withIntegrator { server, client in
            let ok = try await client.get("/connections/5541e17a1383a6ce6e00000d/ping")
            #expect(ok.status == 200)
            #expect(ok.json == ["code": 200])
            for index in [25, 6] {  // marked offline; a .invalid host
                let failed = try await client.get("/connections/\(IntegratorDemo.connectionID(index))/ping")
                #expect(failed.status == 422, "\(index)")
                #expect(failed.error?["code"] == "ping_failed")
            }
            #expect(try await client.get("/connections/000000000000000000000000/ping").status == 404)

            let before = try await server.store.namespaced("integrator").count("connections")
            let virtual = try await client.post(
                "/connections/ping", ["type": "rest", "rest": ["baseURI": "https://ok.example.com"]])
            #expect(virtual.json == ["code": 200])
            let unreachable = try await client.post(
                "/connections/ping", ["type": "rest", "rest": ["baseURI": "https://x.invalid/api"]])
            #expect(unreachable.status == 422)
            #expect(unreachable.error?["message"]?.string?.contains("x.invalid") == true)
            #expect(try await client.post("/connections/ping", ["name": "no type"]).error?["field"] == "type")
            #expect(try await server.store.namespaced("integrator").count("connections") == before)
        }
    }

    @Test func debugLogIsTextFilteredByResource() async throws {
        try await withIntegrator { _, client in
            let slack = "5541e17a1383a6ce6e00000d"
            _ = try await client.get("/connections/\(slack)/ping")
            _ = try await client.post(
                "/connections/\(slack)/export",
                ["export": ["_id": "exp1", "rest": ["relativeURI": "/conversations.list"]]])
            let log = try await client.get("/connections/\(slack)/debug")
            #expect(log.status == 200)
            #expect(log.header("Content-Type")?.hasPrefix("text/plain") == true)
            let lines = log.text.split(separator: "\n")
            #expect(lines.count == 4)
            #expect(lines.last?.contains("exp1") == true)
            let filtered = try await client.get("/connections/\(slack)/debug?_resourceId=exp1")
            #expect(filtered.text.split(separator: "\n").count == 1)
            #expect(try await client.get("/connections/\(slack)/debug/exp1").text == filtered.text)
            #expect(try await client.get("/connections/\(slack)/debug?_resourceId=none").text.isEmpty)
            #expect(try await client.get("/connections/000000000000000000000000/debug").status == 404)
        }
    }
}
