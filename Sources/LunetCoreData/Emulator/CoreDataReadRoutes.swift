import Hummingbird
import LunetJSON
import LunetSandbox

/// Lists (`{meta, objects}`), single objects, and a contact's projects,
/// files and tasks.
extension CoreDataEmulator {
    func registerReads(on api: RouterGroup<SandboxContext>) {
        let store = self.store, index = self.index
        for resource in CoreDataResource.allCases {
            api.get("v2/\(resource.rawValue)") { request, _ in
                await Self.answer { try await Self.list(resource, request, store, index) }
            }
            api.get("v2/\(resource.rawValue)/:id") { request, context in
                let id = try context.parameters.require("id")
                return await Self.answer {
                    try CoreDataAuth.check(request)
                    let object = try await store.read { try CoreDataObjects.require($0, resource, id) }
                    return SandboxJSON.response(CoreDataObject.visible(object))
                }
            }
        }
        for resource in CoreDataResource.nestedUnderContacts {
            api.get("v2/contacts/:id/\(resource.rawValue)") { request, context in
                let contact = try context.parameters.require("id")
                return await Self.answer { try await Self.list(resource, request, store, index, contact: contact) }
            }
        }
    }

    /// A page of `resource`; with `contact`, only the objects associated
    /// with that contact (404 when there is no such contact). The index
    /// selects the page; only its objects are read from the store.
    static func list(
        _ resource: CoreDataResource, _ request: Request, _ store: any SandboxStore, _ index: CoreDataIndex,
        contact: String? = nil
    )
        async throws -> Response
    {
        try CoreDataAuth.check(request)
        var parsed = try CoreDataListQuery(CoreDataHTTP.query(request), resource: resource)
        if let contact {
            parsed.filters.append(.init(field: "associated_contacts", test: .contains(contact)))
        }
        let query = parsed
        let path = request.uri.path
        let key = query.filterKey, filters = query.filters
        // A reset or failed write may drop the index between its build and
        // the read; then build again.
        for _ in 0..<5 {
            if !index.isBuilt(resource) {
                // In a write transaction: it sees every committed write and
                // none runs while it builds.
                try await store.write { tx in try index.build(resource, tx) }
            }
            let page = try await store.read { tx -> [UInt8]? in
                if let contact { _ = try CoreDataObjects.require(tx, .contacts, contact) }
                guard
                    let found = index.page(
                        resource, key: key, filters: filters, offset: query.offset, limit: query.limit)
                else { return nil }
                var objects: [[UInt8]] = []
                for (id, rendering) in zip(found.ids, found.rendered) {
                    if let rendering {
                        objects.append(rendering)
                    } else if let object = try CoreDataObjects.load(tx, resource, id) {
                        let bytes = CoreDataObject.visible(object).serialized()
                        index.remember(resource, id, bytes, generation: found.generation)
                        objects.append(bytes)
                    }
                }
                return query.page(objects, total: found.total, path: path)
            }
            if let page { return SandboxJSON.response(bytes: page) }
        }
        throw CoreDataError(
            status: .serviceUnavailable, message: "The sandbox is busy rebuilding its list index; try again.")
    }

    /// Runs a route, answering a `CoreDataError` in the API's error shape.
    static func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as CoreDataError {
            return error.response
        } catch let error as HTTPError {
            return SandboxJSON.error(error.body ?? "\(error.status)", status: error.status)
        } catch {
            return SandboxJSON.error("internal error: \(error)", status: .internalServerError)
        }
    }
}
