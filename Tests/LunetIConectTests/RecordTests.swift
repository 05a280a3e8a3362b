import LunetJSON
import Testing

@testable import LunetIConect

@Suite("iCONECT records")
struct RecordTests {
    @Test func pagesOf50ByDefault() async throws {
        try await withIConect { _, client in
            let first = try await client.get("/projects/1/records")
            #expect(first.json.ids == Array(1...50))
            #expect(try await client.get("/projects/1/records?page=2").json.ids == Array(51...100))
            var seen: [Int64] = []
            for page in 1...13 {
                let reply = try await client.get("/projects/1/records?page=\(page)&page_size=50")
                seen += reply.json.ids
            }
            #expect(seen == Array(1...600))
            #expect(try await client.get("/projects/1/records?page=2&page_size=500").json.ids == Array(501...600))
            #expect(try await client.get("/projects/1/records?page=3&page_size=500").json == [])
            #expect(try await client.get("/projects/1/records?page=0").status == 400)
            #expect(try await client.get("/projects/1/records?page_size=0").status == 400)
            #expect(try await client.get("/projects/1/records?page=two").status == 400)
            #expect(try await client.get("/projects/1/records/count").json == 600)
            #expect(try await client.get("/projects/2/records/count").json == 30)
            #expect(try await client.get("/projects/9/records/count").status == 404)
        }
    }

    @Test func fieldSelectionAndSizeLimit() async throws {
        try await withIConect { _, client in
            let narrow = try await client.get("/projects/1/records?page_size=2&field_ids=2,3")
            #expect(narrow.json[0]?["field_data"]?.object?.keys == ["2", "3"])
            let repeated = try await client.get("/projects/1/records?page_size=2&field_ids=2&field_ids=6")
            #expect(repeated.json[0]?["field_data"]?.object?.keys == ["2", "6"])
            #expect(try await client.get("/projects/1/records?field_ids=99").status == 400)

            // Record 4's extracted text is longer than the default limit of 100.
            let full = try await client.get("/projects/1/records/4").json["field_data"]?["8"]?.string ?? ""
            #expect(full.count > 100)
            let listed = try await client.get("/projects/1/records?record_ids=4").json[0]?["field_data"]?["8"]?.string ?? ""
            #expect(listed == String(full.prefix(100)))
            let limited = try await client.get("/projects/1/records?record_ids=4&size_limit=10").json[0]?["field_data"]?["8"]
            #expect(limited == .string(String(full.prefix(10))))
        }
    }

    @Test func recordIDsAndViewsAreExclusive() async throws {
        try await withIConect { _, client in
            #expect(try await client.get("/projects/1/records?record_ids=9,3,9999,5").json.ids == [3, 5, 9])
            #expect(try await client.get("/projects/1/records?view_id=1").json.ids == Array(591...600))
            #expect(try await client.get("/projects/1/records?view_id=1&page_size=4&page=3").json.ids == [599, 600])
            let both = try await client.get("/projects/1/records?view_id=1&record_ids=1")
            #expect(both.status == 400)
            #expect(both.error?.contains("mutually exclusive") == true)
            #expect(try await client.get("/projects/1/records?view_id=7").status == 404)
        }
    }

    @Test func getAndDelete() async throws {
        try await withIConect { _, client in
            let record = try await client.get("/projects/1/records/2")
            #expect(record.json.object?.keys == ["field_data", "id", "version"])
            #expect(record.json["field_data"]?["2"] == "ACME000002")
            #expect(record.json["field_data"]?["1"] == 2)
            #expect(try await client.get("/projects/1/records/2?field_ids=3").json["field_data"]?.object?.keys == ["3"])
            #expect(try await client.get("/projects/1/records/601").error == "Record 601 was not found")
            #expect(try await client.delete("/projects/1/records/1").json == ["iconect_ok": "Record 1 deleted"])
            #expect(try await client.get("/projects/1/records/1").status == 404)
            #expect(try await client.get("/projects/1/records/count").json == 599)
            // It left its folders and lost its native file.
            #expect(try await client.get("/projects/1/panels/1/folders/4/records").json.ids == Array(2...10))
            #expect(try await client.get("/projects/1/records/1/files/9").status == 404)
            #expect(try await client.delete("/projects/1/records/1").status == 404)
        }
    }

    @Test func createReportsNewDuplicateAndFailedRecords() async throws {
        try await withIConect { _, client in
            let reply = try await client.post(
                "/projects/1/records",
                [
                    "hash_ids": [2],
                    "records": [
                        ["field_data": ["2": "NEW000001", "3": "Fresh", "6": "12", "5": "2024-03-01"]],
                        ["field_data": ["2": "ACME000007", "3": "Duplicate of record 7"]],
                        ["field_data": ["2": "NEW000001", "3": "Duplicate within the request"]],
                        ["field_data": ["6": "many"]],
                        ["field_data": ["1": 5]],
                        ["field_data": ["77": "x"]],
                        ["field_data": ["2": "THIS-IS-FAR-TOO-LONG-FOR-TWENTY"]],
                        ["field_data": ["9": "native.pdf"]],
                        ["nothing": true],
                        ["field_data": ["2": "NEW000002", "5": "31-31-31x"]],
                        ["field_data": ["2": "NEW000003", "10": "2024-03-01 14:30", "11": "1.02:03:04", "7": 12.5]],
                    ],
                ])
            #expect(reply.status == 200)
            #expect(reply.json.object?.keys == ["iconect_ok", "new_records_list", "duplicate_list", "record_errors"])
            #expect(reply.json["new_records_list"] == ["0": 601, "10": 602])
            #expect(reply.json["duplicate_list"] == ["1": 7, "2": 601])
            let errors = reply.json["record_errors"]?.array ?? []
            #expect(errors.compactMap { $0["index"]?.integer } == [3, 4, 5, 6, 7, 8, 9])
            #expect(errors[0]["message"]?.string?.contains("expects a number") == true)
            #expect(errors[1]["message"]?.string?.contains("read-only") == true)
            #expect(errors[2]["message"] == "Field 77 was not found")
            #expect(errors[3]["message"]?.string?.contains("longer than its length of 20") == true)
            let created = try await client.get("/projects/1/records/601").json
            #expect(created["field_data"]?["6"] == 12)  // a numeric string is stored as a number
            #expect(created["field_data"]?["1"] == 601)  // the identity field
            #expect(created["version"] == 1)
            #expect(try await client.get("/projects/1/records/count").json == 602)
        }
    }

    @Test func createValidatesTheRequest() async throws {
        try await withIConect { _, client in
            #expect(try await client.post("/projects/1/records", ["hash_ids": [2]]).status == 400)
            #expect(try await client.post("/projects/1/records", ["records": [], "hash_ids": [99]]).status == 400)
            #expect(try await client.post("/projects/1/records", ["records": [], "filestore_id": 2]).status == 400)
            #expect(try await client.post("/projects/1/records", ["records": [], "filestore_id": 1, "native_field_id": 9]).status == 400)
            #expect(try await client.post("/projects/1/records", ["records": [], "filestore_id": 2, "native_field_id": 3]).status == 400)
            #expect(try await client.post("/projects/99/records", ["records": []]).status == 404)
            let none = try await client.post("/projects/1/records", ["records": []])
            #expect(none.json["new_records_list"] == [:])
        }
    }

    @Test func createWithS3NativeReferences() async throws {
        try await withIConect { _, client in
            let reply = try await client.post(
                "/projects/1/records",
                [
                    "filestore_id": 2, "native_field_id": 9,
                    "records": [
                        ["field_data": ["2": "S3-1", "9": "evidence/0001.pdf"]],
                        ["field_data": ["2": "S3-2"]],
                    ],
                ])
            #expect(reply.json["new_records_list"] == ["0": 601])
            #expect(reply.json["record_errors"]?[0]?["index"] == 1)
            #expect(try await client.get("/projects/1/records/601").json["field_data"]?["9"] == "evidence/0001.pdf")
        }
    }

    @Test func updateIsPartialAndVersioned() async throws {
        try await withIConect { _, client in
            let reply = try await client.put(
                "/projects/1/records",
                [
                    "records": [
                        ["id": 10, "field_data": ["3": "Retitled", "4": .null]],
                        ["id": 9999, "field_data": ["3": "x"]],
                        ["id": 11, "version": 7, "field_data": ["3": "stale"]],
                        ["id": 12, "field_data": ["6": "lots"]],
                        ["field_data": ["3": "no id"]],
                        ["id": 13, "version": 1, "field_data": ["3": "current"]],
                    ]
                ])
            #expect(reply.status == 200)
            #expect(reply.json.object?.keys == ["iconect_ok", "record_errors"])
            let errors = reply.json["record_errors"]?.array ?? []
            #expect(errors.compactMap { $0["index"]?.integer } == [1, 2, 3, 4])
            #expect(errors[0]["id"] == 9999)
            #expect(errors[0]["message"] == "Record 9999 was not found")
            #expect(errors[1]["message"]?.string?.contains("version") == true)
            let ten = try await client.get("/projects/1/records/10").json
            #expect(ten["field_data"]?["3"] == "Retitled")
            #expect(ten["field_data"]?["4"] == .null)
            #expect(ten["field_data"]?["2"] == "ACME000010")  // untouched
            #expect(ten["version"] == 2)
            #expect(try await client.get("/projects/1/records/12").json["version"] == 1)
            #expect(try await client.get("/projects/1/records/13").json["field_data"]?["3"] == "current")
            #expect(try await client.put("/projects/1/records", ["records": "no"]).status == 400)
        }
    }
}
