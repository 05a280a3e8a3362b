import Foundation
import LunetJSON

/// A content type definition as uploaded (kept whole in `json`, so GET and
/// download return what was sent, plus the defaults the portal adds), and the
/// parts the emulator acts on: fields, the title, references.
struct ContentTypeDefinition: Sendable {
    struct Field: Sendable, Equatable {
        var name: String
        var type: String
        var isRequired: Bool
        /// For a `ContentItem` field: the content type its relationship targets.
        var target: String?
    }

    var json: JSONObject
    var id: String
    var name: String
    var titleFieldName: String
    var titleFieldExpression: String?
    var fields: [Field]

    /// Keys of a relationship entry (**assumed**: the public guide says a
    /// `ContentItem` field must be "targeted in the reference section" but does
    /// not show an entry): `{"name", "fieldName", "targetContentType"}`.
    static let relationshipFieldKey = "fieldName"
    static let relationshipTargetKey = "targetContentType"

    /// Names an item carries besides its fields; no field may use them.
    static let systemNames: Set<String> = [
        "_id", "contentItemId", "externalId", "title", "isDeleted", "lastModificationTime", "creationTime",
        "creatorUserId", "creatorUser", "lastModifierUserId", "lastModifierUser", "$type",
    ]

    static let textTypes: Set<String> = ["ShortText", "LongText", "Text"]

    func field(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// The content types this one's relationships point at.
    var targets: Set<String> { Set(fields.compactMap(\.target)) }

    /// Parses and checks an uploaded definition; every problem is reported at once.
    init(validating value: JSONValue) throws(ICLError) {
        guard var json = value.object else { throw ICLError.badRequest("The content type definition must be a JSON object.") }
        var problems: [ICLError.Problem] = []
        func problem(_ message: String, _ members: String...) { problems.append(.init(message: message, members: members)) }

        let id = json["id"]?.string ?? ""
        if UUID(uuidString: id) == nil { problem("The content type needs a unique 'id' (a GUID).", "id") }
        let name = json["name"]?.string ?? ""
        if !Self.isName(name) {
            problem("The content type 'name' must start with a lowercase letter and contain only a-z, 0-9 and _.", "name")
        }

        var targetByField: [String: String] = [:]
        for relationship in json["relationships"]?.array ?? [] {
            guard let field = relationship[Self.relationshipFieldKey]?.string,
                let target = relationship[Self.relationshipTargetKey]?.string, !target.isEmpty
            else {
                problem("Each relationship needs '\(Self.relationshipFieldKey)' and '\(Self.relationshipTargetKey)'.", "relationships")
                continue
            }
            targetByField[field] = target
        }

        var fields: [Field] = []
        guard let rawFields = json["fields"]?.array else {
            throw ICLError.validation("The content type needs a 'fields' array.", members: ["fields"])
        }
        for raw in rawFields {
            let fieldName = raw["name"]?.string ?? ""
            let type = raw["type"]?.string ?? "ShortText"
            guard Self.isName(fieldName), !Self.systemNames.contains(fieldName) else {
                problem("The field name '\(fieldName)' is invalid: lowercase a-z, 0-9 and _, not a system name.", "fields")
                continue
            }
            if fields.contains(where: { $0.name == fieldName }) { problem("The field '\(fieldName)' is defined twice.", fieldName) }
            let target = targetByField[fieldName]
            if type == "ContentItem", target == nil {
                problem("The ContentItem field '\(fieldName)' is not targeted by any relationship.", fieldName)
            }
            if type != "ContentItem", target != nil {
                problem("The relationship on '\(fieldName)' needs a field of type ContentItem.", fieldName)
            }
            fields.append(Field(name: fieldName, type: type, isRequired: raw["isRequired"]?.bool ?? false, target: target))
        }
        for field in targetByField.keys where !fields.contains(where: { $0.name == field }) {
            problem("A relationship targets the field '\(field)', which is not defined.", "relationships")
        }

        let titleFieldName = json["titleFieldName"]?.string ?? ""
        if let title = fields.first(where: { $0.name == titleFieldName }) {
            if !title.isRequired || !Self.textTypes.contains(title.type) {
                problem("The title field '\(titleFieldName)' must be required and of a text type.", "titleFieldName")
            }
        } else {
            problem("'titleFieldName' must name one of the fields.", "titleFieldName")
        }
        if !problems.isEmpty { throw ICLError.validation(problems) }

        // What the portal fills in on upload when missing.
        let defaults: [(String, JSONValue)] = [
            ("$type", "contentType"), ("builtinTypeId", 0), ("canBeInspected", false), ("icon", ""), ("version", 1),
            ("relationships", []), ("formTemplate", [:]),
        ]
        for (key, value) in defaults where json[key] == nil { json[key] = value }
        self.json = json
        self.id = id.lowercased()
        self.name = name
        self.titleFieldName = titleFieldName
        self.titleFieldExpression = json["titleFieldExpression"]?.string
        self.fields = fields
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Changes that need `/force` (seed 002, section 6).
    func breakingChanges(to new: ContentTypeDefinition) -> [ICLError.Problem] {
        var changes: [ICLError.Problem] = []
        if new.name != name {
            changes.append(.init(message: "The name of the content type changes from '\(name)' to '\(new.name)'.", members: ["name"]))
        }
        for old in fields {
            guard let now = new.field(old.name) else {
                changes.append(.init(message: "The field '\(old.name)' is removed or renamed.", members: [old.name]))
                continue
            }
            if now.type != old.type {
                changes.append(
                    .init(message: "The type of the field '\(old.name)' changes from \(old.type) to \(now.type).", members: [old.name]))
            } else if now.target != old.target {
                changes.append(
                    .init(
                        message: "The field '\(old.name)' now refers to '\(now.target ?? "")' instead of '\(old.target ?? "")'.",
                        members: [old.name]))
            }
        }
        return changes
    }
}
