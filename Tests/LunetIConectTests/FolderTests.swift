import LunetJSON
import Testing

@testable import LunetIConect

@Suite("iCONECT folders")
struct FolderTests {
    @Test func listChildrenAndAll() async throws {
        try await withIConect { _, client in
            let top = try await client.get("/projects/1/panels/1/folders")
            #expect(top.json.ids == [1, 5])
            #expect(top.json[0]?.object?.keys == FolderTree.keys)
            #expect(try await client.get("/projects/1/panels/1/folders?parent_id=0").json.ids == [1, 5])
            #expect(try await client.get("/projects/1/panels/1/folders?parent_id=1").json.ids == [2, 3])
            #expect(try await client.get("/projects/1/panels/1/folders?parent_id=4").json.ids == [])
            #expect(try await client.get("/projects/1/panels/1/folders?parent_id=6").status == 404)  // in panel 2
            #expect(try await client.get("/projects/1/panels/2/folders").json.ids == [6, 7])
            #expect(try await client.get("/projects/1/panels/1/folders/0").json.ids == [1, 2, 3, 4, 5])
            #expect(try await client.get("/projects/1/panels/9/folders").error == "Panel 9 was not found")
        }
    }

    @Test func folderShowsItsPlaceInTheTree() async throws {
        try await withIConect { _, client in
            let responsive = try await client.get("/projects/1/panels/1/folders/2").json
            #expect(responsive["name"] == "Responsive")
            #expect(responsive["parent_id"] == 1)
            #expect(responsive["tab_id"] == 1)
            #expect(responsive["child_id"] == 4)
            #expect(responsive["prev_sibling_id"] == 0)
            #expect(responsive["next_sibling_id"] == 3)
            #expect(responsive["folder_position"] == 0)
            #expect(responsive["full_name"] == "First Pass\\Responsive")
            #expect(try await client.get("/projects/1/panels/1/folders/6").status == 404)
            #expect(try await client.get("/projects/1/panels/1/folders/99").error == "Folder 99 was not found")
        }
    }

    @Test func createUpdateMoveDelete() async throws {
        try await withIConect { _, client in
            let created = try await client.post(
                "/projects/1/panels/1/folders", ["name": "Warm", "description": "Maybe", "parent_id": 2,
                                                  "folder_settings": ["colour": "#ff8800"]])
            #expect(created.status == 201)
            #expect(created.json["id"] == 8)
            #expect(created.json["full_name"] == "First Pass\\Responsive\\Warm")
            #expect(created.json["prev_sibling_id"] == 4)
            #expect(created.json["colour"] == "#ff8800")
            #expect(created.json["created_by"] == "sandbox")
            #expect(try await client.post("/projects/1/panels/1/folders", ["parent_id": 2]).status == 400)
            #expect(try await client.post("/projects/1/panels/1/folders", ["name": "X", "parent_id": 6]).status == 400)

            let moved = try await client.put("/projects/1/panels/1/folders/8", ["name": "Lukewarm", "parent_id": 5])
            #expect(moved.json["full_name"] == "Second Pass\\Lukewarm")
            let cycle = try await client.put("/projects/1/panels/1/folders/1", ["parent_id": 4])
            #expect(cycle.status == 400)
            #expect(try await client.put("/projects/1/panels/1/folders/1", ["parent_id": 1]).status == 400)

            let deleted = try await client.delete("/projects/1/panels/1/folders/1")
            #expect(deleted.json == ["iconect_ok": "Folder 1 deleted"])
            #expect(try await client.get("/projects/1/panels/1/folders/0").json.ids == [5, 8])
            #expect(try await client.get("/projects/1/records/1/folders").json == [6])
            #expect(try await client.delete("/projects/1/panels/1/folders/1").status == 404)
        }
    }

    @Test func recordsOfAFolder() async throws {
        try await withIConect { _, client in
            let hot = try await client.get("/projects/1/panels/1/folders/4/records")
            #expect(hot.json.ids == Array(1...10))
            #expect(hot.json[0]?.object?.keys == ["field_data", "id", "version"])
            #expect(try await client.get("/projects/1/panels/1/folders/5/records").json == [])
            #expect(try await client.get("/projects/1/records/1/folders").json == [2, 4, 6])
            #expect(try await client.get("/projects/1/records/600/folders").json == [])
            #expect(try await client.get("/projects/1/records/999/folders").status == 404)

            let added = try await client.post("/projects/1/panels/1/folders/5/records", ["records": [["id": 100], ["id": 7], 3]])
            #expect(added.status == 200)
            #expect(added.json["id"] == 5)
            #expect(try await client.get("/projects/1/panels/1/folders/5/records").json.ids == [3, 7, 100])
            #expect(try await client.get("/projects/1/records/100/folders").json == [5])

            let removed = try await client.delete("/projects/1/panels/1/folders/5/records", ["records": [["id": 7]]])
            #expect(removed.status == 200)
            #expect(try await client.get("/projects/1/panels/1/folders/5/records").json.ids == [3, 100])

            // An unknown record changes nothing.
            let unknown = try await client.post("/projects/1/panels/1/folders/5/records", ["records": [["id": 50], ["id": 9999]]])
            #expect(unknown.status == 404)
            #expect(unknown.error == "Record 9999 was not found")
            #expect(try await client.get("/projects/1/panels/1/folders/5/records").json.ids == [3, 100])
            #expect(try await client.post("/projects/1/panels/1/folders/5/records", ["ids": [1]]).status == 400)
            #expect(try await client.post("/projects/1/panels/1/folders/5/records", ["records": ["x"]]).status == 400)
        }
    }
}
