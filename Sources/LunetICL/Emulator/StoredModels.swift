import Foundation
import LunetJSON

/// A content type as kept in the store: its definition and the portal's
/// bookkeeping around it.
struct StoredType: Sendable {
    var definition: ContentTypeDefinition
    var contentTypeId: String
    var creationTime: String
    var lastModificationTime: String
    /// Whether the catalog's `live` index holds this type's live items: true
    /// for every type created since the index exists; a type read from an
    /// older `--data` store is listed by scanning its items instead.
    var liveIndexed = true

    var name: String { definition.name }

    var document: JSONValue {
        var document: JSONObject = [
            "contentTypeId": .string(contentTypeId), "creationTime": .string(creationTime),
            "lastModificationTime": .string(lastModificationTime), "definition": .object(definition.json),
        ]
        if liveIndexed { document["liveIndexed"] = true }
        return .object(document)
    }

    init(definition: ContentTypeDefinition, creationTime: String, lastModificationTime: String) {
        self.definition = definition
        self.contentTypeId = definition.id
        self.creationTime = creationTime
        self.lastModificationTime = lastModificationTime
    }

    init?(document: JSONValue) {
        guard let id = document["contentTypeId"]?.string, let created = document["creationTime"]?.string,
            let modified = document["lastModificationTime"]?.string, let json = document["definition"],
            let definition = try? ContentTypeDefinition(validating: json)
        else { return nil }
        self.definition = definition
        self.contentTypeId = id
        self.creationTime = created
        self.lastModificationTime = modified
        self.liveIndexed = document["liveIndexed"]?.bool ?? false
    }

    static let summaryKeys: Set<String> = [
        "contentTypeId", "name", "canBeInspected", "builtInTypeId", "filteredSynchronization", "syncConflictResolution",
        "creationTime", "lastModificationTime",
    ]

    /// One row of `GET /api/contenttypes` (note `builtInTypeId` there versus
    /// `builtinTypeId` in the definition: both as the seed shows them).
    var summary: JSONObject {
        let json = definition.json
        return [
            "contentTypeId": .string(contentTypeId), "name": .string(name),
            "canBeInspected": json["canBeInspected"] ?? false, "builtInTypeId": json["builtinTypeId"] ?? 0,
            "filteredSynchronization": json["filteredSynchronization"] ?? false,
            "syncConflictResolution": json["syncConflictResolution"] ?? 0,
            "creationTime": .string(creationTime), "lastModificationTime": .string(lastModificationTime),
        ]
    }
}

/// A content item as kept in the store. Fields are stored as they were saved;
/// the type's current definition decides how they are shown (seed 002: a
/// changed field type converts on load, a removed field is hidden, and both
/// come back if the change is reverted before the item is saved again).
struct StoredItem: Sendable {
    var id: String
    var contentItemId: String
    var externalId: String?
    /// Creation order: the listings' default order.
    var sequence: Int64
    /// Position in the change feeds; 0 before the first save.
    var rowVersion: Int64 = 0
    var isDeleted = false
    var creationTime: String
    var lastModificationTime: String
    var creatorUserId: Int64?
    var lastModifierUserId: Int64?
    var fields: JSONObject

    init(
        id: String, contentItemId: String, externalId: String?, sequence: Int64, creationTime: String,
        creatorUserId: Int64?, fields: JSONObject
    ) {
        self.id = id
        self.contentItemId = contentItemId
        self.externalId = externalId
        self.sequence = sequence
        self.creationTime = creationTime
        self.lastModificationTime = creationTime
        self.creatorUserId = creatorUserId
        self.fields = fields
    }

    init?(document: JSONValue) {
        guard let id = document["_id"]?.string, let cid = document["contentItemId"]?.string,
            let sequence = document["sequence"]?.integer, let created = document["creationTime"]?.string,
            let modified = document["lastModificationTime"]?.string, let fields = document["fields"]?.object
        else { return nil }
        self.id = id
        self.contentItemId = cid
        self.externalId = document["externalId"]?.string
        self.sequence = sequence
        self.rowVersion = document["rowVersion"]?.integer ?? 0
        self.isDeleted = document["isDeleted"]?.bool ?? false
        self.creationTime = created
        self.lastModificationTime = modified
        self.creatorUserId = document["creatorUserId"]?.integer
        self.lastModifierUserId = document["lastModifierUserId"]?.integer
        self.fields = fields
    }

    /// Whether `init(document:)` accepts the document (without decoding it).
    static func isValid(_ document: JSONObject) -> Bool {
        document["_id"]?.string != nil && document["contentItemId"]?.string != nil && document["sequence"]?.integer != nil
            && document["creationTime"]?.string != nil && document["lastModificationTime"]?.string != nil
            && document["fields"]?.object != nil
    }

    var document: JSONValue {
        [
            "_id": .string(id), "contentItemId": .string(contentItemId), "externalId": externalId.map { .string($0) } ?? .null,
            "sequence": .integer(sequence), "rowVersion": .integer(rowVersion), "isDeleted": .bool(isDeleted),
            "creationTime": .string(creationTime), "lastModificationTime": .string(lastModificationTime),
            "creatorUserId": creatorUserId.map { .integer($0) } ?? .null,
            "lastModifierUserId": lastModifierUserId.map { .integer($0) } ?? .null, "fields": .object(fields),
        ]
    }
}
