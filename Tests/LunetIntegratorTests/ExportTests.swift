import Foundation
import LunetJSON
import Testing

@testable import LunetIntegrator

@Suite("integrator.io virtual exports and pagedExportState")
struct ExportTests {
    static let netsuite = "/connections/5541489353bb53af29000009"
    static func model(_ pageSize: Int) -> JSONValue {
        [
            "asynchronous": true, "pageSize": .integer(Int64(pageSize)),
            "netsuite": [
                "type": "search", "searches": [["recordType": "customRecord", "savedSearchId": "123456"]],
                "skipGrouping": true,
            ],
        ]
    }

    @Test func virtualExportAnswersTheFirstPage() async throws {
        try await withIntegrator { _, client in
            let reply = try await client.post(Self.netsuite + "/export", ["export": Self.model(5)])
            #expect(reply.status == 200)
            #expect(reply.json["data"]?.array?.count == 5)
            #expect(reply.json["data"]?[0]?["recType"] == "813")
            #expect(reply.json["dataURIs"] == [nil, nil, nil, nil, nil])
            #expect(try await client.post(Self.netsuite + "/export", ["nothing": 1]).error?["field"] == "export")
            #expect(
                try await client.post("/connections/000000000000000000000000/export", ["export": Self.model(5)]).status
                    == 404)
            let bad = try await client.post(Self.netsuite + "/export", ["export": Self.model(0)])
            #expect(bad.status == 422)
            #expect(bad.error?["field"] == "export.pageSize")
        }
    }

    @Test func pagesFollowTheStateToDone() async throws {
        try await withIntegrator { _, client in
            var state: JSONValue = .null
            var rows: [JSONValue] = []
            var pages = 0
            repeat {
                var body: JSONObject = ["export": Self.model(100)]
                if state != .null { body["pagedExportState"] = state }
                let reply = try await client.post(Self.netsuite + "/export/pages", .object(body))
                #expect(reply.status == 200, "\(reply.text.prefix(300))")
                pages += 1
                rows += reply.json["data"]?.array ?? []
                #expect(reply.json["dataURIs"]?.array?.count == reply.json["data"]?.array?.count)
                state = reply.json["pagedExportState"] ?? .null
                #expect(
                    state.object?.keys == [
                        "searchId", "pageIndex", "pageSize", "totalPages", "totalRecords", "done", "issuedAt", "sig",
                    ])
                #expect(state["pageIndex"] == .integer(Int64(pages + 1)))
                #expect(state["totalPages"] == 9)
                #expect(state["totalRecords"] == 822)
            } while state["done"] != true && pages < 20
            #expect(pages == 9)
            #expect(rows.map { $0["row"] } == (1...822).map { .integer(Int64($0)) })
            // A finished export cannot be continued.
            let after = try await client.post(
                Self.netsuite + "/export/pages", ["export": Self.model(100), "pagedExportState": state])
            #expect(after.status == 400)
            #expect(after.error?["code"] == "invalid_paged_export_state")
        }
    }

    @Test func modifiedOrOutOfOrderStatesAreRejected() async throws {
        try await withIntegrator { _, client in
            func page(_ state: JSONValue?, model: JSONValue = Self.model(50), connection: String = Self.netsuite)
                async throws -> Reply
            {
                var body: JSONObject = ["export": model]
                if let state { body["pagedExportState"] = state }
                return try await client.post(connection + "/export/pages", .object(body))
            }
            let first = try await page(nil)
            let state2 = try #require(first.json["pagedExportState"])
            var tampered = state2.object!
            tampered["pageIndex"] = 5
            for (changed, why) in [
                (JSONValue.object(tampered), "pageIndex"), (Self.with(state2, "sig", "00"), "sig"),
                (Self.with(state2, "totalRecords", 10), "totalRecords"),
                (Self.without(state2, "issuedAt"), "no issuedAt"),
            ] {
                let reply = try await page(changed)
                #expect(reply.status == 400, "\(why)")
                #expect(reply.error?["code"] == "invalid_paged_export_state", "\(why)")
                #expect(reply.error?["field"] == "pagedExportState")
            }
            #expect(try await page(state2, model: Self.model(51)).status == 400)
            #expect(try await page(state2, connection: "/connections/5541e17a1383a6ce6e00000d").status == 400)

            let second = try await page(state2)
            #expect(second.status == 200)
            #expect(second.json["data"]?[0]?["row"] == 51)
            // Sending the same state again (a retry) repeats the page and its next state.
            let retry = try await page(state2)
            #expect(retry.json == second.json)
            let state3 = try #require(second.json["pagedExportState"])
            let third = try await page(state3)
            #expect(third.json["data"]?[0]?["row"] == 101)
            // An older state is a replay out of order.
            let replay = try await page(state2)
            #expect(replay.status == 400)
            #expect(replay.error?["message"]?.string?.contains("out of order") == true)
            // Key order does not matter, values do.
            let reordered = JSONValue.object(
                JSONObject(third.json["pagedExportState"]!.object!.map { ($0.key, $0.value) }.reversed()))
            #expect(try await page(reordered).status == 200)
        }
    }

    @Test func emptyDataIsOneDonePage() async throws {
        try await withIntegrator { _, client in
            let reply = try await client.post(
                "/connections/5541e17a1383a6ce6e00000d/export/pages",
                ["export": ["rest": ["relativeURI": "/nothing.here"]]])
            #expect(reply.json["data"] == [])
            #expect(reply.json["pagedExportState"]?["done"] == true)
            #expect(reply.json["pagedExportState"]?["totalPages"] == 1)
            // The default page size is 20.
            let slack = try await client.post(
                "/connections/5541e17a1383a6ce6e00000d/export/pages",
                ["export": ["rest": ["relativeURI": "/conversations.list"]]])
            #expect(slack.json["data"]?.array?.count == 20)
            #expect(slack.json["pagedExportState"]?["totalPages"] == 3)
        }
    }

    @Test func aPagedExportKeepsTheRecordsItStartedWith() async throws {
        try await withIntegrator { _, client in
            let heartbeat = "/connections/5a1498b3bc227369ab2aa77b"
            func add(_ codes: [String]) async throws {
                let data = JSONValue.array(codes.map { ["code": .string($0), "nested": ["z": 1, "a": [2, nil]]] })
                let reply = try await client.post(
                    heartbeat + "/import", ["import": ["rest": ["relativeURI": "/grow"]], "data": data])
                #expect(reply.json.array?.count == codes.count)
            }
            let model: JSONValue = ["rest": ["relativeURI": "/grow"], "pageSize": 2]
            try await add(["a", "b", "c"])
            let first = try await client.post(heartbeat + "/export/pages", ["export": model])
            #expect(first.json["data"]?.array?.map { $0["code"] } == ["a", "b"])
            #expect(first.json["pagedExportState"]?["totalRecords"] == 3)
            // Records imported meanwhile are not part of this export…
            try await add(["d", "e"])
            let second = try await client.post(
                heartbeat + "/export/pages", ["export": model, "pagedExportState": first.json["pagedExportState"]!])
            #expect(second.json["data"]?.array?.map { $0["code"] } == ["c"])
            #expect(second.json["dataURIs"] == [nil])
            #expect(second.json["pagedExportState"]?["done"] == true)
            // …but of the next one, each record as it was imported (key order kept).
            let again = try await client.post(heartbeat + "/export/pages", ["export": model])
            #expect(again.json["pagedExportState"]?["totalRecords"] == 5)
            #expect(again.text.contains(#""code":"a","nested":{"z":1,"a":[2,null]}"#))
        }
    }

    static func with(_ state: JSONValue, _ key: String, _ value: JSONValue) -> JSONValue {
        var object = state.object!
        object[key] = value
        return .object(object)
    }

    static func without(_ state: JSONValue, _ key: String) -> JSONValue {
        var object = state.object!
        object[key] = nil
        return .object(object)
    }
}
