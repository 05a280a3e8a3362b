import Foundation
import LunetJSON

/// The three shapes the seed shows an item in: the complete item (GET, POST,
/// PUT), a listing row (with `title`, without `_id`) and a change-feed entry
/// (no audit users). Fields come first, in the definition's order, converted
/// to the definition's current field types.
enum ItemView {
    static func detail(_ item: StoredItem, _ type: ContentTypeDefinition) -> JSONObject {
        var view = fields(item, type)
        view["contentItemId"] = .string(item.contentItemId)
        view["_id"] = .string(item.id)
        appendCommon(item, to: &view)
        appendAudit(item, to: &view)
        return view
    }

    /// `typeName` is set for the listings and feeds of all types. `only`:
    /// the fields (and title) a filter or sort needs; the rest is left out.
    static func listed(
        _ item: StoredItem, _ type: ContentTypeDefinition, typeName: String? = nil, only: Set<String>? = nil
    ) -> JSONObject {
        var view = fields(item, type, only: only)
        view["contentItemId"] = .string(item.contentItemId)
        appendCommon(item, to: &view)
        appendAudit(item, to: &view)
        if only?.contains("title") ?? true { view["title"] = title(item, type) }
        if let typeName { view["$type"] = .string(typeName) }
        return view
    }

    /// `type` nil: the item's type was deleted; its stored fields are shown as they are.
    static func change(_ item: StoredItem, _ type: ContentTypeDefinition?, typeName: String? = nil) -> JSONObject {
        var view = type.map { fields(item, $0) } ?? item.fields
        view["contentItemId"] = .string(item.contentItemId)
        appendCommon(item, to: &view)
        if let typeName { view["$type"] = .string(typeName) }
        return view
    }

    private static func appendCommon(_ item: StoredItem, to view: inout JSONObject) {
        view["externalId"] = item.externalId.map { .string($0) } ?? .null
        view["lastModificationTime"] = .string(item.lastModificationTime)
        view["isDeleted"] = .bool(item.isDeleted)
    }

    private static func appendAudit(_ item: StoredItem, to view: inout JSONObject) {
        view["creatorUserId"] = item.creatorUserId.map { .integer($0) } ?? .null
        view["creatorUser"] = ICLUsers.name(item.creatorUserId)
        view["lastModifierUserId"] = item.lastModifierUserId.map { .integer($0) } ?? .null
        view["lastModifierUser"] = ICLUsers.name(item.lastModifierUserId)
    }

    static func fields(_ item: StoredItem, _ type: ContentTypeDefinition, only: Set<String>? = nil) -> JSONObject {
        var view = JSONObject()
        for field in type.fields where only?.contains(field.name) ?? true {
            if let stored = item.fields[field.name], let shown = FieldValue.load(stored, as: field.type) {
                view[field.name] = shown
            }
        }
        return view
    }

    /// `titleFieldExpression` ("<%nr%> - <%address%>") when the type has one,
    /// else the title field's value.
    static func title(_ item: StoredItem, _ type: ContentTypeDefinition) -> JSONValue {
        let shown = fields(item, type)
        func text(_ name: String) -> String? {
            switch shown[name] {
            case .string(let s)?: s
            case .integer(let n)?: String(n)
            case .double(let d)?: String(d)
            default: nil
            }
        }
        guard let expression = type.titleFieldExpression else {
            return text(type.titleFieldName).map { .string($0) } ?? .null
        }
        var result = expression
        for field in type.fields { result = result.replacingOccurrences(of: "<%\(field.name)%>", with: text(field.name) ?? "") }
        return .string(result)
    }
}

/// Converting values between JSON and a field's type: strictly when saving
/// (a wrong value is a validation error), leniently when loading a value
/// stored under an older definition (what cannot convert is cleared, seed 002).
enum FieldValue {
    static func load(_ value: JSONValue, as type: String) -> JSONValue? {
        if value.isNull { return nil }
        switch type {
        case _ where ContentTypeDefinition.textTypes.contains(type): return text(value)
        case "Number": return number(value)
        case "Boolean", "YesNo": return boolean(value)
        default: return value
        }
    }

    static func text(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .string: value
        case .integer(let n): .string(String(n))
        case .double(let d): .string(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d))
        case .bool(let b): .string(b ? "true" : "false")
        default: nil
        }
    }

    static func number(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .integer, .double: return value
        case .string(let s):
            let trimmed = s.trimmingCharacters(in: .whitespaces)
            if let n = Int64(trimmed) { return .integer(n) }
            if let d = Double(trimmed), d.isFinite { return .double(d) }
            return nil
        default: return nil
        }
    }

    static func boolean(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .bool: value
        case .string(let s) where s.lowercased() == "true": .bool(true)
        case .string(let s) where s.lowercased() == "false": .bool(false)
        default: nil
        }
    }
}
