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
    var newID: () -> String = RandomUUID.lowercased
    /// false: a batch records the feeds' newest change once, after its items
    /// (`ICLCatalog.recordHead`), instead of after each.
    var recordsHeads = true

    typealias Problem = ICLError.Problem

    /// `externalIdHolder`: the item that has the body's external id, when the
    /// caller has looked it up already (a batch's upsert).
    func create(_ body: JSONValue, externalIdHolder: (typeId: String, item: StoredItem)?? = nil) throws -> StoredItem {
        let object = try Self.object(body)
        var problems: [Problem] = []
        let fields = try validFields(object, problems: &problems)
        let externalId = try validExternalId(object, current: nil, holder: externalIdHolder, problems: &problems)
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
        try catalog.save(&item, typeId: type.contentTypeId, previousExternalId: nil, recordsHead: recordsHeads)
        return item
    }

    /// PUT semantics: the body is the whole new item; omitted fields are gone.
    func replace(
        _ existing: StoredItem, with body: JSONValue, externalIdHolder: (typeId: String, item: StoredItem)?? = nil
    ) throws -> StoredItem {
        let object = try Self.object(body)
        var problems: [Problem] = []
        let fields = try validFields(object, problems: &problems)
        let externalId = try validExternalId(object, current: existing, holder: externalIdHolder, problems: &problems)
        if let given = object["contentItemId"]?.string, given.lowercased() != existing.contentItemId {
            problems.append(.init(message: "The contentItemId of an item cannot be changed.", members: ["contentItemId"]))
        }
        if !problems.isEmpty { throw ICLError.validation(problems) }
        var item = existing
        item.fields = fields
        item.externalId = externalId
        item.lastModificationTime = now
        item.lastModifierUserId = caller.userId
        try catalog.save(&item, typeId: type.contentTypeId, previousExternalId: existing.externalId, recordsHead: recordsHeads)
        return item
    }

    func delete(_ existing: StoredItem) throws {
        var item = existing
        item.isDeleted = true
        item.lastModificationTime = now
        item.lastModifierUserId = caller.userId
        try catalog.save(&item, typeId: type.contentTypeId, previousExternalId: existing.externalId, recordsHead: recordsHeads)
    }

    /// One batch entry: replace the item with this external id, or create it.
    func upsert(_ body: JSONValue) throws -> StoredItem {
        guard let externalId = body["externalId"].flatMap(FieldValue.text)?.string, !externalId.isEmpty else {
            throw ICLError.validation("The field 'externalId' is required", members: ["externalId"])
        }
        let holder = try catalog.item(externalId: externalId)
        if let (owner, existing) = holder, owner == type.contentTypeId {
            return try replace(existing, with: body, externalIdHolder: holder)
        }
        return try create(body, externalIdHolder: holder)
    }

    private static func object(_ body: JSONValue) throws -> JSONObject {
        guard let object = body.object else { throw ICLError.badRequest("A content item must be a JSON object.") }
        return object
    }

    private func validExternalId(
        _ body: JSONObject, current: StoredItem?, holder: (typeId: String, item: StoredItem)??, problems: inout [Problem]
    ) throws -> String? {
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
        // The upsert looked up the same external id (a text, as here).
        let found = try holder ?? catalog.item(externalId: externalId)
        if let (owner, other) = found, other.id != current?.id {
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

/// Random (version 4) UUIDs in lower case, from the system generator:
/// Foundation's `UUID()` opens /dev/urandom on every call, which cost a
/// batch of 500 new items a thousand system calls more.
enum RandomUUID {
    static func lowercased() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = withUnsafeBytes(of: (generator.next() as UInt64, generator.next() as UInt64)) { Array($0) }
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
