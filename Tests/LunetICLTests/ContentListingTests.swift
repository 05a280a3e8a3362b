import LunetJSON
import Testing

@testable import LunetICL

@Suite("iCL emulator: OData listings of content items")
struct ContentListingTests {
    @Test func allTypesCountsEveryLiveItemAndTagsTypes() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let reply = try await portal.get("/api/content?$inlinecount=allpages&$top=20")
            #expect(reply.status == 200)
            #expect(reply.json["success"] == true)
            #expect(reply.json["__abp"] == true)
            #expect(reply.json["error"] == .null)
            #expect(reply.json["targetUrl"] == .null)
            #expect(reply.json["unAuthorizedRequest"] == false)
            #expect(reply.result.object?.keys == ["__count", "results"])
            #expect(reply.result["__count"] == 1935)  // 12 sites + 1,200 buildings + 723 elevators
            let items = results(reply)
            #expect(items.count == 20)
            #expect(strings(items, "$type") == Array(repeating: "site", count: 12) + Array(repeating: "building", count: 8))
            let first = try #require(items.first?.object)
            #expect(first["title"] == "Wien Innere Stadt")
            #expect(first["_id"] == nil)
            for key in ["contentItemId", "externalId", "lastModificationTime", "isDeleted", "creatorUserId", "creatorUser",
                        "lastModifierUserId", "lastModifierUser", "title"] {
                #expect(first[key] != nil, "\(key)")
            }
            #expect(first["creatorUser"] == "Antoine Gadget")
            let later = results(try await portal.get("/api/content?$skip=1900&$top=100"))
            #expect(later.count == 35)
            #expect(strings(later, "$type").allSatisfy { $0 == "elevator" })
        }
    }

    @Test func allTypesFiltersOnlyOnCommonFields() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let seedExample = try await portal.get(
                "/api/content?$filter=\(q("substringof('hansonstrasse',tolower(Title))"))&$inlinecount=allpages&$top=20")
            #expect(seedExample.status == 200)
            #expect(seedExample.result["__count"] == 1)
            #expect(results(seedExample).first?["title"] == "Wien, Hansonstrasse 23")
            #expect(results(seedExample).first?["$type"] == "building")

            let byExternalId = try await portal.get("/api/content?$filter=\(q("ExternalId eq 'SITE-03' or ExternalId eq 'AZ-000001'"))")
            #expect(strings(results(byExternalId), "externalId") == ["SITE-03", "AZ-000001"])
            #expect(byExternalId.result["__count"] == nil)

            for refused in ["$filter=\(q("Ort eq 'Wien'"))", "$orderby=Ort"] {
                let reply = try await portal.get("/api/content?\(refused)")
                #expect(reply.status == 400)
                #expect(reply.json["success"] == false)
                #expect(reply.errorMessage?.contains("'Ort'") == true)
            }
            let sorted = results(try await portal.get("/api/content?$orderby=\(q("Title desc"))&$top=3"))
            #expect(sorted.count == 3)
        }
    }

    @Test func oneTypeFiltersSortsAndPagesOnAnyField() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let seedExample = try await portal.get(
                "/api/content/building?$filter=\(q("substringof('hansonstrasse',tolower(Strasse))"))&$inlinecount=allpages&$top=20")
            #expect(seedExample.result["__count"] == 1)
            let hanson = try #require(results(seedExample).first?.object)
            #expect(hanson["externalId"] == "GB-00012")
            #expect(hanson["$type"] == nil)
            #expect(hanson["_id"] == nil)

            let graz = try await portal.get("/api/content/building?$filter=\(q("Ort eq 'Graz' and Stock ge 5"))&$inlinecount=allpages")
            let grazCount = try #require(graz.result["__count"]?.integer)
            #expect(grazCount > 10)
            #expect(results(graz).allSatisfy { $0["ort"] == "Graz" && ($0["stock"]?.integer ?? 0) >= 5 })

            let umlauts = try await portal.get("/api/content/building?$filter=\(q("substringof('straße',Strasse) and startswith(Plz,'1')"))&$top=5")
            #expect(results(umlauts).count == 5)

            let byYear = results(try await portal.get("/api/content/building?$orderby=\(q("Baujahr desc,ExternalId"))&$top=50"))
            let years = byYear.compactMap { $0["baujahr"]?.integer }
            #expect(years == years.sorted(by: >))

            var seen: [String] = []
            for skip in stride(from: 0, to: 1300, by: 500) {
                let page = try await portal.get("/api/content/building?$inlinecount=allpages&$top=500&$skip=\(skip)")
                #expect(page.result["__count"] == 1200)
                seen += strings(results(page), "externalId")
            }
            #expect(seen.count == 1200)
            #expect(Set(seen).count == 1200)
            #expect(!seen.contains("GB-00004"))  // deleted in the demo data
        }
    }

    @Test func badQueriesAreRefused() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let cases: [(String, String)] = [
                ("$filter=\(q("Farbe eq 'rot'"))", "Could not find a property named 'Farbe' on type 'building'."),
                ("$filter=\(q("Ort eq"))", "expression expected"),
                ("$orderby=\(q("Ort sideways"))", "direction"),
                ("$top=-1", "$top"),
                ("$skip=x", "$skip"),
                ("$inlinecount=some", "$inlinecount"),
                ("$select=Ort", "not allowed"),
            ]
            for (query, message) in cases {
                let reply = try await portal.get("/api/content/building?\(query)")
                #expect(reply.status == 400, "\(query)")
                #expect(reply.errorMessage?.contains(message) == true, "\(query): \(reply.errorMessage ?? "-")")
            }
            let unknown = try await portal.get("/api/content/nosuchtype")
            #expect(unknown.status == 404)
            #expect(unknown.json["success"] == false)
            #expect(unknown.errorMessage == "There is no content type named 'nosuchtype'.")
        }
    }
}
