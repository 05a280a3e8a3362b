import LunetJSON
import Testing

@testable import LunetICL

@Suite("iCL emulator: change feeds")
struct ChangeFeedTests {
    /// Follows a feed from `token` to its end: the pages' sizes, all items, the final token.
    func drain(_ portal: ICLTestClient, _ path: String, from token: String? = nil) async throws -> (sizes: [Int], items: [JSONValue], token: String) {
        var sizes: [Int] = [], items: [JSONValue] = []
        var token = token
        while true {
            let reply = try await portal.get(path + (token.map { "?changeToken=\($0)" } ?? ""))
            #expect(reply.status == 200)
            #expect(reply.json.object?.keys == ["Results", "NextChangeToken", "NextLink"])
            let page = try #require(reply.json["Results"]?.array)
            let next = try #require(reply.json["NextChangeToken"]?.string)
            #expect(reply.json["NextLink"]?.string?.hasSuffix("/icl\(path)?changeToken=\(next)") == true)
            if page.isEmpty {
                #expect(next == token || token == nil)
                return (sizes, items, next)
            }
            #expect(next.count == 11 && Int(next) == nil)
            if let token { #expect(ChangeToken.decode(next)! > ChangeToken.decode(token)!) }
            sizes.append(page.count)
            items += page
            token = next
        }
    }

    @Test func allTypesFeedPagesThroughEverythingOnce() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let (sizes, items, last) = try await drain(portal, "/api/content/getchanges")
            #expect(sizes == [500, 500, 500, 440])  // 12 + 1,205 + 723, deleted ones included
            #expect(Set(strings(items, "contentItemId")).count == 1940)
            #expect(Set(strings(items, "$type")) == ["site", "building", "elevator"])
            let deleted = items.filter { $0["isDeleted"] == true }
            #expect(strings(deleted, "externalId") == ["GB-00004", "GB-00110", "GB-00505", "GB-00904", "GB-01205"])
            // In change order across the types' own lists: sites, buildings and
            // elevators as created, then the buildings deleted last.
            let order = Array(repeating: "site", count: 12) + Array(repeating: "building", count: 1200)
                + Array(repeating: "elevator", count: 723) + Array(repeating: "building", count: 5)
            #expect(strings(items, "$type") == order)
            #expect(items.suffix(5).allSatisfy { $0["isDeleted"] == true })
            let first = try #require(items.first?.object)
            #expect(first.keys == ["sitename", "region", "verantwortlich", "telefon", "contentItemId", "externalId",
                                   "lastModificationTime", "isDeleted", "$type"])
            // At the end the token stops changing.
            let again = try await portal.get("/api/content/getchanges?changeToken=\(last)")
            #expect(again.json["Results"] == [])
            #expect(again.json["NextChangeToken"] == .string(last))
            // "0" is the Swagger spelling of "from the beginning".
            let zero = try await portal.get("/api/content/getchanges?changeToken=0")
            #expect(zero.json["Results"]?.array?.count == 500)
            #expect(zero.json["Results"]?[0] == items[0])
        }
    }

    @Test func typeFeedHasOnlyThatTypeWithoutTypeTags() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let (sizes, items, _) = try await drain(portal, "/api/content/building/getchanges")
            #expect(sizes == [500, 500, 205])
            #expect(items.allSatisfy { $0["$type"] == nil && $0["strasse"] != nil })
            #expect(items.filter { $0["isDeleted"] == true }.count == 5)
            #expect(try await portal.get("/api/content/nosuchtype/getchanges").status == 404)
        }
    }

    @Test func newestTokenThenEveryWriteIsAChange() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let now = try await portal.get("/api/content/building/getchanges?changeToken=__________8")
            #expect(now.json["Results"] == [])
            let start = try #require(now.json["NextChangeToken"]?.string)
            #expect(start != "__________8")

            // Other types' changes do not move a type's feed.
            _ = try await portal.post("/api/content/site", ["externalId": "SITE-NEU", "sitename": "Wien Neubau"])
            #expect(try await portal.get("/api/content/building/getchanges?changeToken=\(start)").json["NextChangeToken"] == .string(start))

            _ = try await portal.post("/api/content/building", ["externalId": "HG", "buildingname": "HG", "strasse": "Hansongasse 23"])
            let created = try await drain(portal, "/api/content/building/getchanges", from: start)
            #expect(strings(created.items, "externalId") == ["HG"])

            _ = try await portal.put("/api/content/building/HG", ["externalId": "HG", "buildingname": "HG", "strasse": "Hansongasse 25"])
            _ = try await portal.put("/api/content/building/batch", [["externalId": "GB-00001", "buildingname": "B1", "strasse": "Gasse 1"]])
            _ = try await portal.delete("/api/content/building/GB-00002")
            let changed = try await drain(portal, "/api/content/building/getchanges", from: created.token)
            #expect(strings(changed.items, "externalId") == ["HG", "GB-00001", "GB-00002"])
            #expect(changed.items[0]["strasse"] == "Hansongasse 25")
            #expect(changed.items[2]["isDeleted"] == true)

            // An item changed twice appears once, at its latest change.
            let fromStart = try await drain(portal, "/api/content/building/getchanges", from: start)
            #expect(strings(fromStart.items, "externalId") == ["HG", "GB-00001", "GB-00002"])
            let all = try await drain(portal, "/api/content/getchanges", from: "0")
            #expect(strings(all.items.suffix(4), "externalId") == ["SITE-NEU", "HG", "GB-00001", "GB-00002"])
        }
    }

    @Test func tokensAreValidated() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            for bad in ["12", "abc", "AAAAAAAAAA", "%21%21%21%21%21%21%21%21%21%21%21"] {
                let reply = try await portal.get("/api/content/getchanges?changeToken=\(bad)")
                #expect(reply.status == 400, "\(bad)")
                #expect(reply.json["success"] == false)
            }
        }
    }

    @Test func tokensRoundTrip() {
        for value: Int64 in [0, 1, 214_111, Int64.max] {
            #expect(ChangeToken.decode(ChangeToken.encode(value)) == UInt64(value))
        }
        #expect(ChangeToken.encode(214_111) == "AAAAAAADRF8")  // the seed's example
        #expect(ChangeToken.decode("__________8") == UInt64.max)
        #expect(ChangeToken.decode("") == 0)
        #expect(ChangeToken.decode("0") == 0)
    }
}
