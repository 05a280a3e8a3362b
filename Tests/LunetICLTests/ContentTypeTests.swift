import LunetJSON
import Testing

@testable import LunetICL

@Suite("iCL emulator: content types")
struct ContentTypeTests {
    func thing(_ change: (inout JSONObject) -> Void = { _ in }) -> JSONValue {
        var definition = thingType.object!
        change(&definition)
        return .object(definition)
    }

    func fields(_ change: @escaping (inout [JSONValue]) -> Void) -> (inout JSONObject) -> Void {
        { definition in
            var fields = definition["fields"]?.array ?? []
            change(&fields)
            definition["fields"] = .array(fields)
        }
    }

    @Test func listGetAndDownload() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let list = try await portal.get("/api/contenttypes?$inlinecount=allpages&$top=2")
            #expect(list.status == 200)
            #expect(list.result.object?.keys == ["results", "__count"])
            #expect(list.result["__count"] == 3)
            #expect(strings(results(list), "name") == ["building", "elevator"])
            let building = try #require(results(list).first?.object)
            #expect(building.keys == ["contentTypeId", "name", "canBeInspected", "builtInTypeId", "filteredSynchronization",
                                      "syncConflictResolution", "creationTime", "lastModificationTime"])
            #expect(building["contentTypeId"] == "31d1d26b-1475-477e-ab21-13d8fd2dc7ea")
            #expect(strings(results(try await portal.get("/api/contenttypes?$skip=2")), "name") == ["site"])

            let definition = try await portal.get("/api/contenttype/building")
            #expect(definition.status == 200)
            #expect(definition.json["name"] == "building")
            #expect(definition.json["titleFieldName"] == "buildingname")
            #expect(definition.json["fields"]?[1]?["name"] == "strasse")
            #expect(definition.json["fields"]?[1]?["isRequired"] == true)
            #expect(definition.json["version"] == 1)  // filled in on upload

            let download = try await portal.get("/api/contenttype/building/download")
            #expect(download.status == 200)
            #expect(download.headers["Content-Disposition"].first == "attachment; filename=sandbox_building.json")
            #expect(download.headers["Cache-Control"].first == "no-store, must-revalidate, no-cache, max-age=0")
            #expect(download.headers["Content-Type"].first == "application/json")
            #expect(download.json == definition.json)

            #expect(try await portal.get("/api/contenttype/nosuchtype").status == 404)
            #expect(try await portal.get("/api/contenttype/nosuchtype/download").status == 404)
        }
    }

    @Test func createChecksTheDefinition() async throws {
        try await withICL { _, client in
            let portal = try await client.login()
            let created = try await portal.post("/api/contenttype/thing", thingType)
            #expect(created.status == 200)
            #expect(created.json["name"] == "thing")
            #expect(try await portal.get("/api/contenttype/thing").json == created.json)
            #expect(try await portal.post("/api/content/thing", ["name": "Erstes Ding"]).status == 200)

            let again = try await portal.post("/api/contenttype/thing", thingType)
            #expect(again.status == 400)
            #expect(again.json["error"]?["validationErrors"]?[0]?["members"] == ["name"])
            let sameId = try await portal.post("/api/contenttype/other", thing { $0["name"] = "other" })
            #expect(sameId.status == 400)
            #expect(sameId.json["error"]?["validationErrors"]?[0]?["members"] == ["id"])

            let invalid: [(JSONValue, String)] = [
                (thing { $0["id"] = nil; $0["name"] = "x1" }, "id"),
                (thing { $0["id"] = "0f8e6a3c-0000-4000-8000-000000000002"; $0["name"] = "Bad Name" }, "name"),
                (thing { $0["id"] = "0f8e6a3c-0000-4000-8000-000000000003"; $0["name"] = "x3"; $0["titleFieldName"] = "nope" }, "titleFieldName"),
                (thing(fields { $0.append(["type": "ContentItem", "name": "owner"]) }), "owner"),
                (thing(fields { $0.append(["name": "Title"]) }), "fields"),
            ]
            for (definition, member) in invalid {
                let reply = try await portal.post("/api/contenttype/\(definition["name"]?.string ?? "x")", definition)
                #expect(reply.status == 400, "\(member)")
                let members = reply.json["error"]?["validationErrors"]?.array?.compactMap { $0["members"]?[0]?.string } ?? []
                #expect(members.contains(member), "\(member): \(reply.text)")
            }
            #expect(try await portal.post("/api/contenttype/x", "not an object").status == 400)
        }
    }

    @Test func updateAllowsOnlyNonBreakingChangesWithoutForce() async throws {
        try await withICL { _, client in
            let portal = try await client.login()
            _ = try await portal.post("/api/contenttype/thing", thingType)
            _ = try await portal.post("/api/content/thing", ["externalId": "T1", "name": "Ding", "size": 3, "color": "rot"])

            let nonBreaking = thing { definition in
                definition["displayName"] = "Ding"
                fields { $0[1] = ["type": "Number", "name": "size", "displayName": "Größe", "isRequired": true]
                    $0.append(["type": "ShortText", "name": "material"])
                }(&definition)
            }
            let updated = try await portal.put("/api/contenttype/thing", nonBreaking)
            #expect(updated.status == 200)
            #expect(try await portal.get("/api/contenttype/thing").json["displayName"] == "Ding")
            #expect(try await portal.get("/api/content/thing/T1").json["size"] == 3)  // items untouched

            let retyped = thing(fields { $0[2] = ["type": "Number", "name": "color"] })
            let refused = try await portal.put("/api/contenttype/thing", retyped)
            #expect(refused.status == 400)
            #expect(refused.errorMessage?.contains("/force") == true)
            #expect(refused.json["error"]?["validationErrors"]?[0]?["members"] == ["color"])
            let removed = try await portal.put("/api/contenttype/thing", thing(fields { $0.remove(at: 1) }))
            #expect(removed.status == 400)
            #expect(removed.json["error"]?["validationErrors"]?.array?.contains { $0["members"] == ["size"] } == true)
            let renamed = try await portal.put("/api/contenttype/thing", thing { $0["name"] = "gadget" })
            #expect(renamed.status == 400)

            #expect(try await portal.put("/api/contenttype/nosuchtype", thing { $0["id"] = "0f8e6a3c-0000-4000-8000-0000000000ff" }).status == 404)
            let wrongId = try await portal.put("/api/contenttype/thing", thing { $0["id"] = "0f8e6a3c-0000-4000-8000-0000000000ff" })
            #expect(wrongId.status == 400)
        }
    }

    @Test func forcedUpdatesConvertOnLoadAndCanBeReverted() async throws {
        try await withICL { _, client in
            let portal = try await client.login()
            _ = try await portal.post("/api/contenttype/thing", thingType)
            _ = try await portal.post("/api/content/thing", ["externalId": "T1", "name": "Ding", "size": 3, "color": "rot"])
            _ = try await portal.post("/api/content/thing", ["externalId": "T2", "name": "Ding 2", "color": "42"])

            let retyped = thing(fields { $0[2] = ["type": "Number", "name": "color"] })
            #expect(try await portal.put("/api/contenttype/thing/force", retyped).status == 200)
            #expect(try await portal.get("/api/content/thing/T1").json["color"] == nil)  // "rot" cannot convert
            #expect(try await portal.get("/api/content/thing/T2").json["color"] == 42)
            #expect(try await portal.put("/api/contenttype/thing/force", thingType).status == 200)
            #expect(try await portal.get("/api/content/thing/T1").json["color"] == "rot")  // not saved since: back

            let renamed = thing { $0["name"] = "gadget" }
            #expect(try await portal.put("/api/contenttype/thing/force", renamed).status == 200)
            #expect(try await portal.get("/api/content/thing").status == 404)
            #expect(try await portal.get("/api/content/gadget/T1").json["name"] == "Ding")
            #expect(try await portal.get("/api/contenttype/gadget").json["id"] == thingType["id"])
        }
    }

    @Test func deleteRefusesTypesInUseUnlessForced() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let inUse = try await portal.delete("/api/contenttype/building")
            #expect(inUse.status == 400)
            #expect(inUse.errorMessage?.contains("'elevator'") == true)
            #expect(inUse.errorMessage?.contains("1200 content items") == true)

            _ = try await portal.post("/api/contenttype/thing", thingType)
            _ = try await portal.post("/api/content/thing", ["externalId": "T1", "name": "Ding"])
            let withItems = try await portal.delete("/api/contenttype/thing")
            #expect(withItems.status == 400)
            #expect(withItems.errorMessage?.contains("1 content item") == true)

            let head = try await portal.get("/api/content/getchanges?changeToken=__________8").json["NextChangeToken"]?.string ?? ""
            let forced = try await portal.delete("/api/contenttype/thing/force")
            #expect(forced.status == 200)
            #expect(try await portal.get("/api/contenttype/thing").status == 404)
            #expect(try await portal.get("/api/content?$filter=\(q("ExternalId eq 'T1'"))&$inlinecount=allpages").result["__count"] == 0)
            let feed = try await portal.get("/api/content/getchanges?changeToken=\(head)")
            #expect(feed.json["Results"] == [[
                "name": "Ding", "contentItemId": feed.json["Results"]?[0]?["contentItemId"] ?? .null, "externalId": "T1",
                "lastModificationTime": feed.json["Results"]?[0]?["lastModificationTime"] ?? .null, "isDeleted": true,
                "$type": "thing",
            ]])
            #expect(try await portal.delete("/api/contenttype/thing").status == 404)
            #expect(try await portal.delete("/api/contenttype/thing/force").status == 404)

            // Unused and unrelated: deleted without force. Its name can be used again.
            _ = try await portal.post("/api/contenttype/thing", thingType)
            #expect(try await portal.delete("/api/contenttype/thing").status == 200)
            #expect(try await portal.post("/api/contenttype/thing", thingType).status == 200)
        }
    }

    @Test func syncFilterReset() async throws {
        try await withICL { _, client in
            let portal = try await client.login()
            let reply = try await portal.send(.POST, "/api/contenttype/syncfilters/reset")
            #expect(reply.status == 200)
            #expect(reply.json["success"] == true)
            #expect(reply.result == .null)
        }
    }
}
