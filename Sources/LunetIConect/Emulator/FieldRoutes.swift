import LunetJSON
import LunetSandbox

/// Fields of a project. Requests say `decimal_format`, responses
/// `decimal_places` (both in the seed); we accept either.
extension IConectEmulator {
    static let fieldKeys = [
        "id", "type", "name", "length", "date_format", "numeric_format", "decimal_places", "currency_format",
        "time_format", "duration_format", "created_by_id", "created_date", "default_value", "text_format",
        "multi_value_delimiters",
    ]

    func registerFields(_ api: APIRoutes) {
        api.on("fields.list") { call in
            let p = try call.id("project_id")
            let fields = try await call.store.read { tx in
                _ = try tx.requireProject(p)
                return try tx.all(Coll.fields(p))
            }
            return Reply.json(.array(fields.map { $0.shaped(Self.fieldKeys) }))
        }
        api.on("fields.get") { call in
            let p = try call.id("project_id"), f = try call.id("field_id")
            return Reply.json(try await call.store.read { tx in
                _ = try tx.requireProject(p)
                return try tx.require(Coll.fields(p), f, "Field").shaped(Self.fieldKeys)
            })
        }
        api.on("fields.create") { call in
            let p = try call.id("project_id")
            guard let items = try await call.body().array else {
                throw IConectError.badRequest("The request body must be an array of fields.")
            }
            guard !items.isEmpty else { throw IConectError.badRequest("The request body must contain at least one field.") }
            let userID = call.user.id
            // All or nothing: one invalid field and none is created.
            let created = try await call.store.write { tx -> [JSONValue] in
                _ = try tx.requireProject(p)
                var names = Set(try tx.all(Coll.fields(p)).map { $0.str("name").lowercased() })
                return try items.enumerated().map { index, item in
                    guard let object = item.object else { throw IConectError.badRequest("fields[\(index)] must be an object.") }
                    var field = try Self.fieldProperties(BodyFields(object: object, context: "fields[\(index)]"), existing: nil)
                    guard names.insert(field.str("name").lowercased()).inserted else {
                        throw IConectError.badRequest("A field named '\(field.str("name"))' already exists in project \(p).")
                    }
                    let id = try tx.nextID(Coll.fields(p))
                    field["id"] = .integer(id)
                    field["created_by_id"] = .integer(userID)
                    field["created_date"] = .string(Clock.nowISO)
                    try tx.put(Coll.fields(p), id, field)
                    return field.shaped(Self.fieldKeys)
                }
            }
            return Reply.created(.array(created))
        }
        api.on("fields.update") { call in
            let p = try call.id("project_id"), f = try call.id("field_id")
            let body = BodyFields(object: try await call.object())
            let field = try await call.store.write { tx in
                _ = try tx.requireProject(p)
                let existing = try tx.require(Coll.fields(p), f, "Field")
                let field = try Self.fieldProperties(body, existing: existing)
                let name = field.str("name").lowercased()
                if try tx.all(Coll.fields(p)).contains(where: { $0.int("id") != f && $0.str("name").lowercased() == name }) {
                    throw IConectError.badRequest("A field named '\(field.str("name"))' already exists in project \(p).")
                }
                try tx.put(Coll.fields(p), f, field)
                return field
            }
            return Reply.json(field.shaped(Self.fieldKeys))
        }
        api.on("fields.delete") { call in
            let p = try call.id("project_id"), f = try call.id("field_id")
            let field = try await call.store.write { tx in
                _ = try tx.requireProject(p)
                let field = try tx.require(Coll.fields(p), f, "Field")
                try tx.delete(Coll.fields(p), f)
                // The field's values go with it.
                for var record in try tx.all(Coll.records(p)) {
                    guard var data = record["field_data"]?.object, data[String(f)] != nil else { continue }
                    data[String(f)] = nil
                    record["field_data"] = .object(data)
                    try tx.put(Coll.records(p), record.int("id"), record)
                }
                return field
            }
            return Reply.json(field.shaped(Self.fieldKeys))
        }
    }

    /// A field from a create or update body; on update the type is fixed.
    static func fieldProperties(_ body: BodyFields, existing: JSONObject?) throws -> JSONObject {
        guard let type = try body.member("type", of: Enums.fieldType) else {
            throw IConectError.badRequest("The \(body.context.isEmpty ? "" : body.context + ".")type field is required.")
        }
        if let existing, existing.int("type") != type {
            throw IConectError.badRequest(
                "The type of field \(existing.int("id")) cannot be changed (it is \(Enums.fieldType[existing.int("type")]!)).")
        }
        var field = existing ?? [
            "id": 0, "type": .integer(type), "name": "", "length": .integer(type == FieldType.limitedText ? 255 : 0),
            "date_format": 0, "numeric_format": 0, "decimal_places": 0, "currency_format": 0, "time_format": 0,
            "duration_format": 0, "created_by_id": 0, "created_date": "", "default_value": "", "text_format": 0,
            "multi_value_delimiters": "",
        ]
        field["name"] = .string(try body.requiredString("name"))
        if let length = try body.int("length") {
            guard length >= 0 else { throw IConectError.badRequest("The length field must not be negative.") }
            field["length"] = .integer(length)
        }
        let formats: [(String, [Int64: String])] = [
            ("date_format", Enums.dateFormat), ("numeric_format", Enums.numericFormat),
            ("currency_format", Enums.currencyFormat), ("time_format", Enums.timeFormat),
            ("duration_format", Enums.durationFormat),
        ]
        for (key, members) in formats {
            if let value = try body.member(key, of: members) { field[key] = .integer(value) }
        }
        if let places = try body.int("decimal_places") ?? body.int("decimal_format") {
            guard (0...10).contains(places) else { throw IConectError.badRequest("The decimal_format field must be between 0 and 10.") }
            field["decimal_places"] = .integer(places)
        }
        if let value = try body.string("default_value") { field["default_value"] = .string(value) }
        if let value = try body.int("text_format") { field["text_format"] = .integer(value) }
        if let value = try body.string("multi_value_delimiters") { field["multi_value_delimiters"] = .string(value) }
        return field
    }
}
