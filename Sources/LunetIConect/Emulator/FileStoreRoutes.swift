import LunetJSON
import LunetSandbox

/// File stores of a project. The seed gives their shape but not the
/// meaning of `type` or `management_type`; these values are **assumed**.
enum FileStoreKind {
    /// `type`
    static let local: Int64 = 0, amazonS3: Int64 = 1
    /// `management_type`: the store native file uploads go to.
    static let general: Int64 = 0, nativeFileUpload: Int64 = 1
}

extension IConectEmulator {
    static let fileStoreKeys = [
        "id", "name", "retention_days", "type", "local_config", "credential_id", "set_file_store_areas",
        "management_type", "description", "created_date", "modified_date",
    ]

    func registerFileStores(_ api: APIRoutes) {
        api.on("filestores.list") { call in
            let p = try call.id("project_id")
            let stores = try await call.store.read { tx in
                _ = try tx.requireProject(p)
                return try tx.all(Coll.filestores(p))
            }
            return Reply.json(.array(stores.map { $0.shaped(Self.fileStoreKeys) }))
        }
        api.on("filestores.get") { call in
            let (p, s) = (try call.id("project_id"), try call.id("filestore_id"))
            return Reply.json(try await call.store.read { tx in
                _ = try tx.requireProject(p)
                return try tx.require(Coll.filestores(p), s, "File store").shaped(Self.fileStoreKeys)
            })
        }
        api.on("filestores.upload") { call in
            let (p, s) = (try call.id("project_id"), try call.id("filestore_id"))
            let index = try call.query.int("chunk_index") ?? 1, count = try call.query.int("chunk_count") ?? 1
            try await call.store.read { tx in
                _ = try tx.requireProject(p)
                _ = try tx.require(Coll.filestores(p), s, "File store")
            }
            let part = try await Multipart.filePart(of: call.request)
            guard let filename = part.filename, !filename.isEmpty else {
                throw IConectError.badRequest("The 'file' part needs a filename")
            }
            let outcome = try await call.store.write { tx in
                _ = try tx.require(Coll.filestores(p), s, "File store")
                return try ChunkedUpload.accept(
                    part, index: index, count: count, target: Self.storeTarget(s, filename), project: p, tx)
            }
            return Reply.ok(outcome.message, outcome.details)
        }
        api.on("filestores.upload_status") { call in
            let (p, s) = (try call.id("project_id"), try call.id("filestore_id"))
            guard let filename = call.query.string("filename"), !filename.isEmpty else {
                throw IConectError.badRequest("The filename parameter is required.")
            }
            return Reply.json(.object(try await call.store.read { tx in
                _ = try tx.requireProject(p)
                _ = try tx.require(Coll.filestores(p), s, "File store")
                return try ChunkedUpload.status(target: Self.storeTarget(s, filename), project: p, tx)
            }))
        }
    }

    static func storeTarget(_ s: Int64, _ filename: String) -> String { "filestore/\(s)/file/\(filename)" }
}
