import LunetJSON
import LunetSandbox

/// Where each kind of object lives in the store. System objects are global;
/// everything inside a project is under "p{id}/", so deleting a project is
/// one `removeAll(collectionPrefix:)`. Ids are `orderedKey`s, so scans list
/// in id order.
enum Coll {
    static let clients = "clients"
    static let dataservers = "dataservers"
    static let projects = "projects"
    static let system = "system"  // "upload_target"

    static func project(_ p: Int64) -> String { "p\(p)/" }
    static func fields(_ p: Int64) -> String { "p\(p)/fields" }
    static func panels(_ p: Int64) -> String { "p\(p)/panels" }
    static func folders(_ p: Int64) -> String { "p\(p)/folders" }
    static func records(_ p: Int64) -> String { "p\(p)/records" }
    static func filestores(_ p: Int64) -> String { "p\(p)/filestores" }
    static func jobs(_ p: Int64) -> String { "p\(p)/jobs" }
    static func views(_ p: Int64) -> String { "p\(p)/views" }
    static func templates(_ p: Int64) -> String { "p\(p)/templates" }
    /// Folder membership, both ways: records of a folder, folders of a record.
    static func folderRecords(_ p: Int64, _ d: Int64) -> String { "p\(p)/folder/\(d)/records" }
    static func recordFolders(_ p: Int64, _ r: Int64) -> String { "p\(p)/record/\(r)/folders" }
    /// Chunked uploads: one manifest per target, chunk bytes per upload.
    static func uploads(_ p: Int64) -> String { "p\(p)/uploads" }
    static func uploadIDs(_ p: Int64) -> String { "p\(p)/upload_ids" }
    static func chunks(_ p: Int64, _ upload: Int64) -> String { "p\(p)/chunks/\(upload)/data" }
    static func chunksPrefix(_ p: Int64, _ upload: Int64) -> String { "p\(p)/chunks/\(upload)/" }
}

extension SandboxTransaction {
    func object(_ collection: String, _ id: Int64) throws -> JSONObject? {
        try get(collection, id: orderedKey(id))?.object
    }

    func put(_ collection: String, _ id: Int64, _ object: JSONObject) throws {
        try put(collection, id: orderedKey(id), .object(object))
    }

    @discardableResult
    func delete(_ collection: String, _ id: Int64) throws -> Bool {
        try delete(collection, id: orderedKey(id))
    }

    func all(_ collection: String) throws -> [JSONObject] {
        try scan(collection, after: nil, limit: nil).compactMap { $0.body.object }
    }

    /// The ids of a collection's documents, in order.
    func ids(_ collection: String) throws -> [Int64] {
        try scan(collection, after: nil, limit: nil).compactMap { Int64($0.id) }
    }

    /// The object, or the API's 404 naming `kind`.
    func require(_ collection: String, _ id: Int64, _ kind: String) throws -> JSONObject {
        guard let object = try object(collection, id) else { throw IConectError.missing(kind, id) }
        return object
    }

    func requireProject(_ p: Int64) throws -> JSONObject {
        try require(Coll.projects, p, "Project")
    }

    /// The next id for a collection: one more than the highest ever given.
    func nextID(_ collection: String) throws -> Int64 {
        try nextSequence(collection)
    }
}

extension JSONObject {
    func int(_ key: String) -> Int64 { self[key]?.integer ?? 0 }
    func str(_ key: String) -> String { self[key]?.string ?? "" }

    /// A copy with only `keys`, in that order (missing ones as null).
    func shaped(_ keys: [String]) -> JSONValue {
        .object(JSONObject(keys.map { ($0, self[$0] ?? .null) }))
    }
}
