import LunetJSON
import LunetSandbox

/// Building, loading and changing stored objects. Every change goes through
/// `touch`, so `modified` (whole seconds) and `snapshot_id` (new on every
/// change, even several in one second) can never drift apart.
enum CoreDataObjects {
    static let apiRoot = "/coredata/api/v2"
    static let sandboxUser = "Sandbox User"

    static func resourceURI(_ resource: CoreDataResource, _ id: String) -> String {
        "\(apiRoot)/\(resource.rawValue)/\(id)/"
    }

    /// A new object of `resource` with the common fields and `fields`.
    static func make(
        _ resource: CoreDataResource, id: String, at time: Int64, by user: String = sandboxUser, _ fields: JSONObject
    ) -> JSONObject {
        var object: JSONObject = [
            "id": .string(id), "snapshot_id": .string(CoreDataIDs.random()), "type": .string(resource.typeName),
            "created": .string(CoreDataTime.format(time)), "created_by": .string(user),
            "modified": .string(CoreDataTime.format(time)), "modified_by": .string(user),
            "resource_uri": .string(resourceURI(resource, id)), "version": "0.1", "description": "", "status": "",
            "tags": [],
        ]
        for (key, value) in fields { object[key] = value }
        return object
    }

    /// Record a change: a new snapshot and the modification time.
    static func touch(_ object: inout JSONObject, at time: Int64, by user: String = sandboxUser) {
        object["snapshot_id"] = .string(CoreDataIDs.random())
        object["modified"] = .string(CoreDataTime.format(time))
        object["modified_by"] = .string(user)
    }

    static func load(_ tx: any SandboxTransaction, _ resource: CoreDataResource, _ id: String) throws -> JSONObject? {
        try tx.get(resource.collection, id: id)?.object
    }

    /// The object, or the API's 404.
    static func require(_ tx: any SandboxTransaction, _ resource: CoreDataResource, _ id: String) throws -> JSONObject {
        guard let object = try load(tx, resource, id) else {
            throw CoreDataError.notFound("No \(resource.typeName) with id '\(id)'.")
        }
        return object
    }

    static func save(_ tx: any SandboxTransaction, _ resource: CoreDataResource, _ object: JSONObject) throws {
        try tx.put(resource.collection, id: object["id"]?.string ?? "", .object(object))
    }
}
