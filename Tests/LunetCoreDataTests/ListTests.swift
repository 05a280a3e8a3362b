import Foundation
import LunetJSON
import Testing

@testable import LunetCoreData

@Suite("CoreData lists: paging and filters")
struct ListTests {
    @Test func defaultPageAndMeta() async throws {
        try await withCoreData { _, client in
            let reply = try await client.get("/api/v2/projects/")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
            let meta = reply.json["meta"]
            #expect(meta?["limit"] == 20)
            #expect(meta?["offset"] == 0)
            #expect(meta?["previous"] == .null)
            #expect(meta?["next"] == "/coredata/api/v2/projects/?limit=20&offset=20")
            #expect(meta?["total_count"] == 310)
            #expect(reply.json["meta"]?.object?.keys == ["limit", "next", "offset", "previous", "total_count"])
            let objects = reply.json["objects"]?.array ?? []
            #expect(objects.count == 20)
            // Oldest first, then by id.
            let keys: [String] = objects.map { ($0["created"]?.string ?? "") + "|" + ($0["id"]?.string ?? "") }
            #expect(keys == keys.sorted())
            let first = try #require(objects.first?.object)
            #expect(first.keys == first.keys.sorted())
            for key in ["id", "snapshot_id", "title", "space", "created", "modified", "resource_uri", "type"] {
                #expect(first[key] != nil, "missing \(key)")
            }
            #expect(first["type"] == "Project")
            #expect(first["resource_uri"]?.string == "/coredata/api/v2/projects/\(first["id"]?.string ?? "")/")
            #expect(first["created"]?.string?.count == 19)  // 2024-01-08T09:00:00: whole seconds
        }
    }

    @Test func followingNextVisitsEveryProjectOnce() async throws {
        try await withCoreData { server, client in
            let first = try await client.get("/api/v2/projects/?limit=100")
            #expect(first.json["meta"]?["next"] == "/coredata/api/v2/projects/?limit=100&offset=100")
            let second = try await client.get(server.baseURL + first.json["meta"]!["next"]!.string!)
            #expect(second.json["meta"]?["previous"] == "/coredata/api/v2/projects/?limit=100&offset=0")
            let last = try await client.get("/api/v2/projects/?limit=100&offset=300")
            #expect(last.json["objects"]?.array?.count == 10)
            #expect(last.json["meta"]?["next"] == .null)
            #expect(last.json["meta"]?["previous"] == "/coredata/api/v2/projects/?limit=100&offset=200")
            let all = try await client.all("/api/v2/projects/?limit=100")
            #expect(all.count == 310)
            #expect(Set(all.compactMap { $0["id"]?.string }).count == 310)
        }
    }

    @Test func nextKeepsFiltersAndTheirOrder() async throws {
        try await withCoreData { _, client in
            let reply = try await client.get("/api/v2/projects/?title__startswith=Board&limit=5")
            #expect(reply.json["meta"]?["total_count"] == 62)
            #expect(
                reply.json["meta"]?["next"] == "/coredata/api/v2/projects/?title__startswith=Board&limit=5&offset=5")
            let all = try await client.all("/api/v2/projects/?title__startswith=Board&limit=25")
            #expect(all.count == 62)
            #expect(all.allSatisfy { $0["title"]?.string?.hasPrefix("Board") == true })
            // Values are encoded as Python's urlencode does (':' as %3A).
            let dated = try await client.get("/api/v2/projects/?modified__gte=2024-01-01T00:00:00Z&limit=3&offset=3")
            #expect(
                dated.json["meta"]?["next"]
                    == "/coredata/api/v2/projects/?modified__gte=2024-01-01T00%3A00%3A00Z&limit=3&offset=6")
            #expect(
                dated.json["meta"]?["previous"]
                    == "/coredata/api/v2/projects/?modified__gte=2024-01-01T00%3A00%3A00Z&limit=3&offset=0")
        }
    }

    @Test func limitAndOffsetRules() async throws {
        try await withCoreData { _, client in
            let zero = try await client.get("/api/v2/projects/?limit=0")
            #expect(zero.json["meta"]?["limit"] == 1000)
            #expect(zero.json["objects"]?.array?.count == 310)
            #expect(try await client.get("/api/v2/projects/?limit=5000").json["meta"]?["limit"] == 1000)
            let negative = try await client.get("/api/v2/projects/?limit=-1")
            #expect(negative.status == 400)
            #expect(negative.error == "Invalid limit '-1' provided. Please provide a positive integer.")
            let word = try await client.get("/api/v2/projects/?offset=abc")
            #expect(word.status == 400)
            #expect(word.error?.contains("Invalid offset 'abc'") == true)
            let beyond = try await client.get("/api/v2/projects/?offset=400")
            #expect(beyond.status == 200)
            #expect(beyond.json["objects"] == [])
            #expect(beyond.json["meta"]?["next"] == .null)
            #expect(beyond.json["meta"]?["previous"] == "/coredata/api/v2/projects/?offset=380&limit=20")
        }
    }

    @Test func everyResourceLists() async throws {
        try await withCoreData { _, client in
            let counts = ["spaces": 6, "projects": 310, "folders": 80, "files": 150, "contacts": 40, "tasks": 90]
            for (resource, count) in counts {
                let reply = try await client.get("/api/v2/\(resource)/?limit=1")
                #expect(reply.status == 200, "\(resource)")
                #expect(reply.json["meta"]?["total_count"] == .integer(Int64(count)), "\(resource)")
            }
            let space = try await client.get("/api/v2/spaces/?limit=1&offset=1")
            #expect(space.json["meta"]?["next"] == "/coredata/api/v2/spaces/?limit=1&offset=2")
            #expect(space.json["objects"]?[0]?["type"] == "Space")
            #expect(space.json["objects"]?[0]?["path"]?.string?.hasPrefix("/domain/spaces/") == true)
        }
    }

    @Test func titleParentIdentifierAndContactFilters() async throws {
        try await withCoreData { _, client in
            let exact = try await client.get("/api/v2/projects/?title=Contract%200002")
            #expect(exact.json["meta"]?["total_count"] == 1)
            #expect(exact.json["objects"]?[0]?["title"] == "Contract 0002")
            // Case matters, as in Django's startswith.
            #expect(try await client.get("/api/v2/projects/?title__startswith=board").json["meta"]?["total_count"] == 0)

            let folder = try #require(
                try await client.get("/api/v2/folders/?limit=1").json["objects"]?[0]?["id"]?.string)
            let files = try await client.all("/api/v2/files/?parent=\(folder)")
            #expect(!files.isEmpty)
            #expect(files.allSatisfy { $0["parent"]?.string == folder })

            let person = try await client.get("/api/v2/contacts/?identifier=60001019906")
            #expect(person.json["meta"]?["total_count"] == 1)
            let contact = try #require(person.json["objects"]?[0])
            #expect(contact["id"]?.string == CoreDataDemo.sampleContactID)
            #expect(contact["title"] == "Signer Signer")
            #expect(contact["dynatype"]?["title"] == "Person")
            #expect(contact["emails"]?[0]?["email"] == "signer@example.is")
            let prefix = try await client.get("/api/v2/contacts/?identifier__startswith=600010199")
            #expect(prefix.json["meta"]?["total_count"] == 2)

            let id = CoreDataDemo.sampleContactID
            for resource in ["projects", "files", "tasks"] {
                let filtered = try await client.all("/api/v2/\(resource)/?associated_contacts_id=\(id)&limit=100")
                let nested = try await client.all("/api/v2/contacts/\(id)/\(resource)/?limit=100")
                #expect(!filtered.isEmpty, "\(resource)")
                #expect(filtered == nested, "\(resource)")
                #expect(filtered.allSatisfy { $0["associated_contacts"]?.array?.contains(.string(id)) == true })
            }
            let nestedPage = try await client.get("/api/v2/contacts/\(id)/projects/?limit=5")
            #expect(
                nestedPage.json["meta"]?["next"]?.string == "/coredata/api/v2/contacts/\(id)/projects/?limit=5&offset=5"
            )
            let unknown = try await client.get("/api/v2/contacts/00000000-0000-1000-8000-000000000000/projects/")
            #expect(unknown.status == 404)
            #expect(unknown.error != nil)
        }
    }

    @Test func dateFilters() async throws {
        try await withCoreData { _, client in
            let all = try await client.all("/api/v2/projects/?limit=1000")
            func count(_ test: (Double) -> Bool) -> Int {
                all.filter { test(CoreDataTime.parse($0["modified"]!.string!)!) }.count
            }
            // A second in which several projects were modified (the demo has many).
            let seconds = all.map { $0["modified"]!.string! }
            let pivotText = try #require(seconds.first { second in seconds.filter { $0 == second }.count >= 2 })
            let pivot = CoreDataTime.parse(pivotText)!
            let later = CoreDataTime.format(Int64(pivot) + 3600)
            let cases: [(String, Int)] = [
                ("modified__gt=\(pivotText)Z", count { $0 > pivot }),
                ("modified__gte=\(pivotText)Z", count { $0 >= pivot }),
                ("modified__lt=\(pivotText)Z", count { $0 < pivot }),
                ("modified__lte=\(pivotText)", count { $0 <= pivot }),
                ("modified__gte=\(pivotText)%2B00:00", count { $0 >= pivot }),
                ("modified__gte=\(pivotText)+00:00", count { $0 >= pivot }),  // '+' arrives as a space
                ("modified__gte=\(later)%2B01:00", count { $0 >= pivot }),
                ("modified__gte=2024-01-20", count { $0 >= CoreDataTime.parse("2024-01-20")! }),
                (
                    "modified__range=2024-01-20T00:00:00Z,\(pivotText)Z",
                    count { $0 >= CoreDataTime.parse("2024-01-20")! && $0 <= pivot }
                ),
                ("modified=\(pivotText)Z", count { $0 == pivot }),
            ]
            for (query, expected) in cases {
                let reply = try await client.get("/api/v2/projects/?\(query)&limit=1")
                #expect(reply.status == 200, "\(query): \(reply.text)")
                #expect(reply.json["meta"]?["total_count"] == .integer(Int64(expected)), "\(query)")
            }
            let created = try await client.get("/api/v2/files/?created__lt=2024-01-18T09:00:00Z")
            #expect(created.json["meta"]?["total_count"] == 0)
            #expect(try await client.get("/api/v2/tasks/?modified__gte=2024-01-01").json["meta"]?["total_count"] == 90)
            #expect(
                try await client.get("/api/v2/contacts/?created__lte=2030-01-01").json["meta"]?["total_count"] == 40)
        }
    }

    @Test func badFiltersAre400() async throws {
        try await withCoreData { _, client in
            let cases: [(String, String)] = [
                ("projects/?modified__gte=yesterday", "Invalid date 'yesterday' for 'modified__gte'"),
                ("projects/?modified__gte=2024-13-01T00:00:00Z", "Invalid date"),
                ("projects/?modified__gte=2024-02-30", "Invalid date"),
                ("projects/?created__range=2024-01-01T00:00:00Z", "Invalid range"),
                ("projects/?title__contains=Board", "'contains' is not an allowed filter on the 'title' field."),
                ("projects/?modified__foo=1", "'foo' is not an allowed filter on the 'modified' field."),
                ("projects/?status=Open", "The 'status' field does not allow filtering."),
                ("spaces/?modified__gte=2024-01-01", "The 'modified' field does not allow filtering."),
                ("files/?project=x", "The 'project' field does not allow filtering."),
                ("contacts/?identifier__gt=1", "'gt' is not an allowed filter on the 'identifier' field."),
            ]
            for (path, message) in cases {
                let reply = try await client.get("/api/v2/" + path)
                #expect(reply.status == 400, "\(path)")
                #expect(reply.error?.contains(message) == true, "\(path): \(reply.text.prefix(300))")
            }
            // Parameters that are not fields are ignored, as Tastypie does.
            #expect(try await client.get("/api/v2/projects/?format=json&_=123").json["meta"]?["total_count"] == 310)
            #expect(try await client.get("/api/v2/projects/?parent=x").json["meta"]?["total_count"] == 310)
        }
    }
}
