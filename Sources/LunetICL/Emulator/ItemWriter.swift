import Foundation
import LunetJSON

/// Creates, replaces and deletes the items of one content type inside a write
/// transaction, checking a body against the type's definition first: required
/// fields, field types, references (by `contentItemId` or `externalId`, stored
/// as the `contentItemId`) and the external id. Unknown keys are ignored, so a
/// GET result can be sent back as it is.
struct ItemWriter {
    let catalog: ICLCatalog
    let type: StoredType
    let caller: Caller
    let now: String
    /// New `_id`s and `contentItemId`s (the demo data makes them repeatable).
    var newID: () -> String = { UUID().uuidString.lowercased() }

    typealias Problem = ICLError.Problem

    func create(_ body: JSONValue) throws -> StoredItem {
        let object = try Self.object(body)
        var problems: [Problem] = []
        let fields = try validFields(object, problems: &problems)
        let externalId = try validExternalId(object, current: nil, problems: &problems)
        var contentItemId = newID()
        if let given = object["contentItemId"], !given.isNull {
            if let guid = given.string.flatMap(UUID.init(uuidString:))?.uuidString.lowercased() {
                if try catalog.isKeyTaken("cid:" + guid) {
                    problems.append(.init(message: "The contentItemId '\(guid)' is already used.", members: ["contentItemId"]))
                }
                contentItemId = guid
            } else {
                problems.append(.init(message: "The contentItemId must be a GUID.", members: ["contentItemId"]))
            }
        }
        if !problems.isEmpty { throw ICLError.validation(problems) }
        var item = StoredItem(
            id: newID(), contentItemId: contentItemId, externalId: externalId,
            sequence: try catalog.nextItemSequence(), creationTime: now, creatorUserId: caller.userId, fields: fields)
        try catalog.save(&item, typeId: type.contentTypeId, previousExternalId: nil)
        return item
    }

    /// PUT semantics: the body is the whole new item; omitted fields are gone.
    func replace(_ existing: StoredItem, with body: JSONValue) throws -> StoredItem {
        let object = try Self.object(body)
        var problems: [Problem] = []
        let fields = try validFields(object, problems: &problems)
        let externalId = try validExternalId(object, current: existing, problems: &problems)
        if let given = object["contentItemId"]?.string, given.lowercased() != existing.contentItemId {
            problems.append(.init(message: "The contentItemId of an item cannot be changed.", members: ["contentItemId"]))
        }
        if !problems.isEmpty { throw ICLError.validation(problems) }
        var item = existing
        item.fields = fields
        item.externalId = externalId
        item.lastModificationTime = now
        item.lastModifierUserId = caller.userId
        try catalog.save(&item, typeId: type.contentTypeId, previousExternalId: existing.externalId)
        return item
    }

    func delete(_ existing: StoredItem) throws {
        var item = existing
        item.isDeleted = true
        item.lastModificationTime = now
        item.lastModifierUserId = caller.userId
        try catalog.save(&item, typeId: type.contentTypeId, previousExternalId: existing.externalId)
    }

    /// One batch entry: replace the item with this external id, or create it.
    func upsert(_ body: JSONValue) throws -> StoredItem {
        guard let externalId = body["externalId"].flatMap(FieldValue.text)?.string, !externalId.isEmpty else {
            throw ICLError.validation("The field 'externalId' is required", members: ["externalId"])
        }
        if let (owner, existing) = try catalog.item(externalId: externalId), owner == type.contentTypeId {
            return try replace(existing, with: body)
        }
        return try create(body)
    }

    private static func object(_ body: JSONValue) throws -> JSONObject {
        guard let object = body.object else { throw ICLError.badRequest("A content item must be a JSON object.") }
        return object
    }

    private func validExternalId(_ body: JSONObject, current: StoredItem?, problems: inout [Problem]) throws -> String? {
        guard let value = body["externalId"], !value.isNull else { return nil }
        guard case .string(let externalId)? = FieldValue.text(value), value.bool == nil else {
            problems.append(.init(message: "The externalId must be a string.", members: ["externalId"]))
            return nil
        }
        if externalId.isEmpty { return nil }
        if externalId.count > 200 {
            problems.append(.init(message: "The externalId must be at most 200 characters long.", members: ["externalId"]))
        }
        // Unique across all content types (the portal's Excel import rule).
        if let (owner, other) = try catalog.item(externalId: externalId), other.id != current?.id {
            let where_ = owner == type.contentTypeId ? "" : " (content type '\(try catalog.typeName(id: owner) ?? owner)')"
            problems.append(
                .init(message: "The externalId '\(externalId)' is already used by another content item\(where_).", members: ["externalId"]))
        }
        return externalId
    }

    private func validFields(_ body: JSONObject, problems: inout [Problem]) throws -> JSONObject {
        var fields = JSONObject()
        for field in type.definition.fields {
            let value = body[field.name] ?? .null
            if value.isNull || value == .string("") {
                if field.isRequired { problems.append(.init(message: "The field '\(field.name)' is required", members: [field.name])) }
                continue
            }
            if let stored = try convert(value, for: field, problems: &problems) { fields[field.name] = stored }
        }
        return fields
    }

    private func convert(_ value: JSONValue, for field: ContentTypeDefinition.Field, problems: inout [Problem]) throws -> JSONValue? {
        func reject(_ message: String) -> JSONValue? {
            problems.append(.init(message: message, members: [field.name]))
            return nil
        }
        switch field.type {
        case _ where ContentTypeDefinition.textTypes.contains(field.type):
            return FieldValue.text(value) ?? reject("The field '\(field.name)' must be a text")
        case "Number":
            return FieldValue.number(value) ?? reject("The field '\(field.name)' must be a number")
        case "Boolean", "YesNo":
            return FieldValue.boolean(value) ?? reject("The field '\(field.name)' must be true or false")
        case "ContentItem":
            guard let key = FieldValue.text(value)?.string, value.bool == nil else {
                return reject("The field '\(field.name)' must be the contentItemId or externalId of an item")
            }
            let targetName = field.target ?? ""
            guard let target = try catalog.type(named: targetName) else {
                return reject("The field '\(field.name)' refers to the content type '\(targetName)', which does not exist")
            }
            guard let referenced = try catalog.item(of: target.contentTypeId, key: key) else {
                return reject("The field '\(field.name)' refers to the \(targetName) '\(key)', which does not exist")
            }
            return .string(referenced.contentItemId)
        default:
            return value
        }
    }
}
