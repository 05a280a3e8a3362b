import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// `/api/contenttypes` and `/api/contenttype/{name}…` (seed 002): list, get,
/// download, create, update (non-breaking only, or anything with `/force`),
/// delete (refused while the type is in use, unless `/force`, which deletes
/// its items too) and the sync-filter reset.
struct ContentTypeRoutes: Sendable {
    let store: any SandboxStore

    /// Prefix of the download's file name; the seed shows the tenant's name there.
    static let downloadTenant = "sandbox"

    func register(on api: ICLAPI) {
        api.on("types.list") { request, _, _ in
            let query = try ODataQuery(ICLRequest.query(request))
            let rows = try await store.read { tx in try ICLCatalog(tx: tx).types().map(\.summary) }
            try query.check(allowed: StoredType.summaryKeys) { "Could not find a property named '\($0)' on type 'ContentType'." }
            return ABP.envelope(query.apply(rows, countFirst: false))
        }
        api.on("type.get") { _, context, _ in
            ABP.bare(.object(try await definition(try ICLRequest.segment(context, "name"))))
        }
        api.on("type.download") { _, context, _ in
            let name = try ICLRequest.segment(context, "name")
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store, must-revalidate, no-cache, max-age=0"
            headers[.contentDisposition] = "attachment; filename=\(Self.downloadTenant)_\(name).json"
            var response = SandboxJSON.response(.object(try await definition(name)), headers: headers)
            response.headers[.contentType] = "application/json"
            return response
        }
        api.on("type.create") { request, context, _ in
            try await create(try ICLRequest.json(request), pathName: try ICLRequest.segment(context, "name"))
        }
        api.on("type.update") { request, context, _ in
            try await update(try ICLRequest.json(request), pathName: try ICLRequest.segment(context, "name"), force: false)
        }
        api.on("type.forceUpdate") { request, context, _ in
            try await update(try ICLRequest.json(request), pathName: try ICLRequest.segment(context, "name"), force: true)
        }
        api.on("type.delete") { _, context, caller in
            try await delete(try ICLRequest.segment(context, "name"), force: false, caller)
        }
        api.on("type.forceDelete") { _, context, caller in
            try await delete(try ICLRequest.segment(context, "name"), force: true, caller)
        }
        api.on("type.resetSyncFilters") { _, _, _ in
            // Nothing is synchronised to devices here; remember when it was asked for.
            try await store.put("settings", id: "syncFilters", ["lastReset": .string(ICLTime.string(Date()))])
            return ABP.envelope(.null)
        }
    }

    private func definition(_ name: String) async throws -> JSONObject {
        try await store.read { tx in try ContentItemRoutes.type(ICLCatalog(tx: tx), name).definition.json }
    }

    /// The body names the type; the path's name only fills in a missing one
    /// (the seed's own example posts an `elevator` to `/contenttype/building`).
    private func create(_ body: JSONValue, pathName: String) async throws -> Response {
        var body = body
        if case .object(var object) = body, object["name"] == nil {
            object["name"] = .string(pathName)
            body = .object(object)
        }
        let definition = try ContentTypeDefinition(validating: body)
        let now = ICLTime.string(Date())
        try await store.write { tx in
            let catalog = ICLCatalog(tx: tx)
            if try catalog.type(named: definition.name) != nil {
                throw ICLError.validation("A content type named '\(definition.name)' already exists.", members: ["name"])
            }
            if let other = try live(catalog, id: definition.id) {
                throw ICLError.validation(
                    "The id '\(definition.id)' is already used by the content type '\(other.name)'.", members: ["id"])
            }
            try catalog.put(StoredType(definition: definition, creationTime: now, lastModificationTime: now))
        }
        return ABP.bare(.object(definition.json))
    }

    /// The type is found by the definition's id (its identity, so a rename is
    /// possible), else by the path's name, whose id must then match.
    private func update(_ body: JSONValue, pathName: String, force: Bool) async throws -> Response {
        let definition = try ContentTypeDefinition(validating: body)
        let now = ICLTime.string(Date())
        try await store.write { tx in
            let catalog = ICLCatalog(tx: tx)
            var stored: StoredType
            if let byId = try live(catalog, id: definition.id) {
                stored = byId
            } else if let byName = try catalog.type(named: pathName) {
                throw ICLError.validation(
                    "The content type '\(pathName)' has the id '\(byName.contentTypeId)', not '\(definition.id)'.", members: ["id"])
            } else {
                throw ICLError.notFound("There is no content type named '\(pathName)'.")
            }
            if definition.name != stored.name, try catalog.type(named: definition.name) != nil {
                throw ICLError.validation("A content type named '\(definition.name)' already exists.", members: ["name"])
            }
            let breaking = stored.definition.breakingChanges(to: definition)
            if !force, !breaking.isEmpty {
                var error = ICLError.validation(breaking)
                error.message =
                    "The content type '\(stored.name)' cannot be updated: the new definition contains breaking changes. "
                    + "Use PUT /api/contenttype/\(stored.name)/force to apply them."
                throw error
            }
            let oldName = stored.name
            stored.definition = definition
            stored.lastModificationTime = now
            try catalog.put(stored, replacing: oldName)
        }
        return ABP.bare(.object(definition.json))
    }

    private func delete(_ name: String, force: Bool, _ caller: Caller) async throws -> Response {
        let now = ICLTime.string(Date())
        try await store.write { tx in
            let catalog = ICLCatalog(tx: tx)
            let type = try ContentItemRoutes.type(catalog, name)
            let items = try catalog.items(of: type.contentTypeId)
            if !force {
                var reasons: [String] = []
                for other in try catalog.types() where other.name != name && other.definition.targets.contains(name) {
                    reasons.append("the content type '\(other.name)' has a relationship to it")
                }
                for target in type.definition.targets.sorted() where target != name {
                    reasons.append("it has a relationship to the content type '\(target)'")
                }
                if !items.isEmpty { reasons.append("it still has \(items.count) content item\(items.count == 1 ? "" : "s")") }
                if !reasons.isEmpty {
                    throw ICLError.badRequest(
                        "The content type '\(name)' cannot be deleted: \(reasons.joined(separator: "; ")). "
                            + "Use DELETE /api/contenttype/\(name)/force to delete it with all its items.",
                        details: reasons.joined(separator: "\r\n"))
                }
            }
            let writer = ItemWriter(catalog: catalog, type: type, caller: caller, now: now)
            for item in items { try writer.delete(item) }
            try catalog.remove(type)
        }
        return ABP.empty()
    }

    private func live(_ catalog: ICLCatalog, id: String) throws -> StoredType? {
        guard let name = try catalog.typeName(id: id), let type = try catalog.type(named: name), type.contentTypeId == id
        else { return nil }
        return type
    }
}
