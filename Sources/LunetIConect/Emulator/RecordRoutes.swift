import LunetJSON
import LunetSandbox

/// Reading and deleting records; writes are in RecordWrites.swift.
extension IConectEmulator {
    static let defaultPageSize: Int64 = 50
    static let defaultSizeLimit: Int64 = 100

    func registerRecords(_ api: APIRoutes) {
        api.on("records.list") { call in
            let p = try call.id("project_id")
            let q = call.query
            let page = try q.int("page") ?? 1, pageSize = try q.int("page_size") ?? Self.defaultPageSize
            let sizeLimit = try q.int("size_limit") ?? Self.defaultSizeLimit
            let fieldIDs = try q.ints("field_ids"), recordIDs = try q.ints("record_ids"), viewID = try q.int("view_id")
            guard page >= 1 else { throw IConectError.badRequest("The page parameter must be 1 or more.") }
            guard pageSize >= 1 else { throw IConectError.badRequest("The page_size parameter must be 1 or more.") }
            guard sizeLimit >= 0 else { throw IConectError.badRequest("The size_limit parameter must not be negative.") }
            if recordIDs != nil && viewID != nil {
                throw IConectError.badRequest("record_ids and view_id are mutually exclusive: give one or the other.")
            }
            let records = try await call.store.read { tx -> [JSONValue] in
                _ = try tx.requireProject(p)
                let fields = try Self.checkedFieldIDs(fieldIDs, p, tx)
                let offset = Int((page - 1) * pageSize), count = Int(pageSize)
                let selected: [JSONObject]
                let viewRecords = try viewID.map { try ViewStore.recordIDs(p, $0, tx) }
                if let ids = recordIDs ?? viewRecords {
                    let chosen = Array(Set(ids)).sorted().dropFirst(offset).prefix(count)
                    selected = try chosen.compactMap { try tx.object(Coll.records(p), $0) }
                } else {
                    // One scan up to the end of the page, as paging by offset does.
                    selected = Array(try tx.scan(Coll.records(p), after: nil, limit: offset + count)
                        .dropFirst(offset).compactMap { $0.body.object })
                }
                return selected.map { RecordShape.render($0, fieldIDs: fields, sizeLimit: Int(sizeLimit)) }
            }
            return Reply.json(.array(records))
        }
        api.on("records.count") { call in
            let p = try call.id("project_id")
            let count = try await call.store.read { tx in
                _ = try tx.requireProject(p)
                return try tx.count(Coll.records(p))
            }
            return Reply.json(.integer(Int64(count)))
        }
        api.on("records.get") { call in
            let (p, r) = (try call.id("project_id"), try call.id("record_id"))
            let fieldIDs = try call.query.ints("field_ids")
            return Reply.json(try await call.store.read { tx in
                _ = try tx.requireProject(p)
                let fields = try Self.checkedFieldIDs(fieldIDs, p, tx)
                return RecordShape.render(try tx.require(Coll.records(p), r, "Record"), fieldIDs: fields, sizeLimit: nil)
            })
        }
        api.on("records.delete") { call in
            let (p, r) = (try call.id("project_id"), try call.id("record_id"))
            try await call.store.write { tx in
                _ = try tx.requireProject(p)
                _ = try tx.require(Coll.records(p), r, "Record")
                try Self.deleteRecord(p, r, tx)
            }
            return Reply.ok("Record \(r) deleted")
        }
        api.on("records.folders") { call in
            let (p, r) = (try call.id("project_id"), try call.id("record_id"))
            let folders = try await call.store.read { tx in
                _ = try tx.requireProject(p)
                _ = try tx.require(Coll.records(p), r, "Record")
                return try tx.ids(Coll.recordFolders(p, r))
            }
            return Reply.json(.array(folders.map { .integer($0) }))
        }
        registerRecordWrites(api)
    }

    /// `field_ids` as a set, each checked to exist (400 otherwise); nil: all fields.
    static func checkedFieldIDs(_ ids: [Int64]?, _ p: Int64, _ tx: any SandboxTransaction) throws -> Set<Int64>? {
        guard let ids else { return nil }
        for id in ids where try tx.object(Coll.fields(p), id) == nil {
            throw IConectError.badRequest("Field \(id) was not found in project \(p).")
        }
        return Set(ids)
    }

    /// A record with its folder memberships and native files.
    static func deleteRecord(_ p: Int64, _ r: Int64, _ tx: any SandboxTransaction) throws {
        for d in try tx.ids(Coll.recordFolders(p, r)) { try tx.delete(Coll.folderRecords(p, d), r) }
        try tx.removeAll(collectionPrefix: Coll.recordFolders(p, r))
        for field in try tx.all(Coll.fields(p)) where field.int("type") == FieldType.nativeFile {
            try ChunkedUpload.remove(target: NativeFiles.target(r, field.int("id")), project: p, tx)
        }
        try tx.delete(Coll.records(p), r)
    }
}
