import Foundation
import LunetJSON
import LunetSandbox
import Testing

@testable import LunetCoreData

/// The list index (CoreDataIndex.swift) must answer exactly what a scan,
/// filter and sort of the store would, after any sequence of writes.
@Suite struct ListIndexTests {
    /// A random object of one of a few creation seconds, so ties on
    /// `created` are ordered by id.
    static func object(_ id: String, _ random: inout SystemRandomNumberGenerator) -> JSONObject {
        let second = Int64.random(in: 0..<5, using: &random)
        return [
            "id": .string(id), "created": .string(CoreDataTime.format(1_700_000_000 + second)),
            "modified": .string(CoreDataTime.format(1_700_000_000 + Int64.random(in: 0..<10, using: &random))),
            "title": .string(["Board", "Board x", "Sales", "sales"].randomElement(using: &random)!),
            "parent": Bool.random(using: &random) ? "folder-a" : .null,
            "associated_contacts": Bool.random(using: &random) ? ["c1", "c2"] : [],
        ]
    }

    /// The page a scan, filter and sort would give (the emulator before the index).
    static func expected(_ objects: [String: JSONObject], _ filters: [CoreDataListQuery.Filter], offset: Int, limit: Int)
        -> (ids: [String], total: Int)
    {
        let matching = objects.values.map { CoreDataIndexEntry(id: $0["id"]!.string!, $0) }
            .filter { entry in filters.allSatisfy { $0.matches(entry) } }
            .sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        let end = min(matching.count, offset + limit)
        return (offset < end ? matching[offset..<end].map(\.id) : [], matching.count)
    }

    @Test func pagesMatchAScanAfterRandomWrites() throws {
        var random = SystemRandomNumberGenerator()
        var objects: [String: JSONObject] = [:]
        var index = CoreDataResourceIndex([])
        let filterSets: [[(String, String)]] = [
            [], [("title__startswith", "Board")], [("parent", "folder-a")], [("associated_contacts_id", "c2")],
            [("modified__gte", "2023-11-14T22:13:25Z"), ("title", "Sales")], [("created__range", "2023-11-14T22:13:21,2023-11-14T22:13:22")],
        ]
        for step in 0..<600 {
            let id = "id-\(Int.random(in: 0..<80, using: &random))"
            if step % 7 == 6 {
                objects[id] = nil
                index.update(id, nil)
            } else {
                let object = Self.object(id, &random)
                objects[id] = object
                index.update(id, .object(object))
            }
            if step % 20 == 0 || step == 599 {
                for parameters in filterSets {
                    let query = try CoreDataListQuery(parameters.map { (name: $0.0, value: $0.1) }, resource: .files)
                    for (offset, limit) in [(0, 1000), (0, 7), (7, 7), (70, 20)] {
                        let got = index.page(key: query.filterKey, filters: query.filters, offset: offset, limit: limit)
                        let want = Self.expected(objects, query.filters, offset: offset, limit: limit)
                        #expect(got.ids == want.ids, "step \(step) \(parameters) offset \(offset)")
                        #expect(got.total == want.total, "step \(step) \(parameters)")
                    }
                }
            }
        }
        #expect(index.entries.count == objects.count)
    }

    @Test func renderingsAreForgottenOnChangeAndNeverStale() {
        var random = SystemRandomNumberGenerator()
        var index = CoreDataResourceIndex([SandboxDocument(id: "a", body: .object(Self.object("a", &random)))])
        let before = index.generation
        index.remember("a", Array("old".utf8), generation: before)
        #expect(index.rendering("a") == Array("old".utf8))
        index.update("a", .object(Self.object("a", &random)))
        #expect(index.rendering("a") == nil, "a change forgets the object's rendering")
        // A rendering made from the state before the change is not kept.
        index.remember("a", Array("stale".utf8), generation: before)
        #expect(index.rendering("a") == nil)
        index.remember("a", Array("new".utf8), generation: index.generation)
        #expect(index.rendering("a") == Array("new".utf8))
        index.update("a", nil)
        index.remember("a", Array("gone".utf8), generation: index.generation)
        #expect(index.rendering("a") == nil, "no rendering for a deleted object")
    }

    @Test func theIndexFollowsCommittedWritesOnlyAndAResetDropsIt() async throws {
        let index = CoreDataIndex()
        let store = CoreDataIndexedStore(base: MemorySandboxStore(), index: index)
        var random = SystemRandomNumberGenerator()
        let first = Self.object("a", &random)
        try await store.write { tx in try CoreDataObjects.save(tx, .files, first) }
        try await store.write { tx in try index.build(.files, tx) }
        #expect(index.page(.files, key: "", filters: [], offset: 0, limit: 10)?.ids == ["a"])

        // A rolled-back write never reaches the index.
        let second = Self.object("b", &random)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await store.write { tx in
                try CoreDataObjects.save(tx, .files, second)
                throw Refused()
            }
        }
        #expect(index.page(.files, key: "", filters: [], offset: 0, limit: 10)?.ids == ["a"])

        // A list running while a write is under way (the SQLite store reads
        // beside a write) renders the object as it was: that rendering must
        // not outlive the write's commit.
        let changed = Self.object("a", &random)
        try await store.write { tx in
            try CoreDataObjects.save(tx, .files, changed)
            let seen = try #require(index.page(.files, key: "", filters: [], offset: 0, limit: 10))
            index.remember(.files, "a", Array("as before the write".utf8), generation: seen.generation)
        }
        #expect(index.page(.files, key: "", filters: [], offset: 0, limit: 10)?.rendered == [nil])
        try await store.write { tx in try CoreDataObjects.save(tx, .files, second) }
        #expect(index.page(.files, key: "", filters: [], offset: 0, limit: 10)?.ids.sorted() == ["a", "b"])

        try await store.removeAll()
        #expect(!index.isBuilt(.files))
    }

    @Test func listsFollowWritesResetsAndSeeds() async throws {
        try await withCoreData { server, client in
            let list = "/api/v2/projects/?title__startswith=Indexed&limit=1000"
            #expect(try await client.get(list).json["meta"]?["total_count"] == 0)
            let all = try await client.all("/api/v2/projects/?limit=1000")
            let target = try #require(all[5]["id"]?.string)
            let patched = try await client.patch("/api/v2/projects/\(target)/", ["title": "Indexed one"])
            #expect(patched.status == 200, "\(patched.text)")
            let after = try await client.get(list)
            #expect(after.json["meta"]?["total_count"] == 1)
            #expect(after.json["objects"]?[0]?["id"]?.string == target)
            #expect(after.json["objects"]?[0]?["title"] == "Indexed one")
            // A PATCH changes modified, never created: the order stays.
            #expect(try await client.all("/api/v2/projects/?limit=1000").map { $0["id"] } == all.map { $0["id"] })
            let modified = try #require(patched.json["modified"]?.string)
            let recent = try await client.all("/api/v2/projects/?modified__gte=\(modified)Z")
            #expect(recent.contains { $0["id"]?.string == target })

            let space = try #require(try await client.get("/api/v2/spaces/?limit=1").json["objects"]?[0]?["id"])
            let created = try await client.post("/api/v2/projects/", ["space": space, "title": "Indexed two"])
            #expect(created.status == 201, "\(created.text)")
            let both = try await client.get(list)
            #expect(both.json["meta"]?["total_count"] == 2)
            #expect(both.json["objects"]?[1]?["id"] == created.json["id"], "the newest is created last")

            let reset = try await client.send(.POST, server.baseURL + "/_sandbox/reset", authorized: false)
            #expect(reset.status == 200)
            #expect(try await client.get("/api/v2/projects/").json["meta"]?["total_count"] == 0)
            let seed = try await client.send(.POST, server.baseURL + "/_sandbox/seed/demo", authorized: false)
            #expect(seed.status == 200)
            #expect(
                try await client.get("/api/v2/projects/").json["meta"]?["total_count"]
                    == .integer(Int64(CoreDataDemo.projectCount)))
            #expect(try await client.get(list).json["meta"]?["total_count"] == 0)
        }
    }
}
