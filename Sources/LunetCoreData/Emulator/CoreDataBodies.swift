import LunetJSON
import LunetSandbox

/// Checks the fields of create and update bodies; every failure is a 400
/// naming the field.
struct CoreDataBody {
    var fields: JSONObject
    let tx: any SandboxTransaction

    func string(_ name: String, required: Bool = false) throws -> String? {
        guard let value = fields[name], value != .null else {
            if required { throw CoreDataError.badRequest("\(name): This field is required.") }
            return nil
        }
        guard let text = value.string else { throw CoreDataError.badRequest("\(name): Expected a string.") }
        if required && text.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CoreDataError.badRequest("\(name): This field may not be blank.")
        }
        return text
    }

    func strings(_ name: String) throws -> [JSONValue]? {
        guard let value = fields[name], value != .null else { return nil }
        guard let items = value.array, items.allSatisfy({ $0.string != nil }) else {
            throw CoreDataError.badRequest("\(name): Expected a list of strings.")
        }
        return items
    }

    func object(_ name: String) throws -> JSONValue? {
        guard let value = fields[name], value != .null else { return nil }
        guard value.object != nil else { throw CoreDataError.badRequest("\(name): Expected an object.") }
        return value
    }

    /// A list of objects, each with the string field `key` (emails, phones…).
    func records(_ name: String, key: String) throws -> JSONValue? {
        guard let value = fields[name], value != .null else { return nil }
        guard let items = value.array, items.allSatisfy({ $0[key]?.string != nil }) else {
            throw CoreDataError.badRequest("\(name): Expected a list of objects, each with '\(key)'.")
        }
        return value
    }

    /// `null`, or a date or date-time, stored as CoreData writes dates.
    func date(_ name: String) throws -> JSONValue? {
        guard let value = fields[name] else { return nil }
        if value == .null { return .null }
        guard let text = value.string, let time = CoreDataTime.parse(text) else {
            throw CoreDataError.badRequest("\(name): Expected an ISO 8601 date, e.g. 2019-09-02T15:38:32Z.")
        }
        return .string(CoreDataTime.format(Int64(time)))
    }

    /// The id of an existing object, given as an id or as its resource URI
    /// (`/api/v2/spaces/<id>/`), as Tastypie accepts for related fields.
    func reference(_ name: String, _ resource: CoreDataResource, required: Bool = false) throws -> JSONObject? {
        guard let text = try string(name, required: required) else { return nil }
        let id = text.split(separator: "/").last.map(String.init) ?? text
        guard let object = try CoreDataObjects.load(tx, resource, id) else {
            throw CoreDataError.badRequest("\(name): No \(resource.typeName) with id '\(id)'.")
        }
        return object
    }

    /// Ids of existing contacts.
    func contacts(_ name: String) throws -> JSONValue? {
        guard let ids = try strings(name) else { return nil }
        for id in ids.compactMap(\.string) {
            if try CoreDataObjects.load(tx, .contacts, id) == nil {
                throw CoreDataError.badRequest("\(name): No Contact with id '\(id)'.")
            }
        }
        return .array(ids)
    }

    /// The value of an editable field after checking its type; nil when the
    /// body does not have it.
    func editable(_ name: String) throws -> JSONValue? {
        switch name {
        case "title": return try string(name, required: fields[name] != nil).map { .string($0) }
        case "tags": return try strings(name).map { .array($0) }
        case "aspects": return try object(name)
        case "associated_contacts": return try contacts(name)
        case "due_date": return try date(name)
        case "emails": return try records(name, key: "email")
        case "phones": return try records(name, key: "number")
        case "addresses", "urls":
            guard let value = fields[name], value != .null else { return nil }
            guard value.array != nil else { throw CoreDataError.badRequest("\(name): Expected a list.") }
            return value
        default: return try string(name).map { .string($0) }
        }
    }
}
