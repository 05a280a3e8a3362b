import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// A change-feed page written as JSON text straight from the stored item
/// documents: the same bytes `ItemView.change` plus `ABP.bare` give, without
/// decoding each item into a `StoredItem` and building its view as a
/// dictionary first (which cost a 500-item page about half its server time).
struct ChangeText {
    private var out: [UInt8] = []
    private var count = 0
    /// Per content type id: each field's `"name":` ready to copy.
    private var keys: [String: [[UInt8]]] = [:]

    /// The keys a change entry has besides its fields.
    private static let common: Set<String> = ["contentItemId", "externalId", "lastModificationTime", "isDeleted", "$type"]

    init(capacity: Int) {
        out.reserveCapacity(capacity)
        out.append(contentsOf: #"{"Results":["#.utf8)
    }

    /// Appends one entry: `document` is the stored item (`StoredItem.document`),
    /// `type` its type's current definition (nil: deleted type, stored fields
    /// shown as they are), `typeName` set for the feed of all types.
    /// The document is one `ICLCatalog.changeDocuments` accepted.
    mutating func append(_ document: JSONObject, _ type: ContentTypeDefinition?, typeId: String, typeName: String?) {
        if count > 0 { out.append(UInt8(ascii: ",")) }
        count += 1
        let fields = document["fields"]?.object ?? JSONObject()
        var first = true
        func key(_ bytes: [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: bytes)
        }
        if let type {
            let names = keys[typeId] ?? type.fields.map { Self.key($0.name) }
            keys[typeId] = names
            guard !type.fields.contains(where: { Self.common.contains($0.name) }) else {
                return fallback(document, type, typeName: typeName)
            }
            out.append(UInt8(ascii: "{"))
            for (i, field) in type.fields.enumerated() {
                if let stored = fields[field.name], let shown = FieldValue.load(stored, as: field.type) {
                    key(names[i])
                    out.append(contentsOf: shown.serialized())
                }
            }
        } else {
            guard !fields.keys.contains(where: Self.common.contains) else {
                return fallback(document, nil, typeName: typeName)
            }
            out.append(UInt8(ascii: "{"))
            for (name, value) in fields {
                key(Self.key(name))
                out.append(contentsOf: value.serialized())
            }
        }
        key(Array(#""contentItemId":"#.utf8))
        out.append(contentsOf: (document["contentItemId"] ?? .null).serialized())
        key(Array(#""externalId":"#.utf8))
        out.append(contentsOf: (document["externalId"]?.string.map(JSONValue.string) ?? JSONValue.null).serialized())
        key(Array(#""lastModificationTime":"#.utf8))
        out.append(contentsOf: (document["lastModificationTime"] ?? .null).serialized())
        key(Array(#""isDeleted":"#.utf8))
        out.append(contentsOf: (document["isDeleted"]?.bool ?? false) ? Array("true".utf8) : Array("false".utf8))
        if let typeName {
            key(Array(#""$type":"#.utf8))
            out.append(contentsOf: JSONValue.string(typeName).serialized())
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A field named like one of the common keys (not allowed by any
    /// definition today): the view's own rules decide where it goes.
    private mutating func fallback(_ document: JSONObject, _ type: ContentTypeDefinition?, typeName: String?) {
        guard let item = StoredItem(document: .object(document)) else { return }
        out.append(contentsOf: JSONValue.object(ItemView.change(item, type, typeName: typeName)).serialized())
    }

    private static func key(_ name: String) -> [UInt8] {
        JSONValue.string(name).serialized() + [UInt8(ascii: ":")]
    }

    /// The page: `{Results, NextChangeToken, NextLink}`, as `ABP.bare` sends it.
    consuming func response(token: String, link: String) -> Response {
        SandboxJSON.response(bytes: bytes(token: token, link: link))
    }

    /// The page's text.
    consuming func bytes(token: String, link: String) -> [UInt8] {
        out.append(contentsOf: #"],"NextChangeToken":"#.utf8)
        out.append(contentsOf: JSONValue.string(token).serialized())
        out.append(contentsOf: #","NextLink":"#.utf8)
        out.append(contentsOf: JSONValue.string(link).serialized())
        out.append(UInt8(ascii: "}"))
        return out
    }
}
