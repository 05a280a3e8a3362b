import Hummingbird
import LunetJSON
import LunetSandbox

/// A record's native files, one per native-file field: upload in chunks,
/// download (streamed chunk by chunk), delete. The field's value in
/// `field_data` is the file name.
enum NativeFiles {
    static func target(_ r: Int64, _ f: Int64) -> String { "record/\(r)/field/\(f)" }

    /// Checks project, record and field, and that the field holds native files.
    static func check(_ p: Int64, _ r: Int64, _ f: Int64, _ tx: any SandboxTransaction) throws {
        _ = try tx.requireProject(p)
        _ = try tx.require(Coll.records(p), r, "Record")
        let field = try tx.require(Coll.fields(p), f, "Field")
        guard field.int("type") == FieldType.nativeFile else {
            throw IConectError.badRequest("Field '\(field.str("name"))' (\(f)) is not a native file field")
        }
    }

    /// Sets the record's value for the field (the file name, or null).
    static func setValue(_ value: JSONValue, _ p: Int64, _ r: Int64, _ f: Int64, _ tx: any SandboxTransaction) throws {
        guard var record = try tx.object(Coll.records(p), r) else { return }
        var data = record["field_data"]?.object ?? [:]
        data[String(f)] = value
        record["field_data"] = .object(RecordShape.sorted(data))
        record["version"] = .integer(record.int("version") + 1)
        try tx.put(Coll.records(p), r, record)
    }

    /// A complete file as a response body that reads one chunk at a time.
    static func download(_ file: JSONObject, project p: Int64, store: any SandboxStore) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = file.str("content_type")
        headers[.contentLength] = String(file.int("size"))
        headers[.contentDisposition] = "attachment; filename=\"\(file.str("filename"))\""
        let body = ResponseBody(contentLength: Int(file.int("size"))) { writer in
            for index in 1...max(1, file.int("chunk_count")) {
                let bytes = try await store.read { try ChunkedUpload.chunk(file, index, project: p, $0) }
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension IConectEmulator {
    func registerFiles(_ api: APIRoutes) {
        api.on("files.upload") { call in
            let (p, r, f) = (try call.id("project_id"), try call.id("record_id"), try call.id("field_id"))
            let index = try call.query.int("chunk_index") ?? 1, count = try call.query.int("chunk_count") ?? 1
            try await call.store.read { tx in
                try NativeFiles.check(p, r, f, tx)
                // The seed: this endpoint needs a Native File Upload file store.
                guard try tx.all(Coll.filestores(p)).contains(where: { $0.int("management_type") == FileStoreKind.nativeFileUpload }) else {
                    throw IConectError.badRequest(
                        "This endpoint requires a Native File Upload File Store configured for project \(p)")
                }
            }
            let part = try await Multipart.filePart(of: call.request)
            let outcome = try await call.store.write { tx in
                try NativeFiles.check(p, r, f, tx)
                let outcome = try ChunkedUpload.accept(
                    part, index: index, count: count, target: NativeFiles.target(r, f), project: p, tx)
                if let file = outcome.completed { try NativeFiles.setValue(file["filename"] ?? .null, p, r, f, tx) }
                return outcome
            }
            return Reply.ok(outcome.message, outcome.details)
        }
        api.on("files.upload_status") { call in
            let (p, r, f) = (try call.id("project_id"), try call.id("record_id"), try call.id("field_id"))
            return Reply.json(.object(try await call.store.read { tx in
                try NativeFiles.check(p, r, f, tx)
                return try ChunkedUpload.status(target: NativeFiles.target(r, f), project: p, tx)
            }))
        }
        api.on("files.download") { call in
            let (p, r, f) = (try call.id("project_id"), try call.id("record_id"), try call.id("field_id"))
            let file = try await call.store.read { tx in
                try NativeFiles.check(p, r, f, tx)
                guard let file = try ChunkedUpload.current(target: NativeFiles.target(r, f), project: p, tx) else {
                    throw IConectError.notFound("Record \(r) has no native file in field \(f)")
                }
                return file
            }
            return NativeFiles.download(file, project: p, store: call.store)
        }
        api.on("files.delete") { call in
            let (p, r, f) = (try call.id("project_id"), try call.id("record_id"), try call.id("field_id"))
            try await call.store.write { tx in
                try NativeFiles.check(p, r, f, tx)
                guard try ChunkedUpload.remove(target: NativeFiles.target(r, f), project: p, tx) else {
                    throw IConectError.notFound("Record \(r) has no native file in field \(f)")
                }
                try NativeFiles.setValue(.null, p, r, f, tx)
            }
            return Reply.ok("Native file deleted from record \(r)")
        }
    }
}
