import LunetJSON
import LunetSandbox

/// Creating and updating records in batches. One bad record does not stop
/// the others (the seed, Beta 2 and 4): it is reported in `record_errors`
/// as `{index, id?, message}`, `index` 0-based in the request's `records`.
extension IConectEmulator {
    func registerRecordWrites(_ api: APIRoutes) {
        api.on("records.create") { call in
            let p = try call.id("project_id")
            let request = RecordBatch(BodyFields(object: try await call.object()))
            let report = try await call.store.write { tx in try request.create(p, tx) }
            return Reply.json(.object(report))
        }
        api.on("records.update") { call in
            let p = try call.id("project_id")
            let request = RecordBatch(BodyFields(object: try await call.object()))
            let report = try await call.store.write { tx in try request.update(p, tx) }
            return Reply.json(.object(report))
        }
    }
}

/// The body shared by create and update: `{hash_ids, filestore_id, native_field_id, records}`.
struct RecordBatch: Sendable {
    let body: BodyFields

    init(_ body: BodyFields) { self.body = body }

    private func records() throws -> [JSONValue] {
        guard let records = body.object["records"]?.array else {
            throw IConectError.badRequest("The records field is required and must be an array.")
        }
        return records
    }

    /// The fields and the S3 native field, after checking `filestore_id` and `native_field_id` go together.
    private func fieldValues(_ p: Int64, _ tx: any SandboxTransaction) throws -> FieldValues {
        _ = try tx.requireProject(p)
        var fields: [Int64: JSONObject] = [:]
        for field in try tx.all(Coll.fields(p)) { fields[field.int("id")] = field }
        let store = try body.int("filestore_id"), native = try body.int("native_field_id")
        guard (store ?? 0 == 0) == (native ?? 0 == 0) else {
            throw IConectError.badRequest("filestore_id and native_field_id must be given together.")
        }
        guard let store, store != 0, let native else { return FieldValues(fields: fields, s3NativeField: nil) }
        guard let filestore = try tx.object(Coll.filestores(p), store) else {
            throw IConectError.badRequest("File store \(store) was not found in project \(p).")
        }
        guard filestore.int("type") == FileStoreKind.amazonS3 else {
            throw IConectError.badRequest("File store \(store) is not an Amazon S3 file store.")
        }
        guard fields[native]?.int("type") == FieldType.nativeFile else {
            throw IConectError.badRequest("Field \(native) is not a native file field.")
        }
        return FieldValues(fields: fields, s3NativeField: native)
    }

    func create(_ p: Int64, _ tx: any SandboxTransaction) throws -> JSONObject {
        let items = try records()
        let values = try fieldValues(p, tx)
        let hashIDs = try body.ints("hash_ids") ?? []
        for id in hashIDs where values.fields[id] == nil {
            throw IConectError.badRequest("hash_ids: field \(id) was not found in project \(p).")
        }
        let identityFields = values.fields.values.filter { $0.int("type") == FieldType.identity }.map { $0.int("id") }
        // Duplicates are found by the values of the hash fields, against the
        // project and against the records created earlier in this request.
        var known: [String: Int64] = [:]
        if !hashIDs.isEmpty {
            for record in try tx.all(Coll.records(p)) {
                if let key = Self.hashKey(record["field_data"]?.object ?? [:], hashIDs) { known[key] = known[key] ?? record.int("id") }
            }
        }
        var created = JSONObject(), duplicates = JSONObject(), errors: [JSONValue] = []
        for (index, item) in items.enumerated() {
            do throws(RecordProblem) {
                var data = try Self.fieldData(item)
                if let native = values.s3NativeField, data[String(native)] == nil {
                    throw RecordProblem("field_data must contain the native file field \(native)")
                }
                data = try values.validate(data)
                let key = Self.hashKey(data, hashIDs)
                if let key, let existing = known[key] {
                    duplicates[String(index)] = .integer(existing)
                    continue
                }
                let id: Int64
                do { id = try tx.nextID(Coll.records(p)) } catch { throw RecordProblem("\(error)") }
                for field in identityFields { data[String(field)] = .integer(id) }
                let record: JSONObject = ["id": .integer(id), "version": 1, "field_data": .object(RecordShape.sorted(data))]
                do { try tx.put(Coll.records(p), id, record) } catch { throw RecordProblem("\(error)") }
                if let key { known[key] = id }
                created[String(index)] = .integer(id)
            } catch {
                errors.append(["index": .integer(Int64(index)), "message": .string(error.message)])
            }
        }
        return [
            "iconect_ok": .string("\(created.count) record(s) created, \(duplicates.count) duplicate(s), \(errors.count) error(s)"),
            "new_records_list": .object(created), "duplicate_list": .object(duplicates), "record_errors": .array(errors),
        ]
    }

    func update(_ p: Int64, _ tx: any SandboxTransaction) throws -> JSONObject {
        let items = try records()
        let values = try fieldValues(p, tx)
        var updated = 0, errors: [JSONValue] = []
        for (index, item) in items.enumerated() {
            let id = item["id"]?.integer
            do throws(RecordProblem) {
                guard let id else { throw RecordProblem("The record id is required") }
                let stored: JSONObject?
                do { stored = try tx.object(Coll.records(p), id) } catch { throw RecordProblem("\(error)") }
                guard var record = stored else { throw RecordProblem("Record \(id) was not found") }
                if let version = item["version"]?.integer, version != record.int("version") {
                    throw RecordProblem("Record \(id) has version \(record.int("version")), not \(version): it was changed meanwhile")
                }
                var data = record["field_data"]?.object ?? [:]
                for (key, value) in try values.validate(try Self.fieldData(item)) { data[key] = value }
                record["field_data"] = .object(RecordShape.sorted(data))
                record["version"] = .integer(record.int("version") + 1)
                do { try tx.put(Coll.records(p), id, record) } catch { throw RecordProblem("\(error)") }
                updated += 1
            } catch {
                var entry: JSONObject = ["index": .integer(Int64(index))]
                if let id { entry["id"] = .integer(id) }
                entry["message"] = .string(error.message)
                errors.append(.object(entry))
            }
        }
        return [
            "iconect_ok": .string("\(updated) record(s) updated, \(errors.count) error(s)"),
            "record_errors": .array(errors),
        ]
    }

    private static func fieldData(_ item: JSONValue) throws(RecordProblem) -> JSONObject {
        guard let object = item.object else { throw RecordProblem("A record must be an object") }
        guard let data = object["field_data"]?.object else { throw RecordProblem("The field_data object is required") }
        return data
    }

    /// The values of the hash fields as one key; nil when they are all empty.
    private static func hashKey(_ data: JSONObject, _ hashIDs: [Int64]) -> String? {
        guard !hashIDs.isEmpty else { return nil }
        let values = hashIDs.map { data[String($0)] ?? .null }
        guard values.contains(where: { !$0.isNull && $0 != .string("") }) else { return nil }
        return JSONValue.array(values).serializedString()
    }
}
