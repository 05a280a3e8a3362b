import Hummingbird
import LunetJSON
import LunetSandbox

/// Virtual imports: `POST /connections/{id}/import` with `{import, data}`
/// answers one result per record, in order; `…/import/map` answers the
/// records after the mapping step only.
///
/// The sandbox's "application" accepts a mapped record unless it is not a
/// non-empty object, lacks a field its mapping marks `"required": true`, or
/// has an `email` without an `@`; each such record gets `statusCode` 422 and
/// an `errors` array, the others 200 with `id` and `_json` (and join the
/// connection's data, where exports can read them).
extension IntegratorEmulator {
    func registerImports(on v1: RouterGroup<SandboxContext>) {
        let store = self.store
        v1.post("connections/:id/import") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                let (model, data) = try Self.importBody(try await IntegratorHTTP.object(of: request))
                let results = try await store.write { tx in
                    _ = try Self.connection(tx, id)
                    var results: [JSONValue] = []
                    var stored: [JSONValue] = []
                    for record in data {
                        let mapped = IntegratorMapping.apply(model["mapping"], to: record)
                        if let problem = IntegratorMapping.problem(model["mapping"], source: record, mapped: mapped) {
                            results.append(["statusCode": 422, "errors": [problem]])
                            continue
                        }
                        let now = IntegratorTime.format(IntegratorHTTP.nowMilliseconds())
                        let recordID = IntegratorHTTP.newID()
                        var json: JSONObject = [
                            "_id": .string(recordID), "lastModified": .string(now), "createdAt": .string(now),
                        ]
                        for (key, value) in mapped.object ?? [:] { json[key] = value }
                        json["__v"] = 0
                        stored.append(.object(json))
                        results.append(["statusCode": 200, "id": .string(recordID), "_json": .object(json)])
                    }
                    let resource = IntegratorData.importResource(model)
                    try IntegratorData.append(tx, id, resource, stored)
                    try IntegratorDebugLog.record(
                        tx, id, resource: model["_id"]?.string,
                        "import \(resource): \(stored.count) succeeded, \(data.count - stored.count) failed")
                    return results
                }
                return SandboxJSON.response(.array(results))
            }
        }
        v1.post("connections/:id/import/map") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                let (model, data) = try Self.importBody(try await IntegratorHTTP.object(of: request))
                _ = try await store.read { try Self.connection($0, id) }
                return SandboxJSON.response(.array(data.map { IntegratorMapping.apply(model["mapping"], to: $0) }))
            }
        }
    }

    static func importBody(_ body: JSONObject) throws -> (JSONValue, [JSONValue]) {
        guard let model = body["import"] else { throw IntegratorError.missing("import") }
        guard model.object != nil else { throw IntegratorError.invalid("import", "`import` must be an object.") }
        guard let data = body["data"] else { throw IntegratorError.missing("data") }
        guard let records = data.array else {
            throw IntegratorError.invalid("data", "`data` must be an array of records.")
        }
        return (model, records)
    }
}

/// The mapping step: `mapping.fields` entries `{extract, generate,
/// hardCodedValue, default}` with dotted paths. Without a mapping a record
/// passes unchanged; with one, only mapped fields are produced. `lists`
/// (array mappings) are not emulated.
enum IntegratorMapping {
    static func apply(_ mapping: JSONValue?, to record: JSONValue) -> JSONValue {
        guard let fields = mapping?["fields"]?.array else { return record }
        var out = JSONValue.object([:])
        for field in fields {
            guard let generate = field["generate"]?.string else { continue }
            var value = field["hardCodedValue"]
            if value == nil, let path = field["extract"]?.string { value = lookup(record, path) }
            if value == nil { value = field["default"] }
            if let value { set(&out, generate.split(separator: ".").map(String.init), value) }
        }
        return out
    }

    /// Why the application refuses the mapped record, as an error object.
    static func problem(_ mapping: JSONValue?, source: JSONValue, mapped: JSONValue) -> JSONValue? {
        guard let object = mapped.object, !object.isEmpty else {
            return ["code": "missing_required_field", "message": "The record has no fields to import."]
        }
        for field in mapping?["fields"]?.array ?? [] where field["required"]?.bool == true {
            guard let generate = field["generate"]?.string else { continue }
            let value = lookup(mapped, generate)
            if value == nil || value == .null || value == "" {
                return [
                    "code": "missing_required_field", "message": .string("`\(generate)` is required."),
                    "field": .string(generate),
                ]
            }
        }
        if let email = object["email"], !(email.string?.contains("@") ?? false) {
            return ["code": "invalid_field", "message": "`email` is not a valid email address.", "field": "email"]
        }
        return nil
    }

    static func lookup(_ value: JSONValue, _ path: String) -> JSONValue? {
        var current: JSONValue? = value
        for key in path.split(separator: ".") {
            if let index = Int(key), let item = current?[index] {
                current = item
            } else {
                current = current?[String(key)]
            }
        }
        return current
    }

    private static func set(_ target: inout JSONValue, _ path: [String], _ value: JSONValue) {
        guard let key = path.first else {
            target = value
            return
        }
        var object = target.object ?? [:]
        var child = object[key] ?? .object([:])
        set(&child, Array(path.dropFirst()), value)
        object[key] = child
        target = .object(object)
    }
}
