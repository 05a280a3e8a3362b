import Foundation
import LunetJSON
import LunetTestSupport
import Testing

@testable import LunetCoreData

@Suite("CoreData data in SQLite survives a restart")
struct PersistenceTests {
    @Test func dataAndLinksSurviveARestart() async throws {
        let directory = try temporaryTestDirectory("lunet-coredata")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (project, link) = try await withCoreData(data: directory) { _, client in
            let created = try await client.post(
                "/api/v2/projects/", ["space": .string(CoreDataDemo.id(.spaces, 0)), "title": "Kept"])
            #expect(created.status == 201)
            _ = try await client.put(control: "links", ["lifetime": 3600])
            let link = try await client.get("/api/v2/files/\(CoreDataDemo.id(.files, 2))/content/").header("Location")
            return (created.json, try #require(link))
        }
        try await withCoreData(seed: nil, data: directory) { server, client in
            let id = try #require(project["id"]?.string)
            #expect(try await client.get("/api/v2/projects/\(id)/").json == project)
            #expect(try await client.get("/api/v2/projects/").json["meta"]?["total_count"] == 311)
            // Same signing secret after the restart; only the port changed.
            let path = link.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" }
            let download = try await client.get(server.baseURL + path, authorized: false)
            #expect(download.status == 200)
            #expect(download.bytes == CoreDataDemo.content(2).bytes)
        }
    }
}
