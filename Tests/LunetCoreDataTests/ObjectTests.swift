import Foundation
import LunetJSON
import Testing

@testable import LunetCoreData

@Suite("CoreData objects: auth, trailing slash, get, create, change")
struct ObjectTests {
    @Test func authenticationIsRequired() async throws {
        try await withCoreData { _, client in
            let none = try await client.get("/api/v2/projects/", authorized: false)
            #expect(none.status == 401)
            #expect(none.error != nil)
            for header in [
                "apikey lunet:wrong", "apikey nobody:coredata-sandbox-key", "Bearer coredata-sandbox-key",
                "apikey coredata-sandbox-key",
            ] {
                let reply = try await client.send(.GET, "/api/v2/projects/", headers: [("Authorization", header)])
                #expect(reply.status == 401, "\(header)")
                #expect(reply.error != nil)
            }
            // The scheme is case-insensitive, as in Tastypie.
            let upper = try await client.send(
                .GET, "/api/v2/spaces/", headers: [("Authorization", "ApiKey lunet:coredata-sandbox-key")])
            #expect(upper.status == 200)
        }
    }

    @Test func pathsWithoutTrailingSlashRedirect() async throws {
        try await withCoreData { _, client in
            let list = try await client.get("/api/v2/projects?limit=5&title__startswith=Board")
            #expect(list.status == 301)
            #expect(list.header("Location") == "/coredata/api/v2/projects/?limit=5&title__startswith=Board")
            // The redirect comes before authentication (Django's middleware).
            #expect(try await client.get("/api/v2/spaces", authorized: false).status == 301)
            let object = try await client.get("/api/v2/contacts/\(CoreDataDemo.sampleContactID)")
            #expect(object.header("Location") == "/coredata/api/v2/contacts/\(CoreDataDemo.sampleContactID)/")
            // A POST is redirected too, and creates nothing.
            let post = try await client.post(
                "/api/v2/projects", ["space": .string(CoreDataDemo.id(.spaces, 0)), "title": "x"])
            #expect(post.status == 301)
            #expect(post.header("Location") == "/coredata/api/v2/projects/")
            #expect(try await client.get("/api/v2/projects/?limit=1").json["meta"]?["total_count"] == 310)
            #expect(try await client.get("/api/v2/files/\(CoreDataDemo.id(.files, 0))/content").status == 301)
        }
    }

    @Test func singleObjectsAnd404() async throws {
        try await withCoreData { _, client in
            for resource in CoreDataResource.allCases {
                let id = CoreDataDemo.id(resource, 1)
                let reply = try await client.get("/api/v2/\(resource.rawValue)/\(id)/")
                #expect(reply.status == 200, "\(resource)")
                #expect(reply.json["id"]?.string == id)
                #expect(reply.json["type"]?.string == resource.typeName)
                #expect(reply.json["_sandbox"] == nil)
                let missing = try await client.get("/api/v2/\(resource.rawValue)/nope/")
                #expect(missing.status == 404)
                #expect(missing.error?.contains("nope") == true)
            }
        }
    }

    @Test func createProject() async throws {
        try await withCoreData { _, client in
            let space = CoreDataDemo.id(.spaces, 2)
            let missingSpace = try await client.post("/api/v2/projects/", ["title": "New"])
            #expect(missingSpace.status == 400)
            #expect(missingSpace.error?.hasPrefix("space") == true)
            let missingTitle = try await client.post("/api/v2/projects/", ["space": .string(space)])
            #expect(missingTitle.status == 400)
            #expect(missingTitle.error?.hasPrefix("title") == true)
            let blank = try await client.post("/api/v2/projects/", ["space": .string(space), "title": "  "])
            #expect(blank.status == 400)
            let unknown = try await client.post("/api/v2/projects/", ["space": "nope", "title": "New"])
            #expect(unknown.status == 400)
            #expect(unknown.error?.contains("No Space with id 'nope'") == true)
            let badTags = try await client.post(
                "/api/v2/projects/", ["space": .string(space), "title": "T", "tags": "x"])
            #expect(badTags.status == 400)
            #expect(badTags.error?.hasPrefix("tags") == true)
            let notJSON = try await client.send(.POST, "/api/v2/projects/", body: .bytes(.init(string: "{oops")))
            #expect(notJSON.status == 400)

            let created = try await client.post(
                "/api/v2/projects/",
                [
                    "space": .string("/api/v2/spaces/\(space)/"), "title": "Board review 2026",
                    "description": "from a test",
                    "associated_contacts": [.string(CoreDataDemo.sampleContactID)],
                    "aspects": ["url": ["url": "https://x.is"]],
                    "due_date": "2026-05-01",
                ])
            #expect(created.status == 201, "\(created.text)")
            let project = created.json
            let id = try #require(project["id"]?.string)
            #expect(created.header("Location") == "/coredata/api/v2/projects/\(id)/")
            #expect(project["space"]?.string == space)
            #expect(project["title"] == "Board review 2026")
            #expect(project["due_date"] == "2026-05-01T00:00:00")
            #expect(project["snapshot_id"]?.string?.isEmpty == false)
            #expect(project["created"] == project["modified"])
            #expect(try await client.get("/api/v2/projects/\(id)/").json == project)
            #expect(try await client.get("/api/v2/projects/?limit=1").json["meta"]?["total_count"] == 311)
            let mine = try await client.all("/api/v2/contacts/\(CoreDataDemo.sampleContactID)/projects/?limit=100")
            #expect(mine.contains { $0["id"]?.string == id })
        }
    }

    @Test func createContact() async throws {
        try await withCoreData { _, client in
            let missing = try await client.post("/api/v2/contacts/", ["identifier": "0101302989"])
            #expect(missing.status == 400)
            #expect(missing.error?.hasPrefix("title") == true)
            let badEmails = try await client.post("/api/v2/contacts/", ["title": "X", "emails": ["a@b.is"]])
            #expect(badEmails.status == 400)
            let created = try await client.post(
                "/api/v2/contacts/",
                [
                    "title": "Nýr Tengiliður", "identifier": "0101302989",
                    "emails": [["email": "nyr@example.is", "label": "email_label:Work:"]],
                ])
            #expect(created.status == 201)
            #expect(created.json["dynatype"]?["title"] == "Person")
            #expect(created.json["title"] == "Nýr Tengiliður")
            let found = try await client.get("/api/v2/contacts/?identifier=0101302989")
            #expect(found.json["objects"]?[0]?["id"] == created.json["id"])

            let organization = try await client.post(
                "/api/v2/contacts/", ["title": "Ný ehf.", "dynatype": "Organization"])
            #expect(organization.status == 201)
            let orgID = try #require(organization.json["id"]?.string)
            let employee = try await client.post(
                "/api/v2/contacts/", ["title": "Starfsmaður", "parent": .string(orgID)])
            #expect(employee.status == 201)
            #expect(employee.json["parent"]?.string == orgID)
            let nested = try await client.post(
                "/api/v2/contacts/", ["title": "Dótturfélag", "dynatype": "Organization", "parent": .string(orgID)])
            #expect(nested.status == 400)
            let personParent = try await client.post(
                "/api/v2/contacts/", ["title": "X", "parent": .string(CoreDataDemo.sampleContactID)])
            #expect(personParent.status == 400)
        }
    }

    @Test func patchChangesSnapshotAndModified() async throws {
        try await withCoreData { _, client in
            let id = CoreDataDemo.id(.projects, 5)
            let before = try await client.get("/api/v2/projects/\(id)/").json
            let changed = try await client.patch("/api/v2/projects/\(id)/", ["title": "Renamed", "id": "ignored"])
            #expect(changed.status == 200)
            #expect(changed.json["id"]?.string == id)
            #expect(changed.json["title"] == "Renamed")
            #expect(changed.json["snapshot_id"] != before["snapshot_id"])
            #expect(changed.json["created"] == before["created"])
            #expect(changed.json["modified"]!.string! > before["modified"]!.string!)
            #expect(try await client.get("/api/v2/projects/\(id)/").json == changed.json)

            #expect(try await client.patch("/api/v2/projects/nope/", ["title": "x"]).status == 404)
            let bad = try await client.patch("/api/v2/projects/\(id)/", ["title": 5])
            #expect(bad.status == 400)
            #expect(bad.error?.hasPrefix("title") == true)
            for resource in [CoreDataResource.contacts, .files, .folders, .tasks] {
                let reply = try await client.patch(
                    "/api/v2/\(resource.rawValue)/\(CoreDataDemo.id(resource, 3))/", ["description": "d"])
                #expect(reply.status == 200, "\(resource)")
                #expect(reply.json["description"] == "d")
            }
            #expect(
                try await client.patch("/api/v2/spaces/\(CoreDataDemo.id(.spaces, 0))/", ["title": "x"]).status != 200)
        }
    }

    /// What the binding's change feed depends on: several changes in one
    /// second share `modified` but never `snapshot_id`, and `modified__gte`
    /// of that second returns them all.
    @Test func changesWithinOneSecond() async throws {
        try await withCoreData { _, client in
            let frozen = try await client.put(control: "clock", ["now": "2026-03-01T10:00:00Z", "frozen": true])
            #expect(frozen.json["now"] == "2026-03-01T10:00:00")
            let a = CoreDataDemo.id(.files, 1)
            let b = CoreDataDemo.id(.files, 2)
            let first = try await client.patch("/api/v2/files/\(a)/", ["title": "A1"]).json
            let second = try await client.patch("/api/v2/files/\(b)/", ["title": "B1"]).json
            let again = try await client.patch("/api/v2/files/\(a)/", ["title": "A2"]).json
            #expect(first["modified"] == "2026-03-01T10:00:00")
            #expect(second["modified"] == first["modified"])
            #expect(again["modified"] == first["modified"])
            #expect(again["snapshot_id"] != first["snapshot_id"])
            let feed = try await client.all("/api/v2/files/?modified__gte=2026-03-01T10:00:00Z")
            #expect(Set(feed.compactMap { $0["id"]?.string }) == [a, b])
            #expect(feed.contains { $0["snapshot_id"] == again["snapshot_id"] })
            #expect(
                try await client.get("/api/v2/files/?modified__gt=2026-03-01T10:00:00Z").json["meta"]?["total_count"]
                    == 0)

            let advanced = try await client.put(control: "clock", ["advance": 1])
            #expect(advanced.json["now"] == "2026-03-01T10:00:01")
            let later = try await client.patch("/api/v2/files/\(b)/", ["title": "B2"]).json
            #expect(later["modified"] == "2026-03-01T10:00:01")
            let clock = try await client.send(.GET, "/_control/clock", authorized: false)
            #expect(clock.json["frozen"] == true)
        }
    }

    @Test func resetEmptiesAndUnknownSeedFails() async throws {
        try await withCoreData { server, client in
            await server.reset()
            #expect(try await client.get("/api/v2/projects/").json["meta"]?["total_count"] == 0)
            try await server.seed("demo")
            #expect(try await client.get("/api/v2/projects/").json["meta"]?["total_count"] == 310)
            await #expect(throws: (any Error).self) { try await server.seed("nope") }
        }
    }
}
