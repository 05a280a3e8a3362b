import LunetJSON
import Testing

@testable import LunetICL

@Suite("iCL emulator: batch upsert by externalId")
struct BatchUpsertTests {
    /// The seed's batch example (sections 7 and 8): HG lacks the required `strasse`.
    let seedBatch: JSONValue = [
        ["externalId": "HG", "buildingname": "HG10223", "stiege": "1", "stock": 4, "topnr": "43", "plz": "1010", "ort": "Wien"],
        [
            "externalId": "LHS101", "buildingname": "LANHS101", "stiege": "10", "strasse": "Landstraßer Hauptstraße",
            "stock": 1, "topnr": "GO11", "plz": "1030", "ort": "Wien",
        ],
    ]

    @Test func atomicBatchRollsBackOnAnyError() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let before = try await portal.get("/api/content/getchanges?changeToken=__________8")
            let reply = try await portal.put("/api/content/building/batch", seedBatch)
            #expect(reply.status == 200)
            #expect(reply.json == ["errored": [["externalId": "HG", "error": "The field 'strasse' is required"]], "succeeded": []])
            #expect(try await portal.get("/api/content/building/LHS101").status == 404)
            let after = try await portal.get("/api/content/getchanges?changeToken=\(before.json["NextChangeToken"]?.string ?? "")")
            #expect(after.json["Results"] == [])
        }
    }

    @Test func ignoringErrorsStoresTheValidItems() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let reply = try await portal.put("/api/content/building/batch?ignoreErrors=true", seedBatch)
            #expect(reply.status == 200)
            #expect(reply.json["errored"] == [["externalId": "HG", "error": "The field 'strasse' is required"]])
            let succeeded = try #require(reply.json["succeeded"]?.array)
            #expect(succeeded.count == 1)
            #expect(succeeded.first?["externalId"] == "LHS101")
            let stored = try await portal.get("/api/content/building/LHS101")
            #expect(stored.status == 200)
            #expect(stored.json["contentItemId"] == succeeded.first?["id"])
            #expect(try await portal.get("/api/content/building/HG").status == 404)
        }
    }

    @Test func existingItemsAreReplacedNewOnesCreated() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let old = try await portal.get("/api/content/building/GB-00001")
            let reply = try await portal.put(
                "/api/content/building/batch",
                [
                    ["externalId": "GB-00001", "buildingname": "Umbenannt", "strasse": "Neue Gasse 1"],
                    ["externalId": "GB-NEU", "buildingname": "Neu", "strasse": "Grazer Straße 5", "site": "SITE-05"],
                    ["externalId": "GB-NEU", "buildingname": "Neu, zweimal", "strasse": "Grazer Straße 5"],
                ])
            #expect(reply.json["errored"] == [])
            let succeeded = try #require(reply.json["succeeded"]?.array)
            #expect(strings(succeeded, "externalId") == ["GB-00001", "GB-NEU", "GB-NEU"])
            #expect(succeeded[0]["id"] == old.json["contentItemId"])
            #expect(succeeded[1]["id"] == succeeded[2]["id"])

            let replaced = try await portal.get("/api/content/building/GB-00001")
            #expect(replaced.json["_id"] == old.json["_id"])
            #expect(replaced.json["buildingname"] == "Umbenannt")
            #expect(replaced.json["ort"] == nil)  // omitted, so removed
            #expect(try await portal.get("/api/content/building/GB-NEU").json["buildingname"] == "Neu, zweimal")
        }
    }

    @Test func perItemErrorsNameTheItem() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let reply = try await portal.put(
                "/api/content/elevator/batch?ignoreErrors=true",
                [
                    ["elevator_name": "ohne externalId", "building": "GB-00002"],
                    ["externalId": "AZ-X1", "elevator_name": "Aufzug X1", "building": "NOPE"],
                    ["externalId": "AZ-X2", "elevator_name": "Aufzug X2", "building": "GB-00002", "baujahr": "neu"],
                    ["externalId": "AZ-X3", "elevator_name": "Aufzug X3", "building": "GB-00002"],
                    "not an object",
                ])
            let errored = try #require(reply.json["errored"]?.array)
            #expect(errored.count == 4)
            #expect(errored[0]["externalId"] == .null)
            #expect(errored[0]["error"] == "The field 'externalId' is required")
            #expect(errored[1]["externalId"] == "AZ-X1")
            #expect(errored[1]["error"]?.string?.contains("NOPE") == true)
            #expect(errored[2]["error"] == "The field 'baujahr' must be a number")
            #expect(strings(reply.json["succeeded"]?.array ?? [], "externalId") == ["AZ-X3"])
        }
    }

    @Test func badBatchRequests() async throws {
        try await withICL(seed: "demo") { _, client in
            let portal = try await client.login()
            let notArray = try await portal.put("/api/content/building/batch", ["externalId": "HG"])
            #expect(notArray.status == 400)
            #expect(notArray.json["success"] == false)
            #expect(try await portal.put("/api/content/nosuchtype/batch", []).status == 404)
            #expect(try await portal.put("/api/content/building/batch", []).json == ["errored": [], "succeeded": []])
        }
    }
}
