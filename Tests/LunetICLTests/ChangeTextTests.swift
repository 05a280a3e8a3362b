import Foundation
import LunetJSON
import Testing

@testable import LunetICL

/// The change feed writes its pages as text straight from the stored
/// documents; these check the text is byte for byte what the item views
/// (`ItemView.change`) serialized by `ABP.bare` give.
@Suite("iCL emulator: change pages written as text")
struct ChangeTextTests {
    static let definition = try! ContentTypeDefinition(validating: [
        "id": "0f8e6a3c-0000-4000-8000-000000000009", "name": "meter", "displayName": "Zähler", "titleFieldName": "name",
        "fields": [
            ["type": "ShortText", "name": "name", "displayName": "Name", "isRequired": true],
            ["type": "Number", "name": "reading", "displayName": "Stand"],
            ["type": "Boolean", "name": "ok", "displayName": "OK"],
            ["type": "ShortText", "name": "ort", "displayName": "Ort"],
        ],
    ])

    static func item(_ n: Int64, fields: JSONObject, externalId: String?, deleted: Bool = false) -> StoredItem {
        var item = StoredItem(
            id: "id-\(n)", contentItemId: "cid-\(n)", externalId: externalId, sequence: n,
            creationTime: "2026-01-01T00:00:00Z", creatorUserId: 2, fields: fields)
        item.rowVersion = n * 10
        item.isDeleted = deleted
        item.lastModificationTime = "2026-01-0\(n)T00:00:00Z"
        return item
    }

    static let items = [
        // Stored under an older definition: a text reading converts to a number, a removed field is hidden.
        item(1, fields: ["name": "Zähler \"1\"\n\\", "reading": "12", "ok": "true", "gone": 5], externalId: "M-1"),
        item(2, fields: ["reading": 3.5, "name": "zwei"], externalId: nil, deleted: true),
        item(3, fields: [:], externalId: "ü/€"),
        item(4, fields: ["ok": "maybe", "reading": "x", "ort": 7], externalId: "M-4"),
    ]

    @Test(arguments: [nil, "meter"] as [String?], [true, false])
    func pageIsTheViewsSerialized(typeName: String?, typeKnown: Bool) throws {
        let type = typeKnown ? Self.definition : nil
        var text = ChangeText(capacity: 16)
        for item in Self.items {
            text.append(try #require(item.document.object), type, typeId: Self.definition.id, typeName: typeName)
        }
        let views = Self.items.map { JSONValue.object(ItemView.change($0, type, typeName: typeName)) }
        let expected: JSONValue = [
            "Results": .array(views), "NextChangeToken": "AAAAAAAAACg", "NextLink": "http://h/api/content/getchanges?changeToken=\"x\"",
        ]
        let written = text.bytes(token: "AAAAAAAAACg", link: "http://h/api/content/getchanges?changeToken=\"x\"")
        #expect(String(decoding: written, as: UTF8.self) == expected.serializedString())
    }

    @Test func emptyPage() {
        let written = ChangeText(capacity: 0).bytes(token: "t", link: "l")
        #expect(String(decoding: written, as: UTF8.self) == #"{"Results":[],"NextChangeToken":"t","NextLink":"l"}"#)
    }

    @Test func storedDocumentsAreValidatedAsTheItemReaderDoes() throws {
        var document = try #require(Self.items[0].document.object)
        #expect(StoredItem.isValid(document))
        document["fields"] = "not an object"
        #expect(!StoredItem.isValid(document))
        #expect(StoredItem(document: .object(document)) == nil)
    }
}
