import Hummingbird
import LunetJSON
import LunetSandbox

/// Lists (`{meta, objects}`), single objects, and a contact's projects,
/// files and tasks.
extension CoreDataEmulator {
    func registerReads(on api: RouterGroup<SandboxContext>) {
        let store = self.store
        for resource in CoreDataResource.allCases {
            api.get("v2/\(resource.rawValue)") { request, _ in
                await Self.answer { try await Self.list(resource, request, store) }
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
                return await Self.answer { try await Self.list(resource, request, store, contact: contact) }
            }
        }
    }

    /// A page of `resource`; with `contact`, only the objects associated
    /// with that contact (404 when there is no such contact).
    static func list(
        _ resource: CoreDataResource, _ request: Request, _ store: any SandboxStore, contact: String? = nil
    )
        async throws -> Response
    {
        try CoreDataAuth.check(request)
        let query = try CoreDataListQuery(CoreDataHTTP.query(request), resource: resource)
        let path = request.uri.path
        let page = try await store.read { tx in
            var objects = try CoreDataObjects.all(tx, resource)
            if let contact {
                _ = try CoreDataObjects.require(tx, .contacts, contact)
                objects = objects.filter { $0["associated_contacts"]?.array?.contains(.string(contact)) ?? false }
            }
            return query.page(of: objects, path: path)
        }
        return SandboxJSON.response(page)
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
