import Foundation
import LunetJSON
import Testing

@testable import LunetIntegrator

@Suite("integrator.io virtual imports and mapping")
struct ImportTests {
    static let heartbeat = "/connections/5a1498b3bc227369ab2aa77b"

    @Test func theSeedsImport() async throws {
        try await withIntegrator { _, client in
            let model: JSONValue = [
                "mapping": [
                    "fields": [
                        ["extract": "timestamp", "generate": "timestamp"],
                        ["generate": "key", "hardCodedValue": "sqs_flow"],
                    ]
                ],
                "rest": ["relativeURI": ["/system/v1/heartbeat"], "method": ["PUT"]],
            ]
            let data: [JSONValue] = Array(repeating: ["timestamp": 1_512_012_818_751], count: 4)
            let reply = try await client.post(Self.heartbeat + "/import", ["import": model, "data": .array(data)])
            #expect(reply.status == 200)
            let results = try #require(reply.json.array)
            #expect(results.count == 4)
            for result in results {
                #expect(result["statusCode"] == 200)
                let id = try #require(result["id"]?.string)
                #expect(result["_json"]?["_id"]?.string == id)
                #expect(result["_json"]?["key"] == "sqs_flow")
                #expect(result["_json"]?["timestamp"] == 1_512_012_818_751)
                #expect(result["_json"]?["__v"] == 0)
                #expect(result["_json"]?["createdAt"]?.string?.hasSuffix("Z") == true)
            }
            // What was imported can be exported again.
            let exported = try await client.post(
                Self.heartbeat + "/export", ["export": ["rest": ["relativeURI": "/system/v1/heartbeat"]]])
            #expect(exported.json["data"]?.array?.count == 4)
        }
    }

    @Test func recordsFailByTheirContent() async throws {
        try await withIntegrator { _, client in
            let model: JSONValue = [
                "mapping": [
                    "fields": [
                        ["extract": "mail", "generate": "email"],
                        ["extract": "name.first", "generate": "contact.firstName", "required": true],
                        ["extract": "country", "generate": "country", "default": "IS"],
                    ]
                ],
                "rest": ["relativeURI": "/contacts"],
            ]
            let data: [JSONValue] = [
                ["mail": "a@example.com", "name": ["first": "Anna"]],
                ["mail": "b@example.com"],
                ["mail": "not-an-address", "name": ["first": "Bob"]],
                "just a string",
                ["mail": "c@example.com", "name": ["first": "Cat"], "country": "NO"],
            ]
            let reply = try await client.post(Self.heartbeat + "/import", ["import": model, "data": .array(data)])
            let results = try #require(reply.json.array)
            #expect(results.map { $0["statusCode"] } == [200, 422, 422, 422, 200])
            #expect(results[0]["_json"]?["contact"]?["firstName"] == "Anna")
            #expect(results[0]["_json"]?["country"] == "IS")
            #expect(results[4]["_json"]?["country"] == "NO")
            #expect(results[1]["errors"]?[0]?["code"] == "missing_required_field")
            #expect(results[1]["errors"]?[0]?["field"] == "contact.firstName")
            #expect(results[2]["errors"]?[0]?["field"] == "email")
            #expect(results[3]["errors"]?[0]?["code"] == "missing_required_field")
            #expect(results[1]["id"] == nil)

            // Without a mapping records pass unchanged.
            let plain = try await client.post(
                Self.heartbeat + "/import", ["import": ["rest": ["relativeURI": "/x"]], "data": [["a": 1]]])
            #expect(plain.json[0]?["_json"]?["a"] == 1)
        }
    }

    @Test func mapOnlyMaps() async throws {
        try await withIntegrator { _, client in
            let model: JSONValue = [
                "mapping": [
                    "fields": [
                        ["extract": "id", "generate": "externalId"], ["generate": "source", "hardCodedValue": "lunet"],
                    ]
                ]
            ]
            let reply = try await client.post(
                Self.heartbeat + "/import/map", ["import": model, "data": [["id": 7, "other": true], ["id": 8]]])
            #expect(reply.status == 200)
            #expect(reply.json == [["externalId": 7, "source": "lunet"], ["externalId": 8, "source": "lunet"]])
            #expect(try await client.post(Self.heartbeat + "/import/map", ["import": model]).error?["field"] == "data")
            #expect(try await client.post(Self.heartbeat + "/import", ["data": []]).error?["field"] == "import")
            #expect(try await client.post(Self.heartbeat + "/import", ["import": [:], "data": 5]).status == 422)
            #expect(
                try await client.post("/connections/000000000000000000000000/import", ["import": [:], "data": []])
                    .status == 404)
        }
    }
}
