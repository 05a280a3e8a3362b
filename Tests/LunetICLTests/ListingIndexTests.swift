import Foundation
import LunetJSON
import LunetSandbox
import Testing

@testable import LunetICL

/// Listings read a page by position from the catalog's `live` index; these
/// check the index follows creates, replaces and deletes, and that a store
/// written before the index existed is listed the same way (by scanning).
@Suite("iCL emulator: listings from the live index")
struct ListingIndexTests {
    /// Every page of `path` (`$top=7`), the items' external ids in order, and the counts the pages reported.
    static func pages(_ portal: ICLTestClient, _ path: String) async throws -> (ids: [String], counts: Set<Int64>) {
        var ids: [String] = [], counts: Set<Int64> = []
        var skip = 0
        while true {
            let separator = path.contains("?") ? "&" : "?"
            let reply = try await portal.get("\(path)\(separator)$inlinecount=allpages&$top=7&$skip=\(skip)")
            #expect(reply.status == 200, "\(reply.text)")
            if let count = reply.result["__count"]?.integer { counts.insert(count) }
            let page = strings(results(reply), "externalId")
            ids += page
            if page.count < 7 { return (ids, counts) }
            skip += 7
        }
    }

    @Test func pagesFollowCreatesReplacesAndDeletes() async throws {
        try await withICL { _, client in
            let portal = try await client.login()
            #expect(try await portal.post("/api/contenttype/thing", thingType).status == 200)
            let batch: JSONValue = .array((1...30).map { ["externalId": .string("T\($0)"), "name": .string("thing \($0)")] })
            #expect(try await portal.put("/api/content/thing/batch", batch).status == 200)
            // Replacing keeps an item's place; deleting takes it out of every page.
            #expect(try await portal.put("/api/content/thing/batch", [["externalId": "T3", "name": "three again"]]).status == 200)
            #expect(try await portal.put("/api/content/thing/T5", ["externalId": "T5", "name": "five again"]).status == 200)
            for gone in ["T1", "T14", "T30"] { #expect(try await portal.delete("/api/content/thing/\(gone)").status == 200) }
            #expect(try await portal.post("/api/content/thing", ["externalId": "T31", "name": "new"]).status == 200)

            let expected = (2...31).filter { ![14, 30].contains($0) }.map { "T\($0)" }
            let plain = try await Self.pages(portal, "/api/content/thing")
            #expect(plain.ids == expected)
            #expect(plain.counts == [Int64(expected.count)])
            let all = try await Self.pages(portal, "/api/content")
            #expect(all.ids == expected)
            #expect(all.counts == [Int64(expected.count)])

            // Filtered and sorted listings page the matching items only.
            let filtered = try await Self.pages(portal, "/api/content/thing?$filter=\(q("startswith(Name,'thing 2')"))")
            #expect(filtered.ids == ["T2"] + (20...29).map { "T\($0)" })
            #expect(filtered.counts == [11])
            let sorted = try await Self.pages(portal, "/api/content/thing?$orderby=\(q("Name desc,ExternalId"))")
            #expect(Array(sorted.ids.prefix(2)) == ["T3", "T9"])  // "three again", "thing 9"
            #expect(Set(sorted.ids) == Set(expected))
            let titled = results(try await portal.get("/api/content/thing?$filter=\(q("Title eq 'five again'"))"))
            #expect(titled.first?["title"] == "five again")
            #expect(titled.first?["name"] == "five again")
            #expect(titled.first?["creatorUser"] != nil)
        }
    }

    @Test func aStoreWrittenBeforeTheIndexListsTheSame() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lunet-icl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let before = try await withICL(seed: "demo", data: directory) { _, client in
            let portal = try await client.login()
            #expect(try await portal.delete("/api/content/building/GB-00007").status == 200)
            return (try await Self.pages(portal, "/api/content/site"), try await portal.get("/api/content?$inlinecount=allpages&$skip=1200&$top=30"))
        }
        // Make it look like an older store: no index, no flag on the types.
        let store = try SQLiteSandboxStore(directory: directory)
        try await store.namespaced("icl").write { tx in
            try tx.removeAll(collectionPrefix: "live")
            for document in try tx.scan("types", after: nil, limit: nil) {
                guard case .object(var type) = document.body else { continue }
                type["liveIndexed"] = nil
                try tx.put("types", id: document.id, .object(type))
            }
        }
        try store.close()
        try await withICL(data: directory) { _, client in
            let portal = try await client.login()
            let sites = try await Self.pages(portal, "/api/content/site")
            #expect(sites.ids == before.0.ids)
            #expect(sites.ids.count == 12)
            let all = try await portal.get("/api/content?$inlinecount=allpages&$skip=1200&$top=30")
            #expect(all.result == before.1.result)
            #expect(all.result["__count"] == 1934)
        }
    }
}
