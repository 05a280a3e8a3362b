import LunetJSON
import Testing

@testable import LunetICL

@Suite("iCL emulator: create, get, replace, delete content items")
struct ContentItemTests {
    /// The seed's create example (section 3).
    let hg: JSONValue = [
        "externalId": "HG", "buildingname": "HG10223", "strasse": "Hansongasse 23", "stiege": "1", "stock": 4,
        "topnr": "43", "plz": "1010", "ort": "Wien",
    ]

    @Test func createReturnsTheCompleteItemAndGetFindsItByEveryKey() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let created = try await portal.post("/api/content/building", hg)
            #expect(created.status == 200)
            let item = try #require(created.json.object)
            #expect(item["result"] == nil)  // bare, as the seed shows
            #expect(item.keys == [
                "buildingname", "strasse", "stiege", "stock", "topnr", "plz", "ort", "contentItemId", "_id", "externalId",
                "lastModificationTime", "isDeleted", "creatorUserId", "creatorUser", "lastModifierUserId", "lastModifierUser",
            ])
            #expect(item["stock"] == 4)
            #expect(item["isDeleted"] == false)
            #expect(item["creatorUserId"] == .integer(ICLUsers.service.id))
            #expect(item["lastModifierUserId"] == .null)
            #expect(item["lastModificationTime"]?.string?.count == 28)  // 2023-03-14T12:42:41.1951367Z

            for key in [item["_id"], item["contentItemId"], item["externalId"]].compactMap({ $0?.string }) {
                let fetched = try await portal.get("/api/content/building/\(key)")
                #expect(fetched.status == 200)
                #expect(fetched.json == created.json)
            }
            let upper = try await portal.get("/api/content/building/\(item["contentItemId"]?.string?.uppercased() ?? "")")
            #expect(upper.status == 200)
            // Keys belong to a type.
            #expect(try await portal.get("/api/content/site/HG").status == 404)
        }
    }

    @Test func createValidatesAgainstTheContentType() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            var noStreet = hg.object!
            noStreet["strasse"] = nil
            let missing = try await portal.post("/api/content/building", .object(noStreet))
            #expect(missing.status == 400)
            #expect(missing.json["success"] == false)
            #expect(missing.json["unAuthorizedRequest"] == false)
            #expect(missing.errorMessage == "Your request is not valid!")
            #expect(missing.json["error"]?["validationErrors"] == [["message": "The field 'strasse' is required", "members": ["strasse"]]])
            #expect(missing.json["error"]?["details"]?.string?.contains("The field 'strasse' is required") == true)

            var badNumber = hg.object!
            badNumber["stock"] = "vierter"
            badNumber["strasse"] = ""
            let bad = try await portal.post("/api/content/building", .object(badNumber))
            #expect(bad.status == 400)
            #expect(bad.json["error"]?["validationErrors"]?.array?.count == 2)

            var numericText = hg.object!
            numericText["stock"] = "4"
            numericText["plz"] = 1010
            numericText["unknownField"] = "ignored"
            let converted = try await portal.post("/api/content/building", .object(numericText))
            #expect(converted.status == 200)
            #expect(converted.json["stock"] == 4)
            #expect(converted.json["plz"] == "1010")
            #expect(converted.json["unknownField"] == nil)

            let duplicate = try await portal.post("/api/content/building", hg)
            #expect(duplicate.status == 400)
            #expect(duplicate.errorMessage == "Your request is not valid!")
            // externalIds are unique across all types
            let clash = try await portal.post("/api/content/site", ["externalId": "GB-00001", "sitename": "Clash"])
            #expect(clash.status == 400)
            #expect(clash.json["error"]?["validationErrors"]?[0]?["members"] == ["externalId"])

            let notJSON = try await portal.send(.POST, "/api/content/building", body: "{nope")
            #expect(notJSON.status == 400)
            #expect(notJSON.json["success"] == false)
            #expect(try await portal.post("/api/content/building", [1, 2]).status == 400)
            #expect(try await portal.post("/api/content/nosuchtype", hg).status == 404)
        }
    }

    @Test func referencesResolveByExternalIdOrContentItemId() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let site = try await portal.get("/api/content/site/SITE-05")
            let siteId = try #require(site.json["contentItemId"]?.string)

            var byExternal = hg.object!
            byExternal["site"] = "SITE-05"
            let a = try await portal.post("/api/content/building", .object(byExternal))
            #expect(a.json["site"] == .string(siteId))

            var byContentItemId = hg.object!
            byContentItemId["externalId"] = "HG2"
            byContentItemId["site"] = .string(siteId)
            #expect(try await portal.post("/api/content/building", .object(byContentItemId)).json["site"] == .string(siteId))

            var dangling = hg.object!
            dangling["externalId"] = "HG3"
            dangling["site"] = "SITE-99"
            let refused = try await portal.post("/api/content/building", .object(dangling))
            #expect(refused.status == 400)
            #expect(refused.json["error"]?["validationErrors"]?[0]?["members"] == ["site"])

            // A reference must point at the field's target type.
            var wrongType = hg.object!
            wrongType["externalId"] = "HG4"
            wrongType["site"] = "GB-00001"
            #expect(try await portal.post("/api/content/building", .object(wrongType)).status == 400)

            let elevator = try await portal.post(
                "/api/content/elevator", ["externalId": "AZ-NEW", "elevator_name": "Neuer Aufzug", "building": "HG"])
            #expect(elevator.status == 200)
            #expect(elevator.json["building"] == a.json["contentItemId"])
        }
    }

    @Test func putReplacesTheWholeItem() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let created = try await portal.post("/api/content/building", hg)
            var replacement = hg.object!
            replacement["stiege"] = nil
            replacement["stock"] = 5
            let replaced = try await portal.put("/api/content/building/HG", .object(replacement))
            #expect(replaced.status == 200)
            #expect(replaced.json["stiege"] == nil)
            #expect(replaced.json["stock"] == 5)
            #expect(replaced.json["_id"] == created.json["_id"])
            #expect(replaced.json["contentItemId"] == created.json["contentItemId"])
            #expect(replaced.json["creatorUserId"] == created.json["creatorUserId"])
            #expect(replaced.json["lastModifierUser"] == .string(ICLUsers.service.name))
            #expect(try await portal.get("/api/content/building/HG").json == replaced.json)

            // Omitting a required field is not allowed, even though PUT removes omitted fields.
            var noStreet = replacement
            noStreet["strasse"] = nil
            let refused = try await portal.put("/api/content/building/HG", .object(noStreet))
            #expect(refused.status == 400)
            #expect(refused.json["error"]?["validationErrors"]?[0]?["message"] == "The field 'strasse' is required")

            // The external id can change through PUT; the old one then finds nothing.
            var renamed = replacement
            renamed["externalId"] = "HG-NEU"
            let id = try #require(created.json["_id"]?.string)
            #expect(try await portal.put("/api/content/building/\(id)", .object(renamed)).json["externalId"] == "HG-NEU")
            #expect(try await portal.get("/api/content/building/HG").status == 404)
            #expect(try await portal.put("/api/content/building/HG", hg).status == 404)
            // Omitting externalId removes it too: PUT replaces everything.
            var anonymous = replacement
            anonymous["externalId"] = nil
            #expect(try await portal.put("/api/content/building/\(id)", .object(anonymous)).json["externalId"] == .null)
            #expect(try await portal.get("/api/content/building/HG-NEU").status == 404)
        }
    }

    @Test func deleteIsSoftAndFinal() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let created = try await portal.post("/api/content/building", hg)
            let deleted = try await portal.delete("/api/content/building/HG")
            #expect(deleted.status == 200)
            #expect(deleted.text.isEmpty)
            let gone = try await portal.get("/api/content/building/HG")
            #expect(gone.status == 404)
            #expect(gone.json["success"] == false)
            #expect(gone.json["error"]?["message"]?.string?.contains("'HG'") == true)
            #expect(try await portal.get("/api/content/building/\(created.json["_id"]?.string ?? "")").status == 404)
            #expect(try await portal.delete("/api/content/building/HG").status == 404)
            #expect(try await portal.delete("/api/content/building/never-was").status == 404)
            let listed = try await portal.get("/api/content/building?$filter=\(q("ExternalId eq 'HG'"))&$inlinecount=allpages")
            #expect(listed.result["__count"] == 0)
            let all = try await portal.get("/api/content?$filter=\(q("ExternalId eq 'HG'"))&$inlinecount=allpages")
            #expect(all.result["__count"] == 0)
            // The external id is free again: a new item, with new ids.
            let again = try await portal.post("/api/content/building", hg)
            #expect(again.status == 200)
            #expect(again.json["contentItemId"] != created.json["contentItemId"])
        }
    }

    @Test func keysWithSpacesUmlautsAndPercentSigns() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            for externalId in ["Zoë Müller 1", "50% Rabatt", "a/b"] {
                var item = hg.object!
                item["externalId"] = .string(externalId)
                #expect(try await portal.post("/api/content/building", .object(item)).status == 200)
                let fetched = try await portal.get("/api/content/building/\(q(externalId))")
                #expect(fetched.status == 200, "\(externalId)")
                #expect(fetched.json["externalId"] == .string(externalId))
            }
        }
    }
}
