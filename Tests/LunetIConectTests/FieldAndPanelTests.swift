import LunetJSON
import Testing

@testable import LunetIConect

@Suite("iCONECT fields and panels")
struct FieldAndPanelTests {
    @Test func listAndGetFields() async throws {
        try await withIConect { _, client in
            let fields = try await client.get("/projects/1/fields")
            #expect(fields.json.count == 11)
            #expect(fields.json[0]?.object?.keys == IConectEmulator.fieldKeys)
            let date = try await client.get("/projects/1/fields/5")
            #expect(date.json["name"] == "Date Sent")
            #expect(date.json["type"] == 2)
            #expect(date.json["date_format"] == 4)
            #expect(try await client.get("/projects/1/fields/99").error == "Field 99 was not found")
            #expect(try await client.get("/projects/99/fields").status == 404)
        }
    }

    @Test func createSeveralFromAnArray() async throws {
        try await withIConect { _, client in
            let created = try await client.post(
                "/projects/2/fields",
                [
                    ["name": "Issue Code", "type": 0, "length": 10],
                    ["name": "Cost", "type": 6, "currency_format": 2, "decimal_format": 2],
                ])
            #expect(created.status == 201)
            #expect(created.json.ids == [12, 13])
            #expect(created.json[1]?["decimal_places"] == 2)
            #expect(created.json[1]?["currency_format"] == 2)
            #expect(created.json[0]?["created_by_id"] == 1)
            #expect(try await client.get("/projects/2/fields").json.count == 13)
        }
    }

    @Test func createIsAllOrNothing() async throws {
        try await withIConect { _, client in
            let badType = try await client.post("/projects/2/fields", [["name": "A", "type": 0], ["name": "B", "type": 11]])
            #expect(badType.status == 400)
            #expect(badType.error?.hasPrefix("The fields[1].type field must be one of") == true)
            let noName = try await client.post("/projects/2/fields", [["type": 0]])
            #expect(noName.error == "The fields[0].name field is required.")
            let duplicate = try await client.post("/projects/2/fields", [["name": "title", "type": 0]])
            #expect(duplicate.status == 400)
            #expect(duplicate.error?.contains("already exists") == true)
            let badFormat = try await client.post("/projects/2/fields", [["name": "D", "type": 2, "date_format": 8]])
            #expect(badFormat.status == 400)
            let object = try await client.post("/projects/2/fields", ["name": "A", "type": 0])
            #expect(object.status == 400)
            #expect(try await client.post("/projects/2/fields", []).status == 400)
            #expect(try await client.get("/projects/2/fields").json.count == 11)
        }
    }

    @Test func updateAndDeleteFields() async throws {
        try await withIConect { _, client in
            let updated = try await client.put("/projects/1/fields/3", ["name": "Subject", "type": 0, "length": 300])
            #expect(updated.status == 200)
            #expect(updated.json["name"] == "Subject")
            #expect(updated.json["length"] == 300)
            let retype = try await client.put("/projects/1/fields/3", ["name": "Subject", "type": 1])
            #expect(retype.status == 400)
            #expect(retype.error?.contains("cannot be changed") == true)
            #expect(try await client.put("/projects/1/fields/3", ["type": 0]).status == 400)
            #expect(try await client.put("/projects/1/fields/3", ["name": "DocID", "type": 0]).status == 400)
            #expect(try await client.put("/projects/1/fields/42", ["name": "x", "type": 0]).status == 404)

            let deleted = try await client.delete("/projects/1/fields/4")
            #expect(deleted.json["name"] == "Custodian")
            #expect(try await client.get("/projects/1/fields/4").status == 404)
            // Its values are gone from the records.
            #expect(try await client.get("/projects/1/records/1").json["field_data"]?["4"] == nil)
        }
    }

    @Test func panels() async throws {
        try await withIConect { _, client in
            let all = try await client.get("/projects/1/panels")
            #expect(all.json.ids == [1, 2, 3])
            #expect(all.json[0]?.object?.keys == ["id", "name", "type", "location", "custom_related_settings"])
            #expect(try await client.get("/projects/1/panels?type=").json.count == 3)
            #expect(try await client.get("/projects/1/panels?type=1").json.ids == [3])
            #expect(try await client.get("/projects/1/panels?type=0").json.ids == [1, 2])
            #expect(try await client.get("/projects/1/panels?type=4").status == 400)
            #expect(try await client.get("/projects/1/panels/3").json["custom_related_settings"]?["related_field_id"] == 2)
            #expect(try await client.get("/projects/1/panels/9").error == "Panel 9 was not found")

            let created = try await client.post("/projects/1/panels", ["name": "QC", "type": 0, "location": 4])
            #expect(created.status == 201)
            #expect(created.json["id"] == 4)
            #expect(try await client.post("/projects/1/panels", ["name": "QC", "type": 3]).status == 400)
            #expect(try await client.post("/projects/1/panels", ["type": 0]).status == 400)
            let updated = try await client.put("/projects/1/panels/4", ["name": "Quality Control"])
            #expect(updated.json["name"] == "Quality Control")
            #expect(updated.json["location"] == 4)
            let deleted = try await client.delete("/projects/1/panels/1")
            #expect(deleted.json["name"] == "Review")
            #expect(try await client.get("/projects/1/panels/1").status == 404)
            // Its folders and their memberships went with it.
            #expect(try await client.get("/projects/1/records/1/folders").json == [6])
        }
    }
}
