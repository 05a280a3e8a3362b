import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// `/api/content…`: OData listings (enveloped), and get, create, replace,
/// delete and batch upsert of one type's items (bare, as seed 001 shows them).
struct ContentItemRoutes: Sendable {
    let store: any SandboxStore

    /// What `GET /api/content` can filter and sort on (seed 001, section 1).
    static let commonProperties: Set<String> = ["contentItemId", "title", "externalId"]
    /// System properties a type's listing can filter on besides its fields.
    static let systemProperties: Set<String> = [
        "contentItemId", "externalId", "title", "lastModificationTime", "isDeleted", "creatorUserId", "creatorUser",
        "lastModifierUserId", "lastModifierUser",
    ]

    func register(on api: ICLAPI) {
        api.on("content.listAll") { request, _, _ in try await listAll(request) }
        api.on("content.list") { request, context, _ in
            try await list(request, type: try ICLRequest.segment(context, "type"))
        }
        api.on("content.get") { _, context, _ in
            let (typeName, key) = (try ICLRequest.segment(context, "type"), try ICLRequest.segment(context, "key"))
            let view = try await store.read { tx in
                let (type, item) = try Self.existing(ICLCatalog(tx: tx), typeName, key)
                return ItemView.detail(item, type.definition)
            }
            return ABP.bare(.object(view))
        }
        api.on("content.create") { request, context, caller in
            let typeName = try ICLRequest.segment(context, "type")
            let body = try await ICLRequest.json(request)
            let view = try await store.write { tx in
                let catalog = ICLCatalog(tx: tx)
                let type = try Self.type(catalog, typeName)
                let item = try writer(catalog, type, caller).create(body)
                return ItemView.detail(item, type.definition)
            }
            return ABP.bare(.object(view))
        }
        api.on("content.batch") { request, context, caller in
            let ignoreErrors = ICLRequest.query(request)["ignoreErrors"]?.lowercased() == "true"
            return try await batch(request, type: try ICLRequest.segment(context, "type"), caller, ignoreErrors: ignoreErrors)
        }
        api.on("content.replace") { request, context, caller in
            let (typeName, key) = (try ICLRequest.segment(context, "type"), try ICLRequest.segment(context, "key"))
            let body = try await ICLRequest.json(request)
            let view = try await store.write { tx in
                let catalog = ICLCatalog(tx: tx)
                let (type, item) = try Self.existing(catalog, typeName, key)
                let replaced = try writer(catalog, type, caller).replace(item, with: body)
                return ItemView.detail(replaced, type.definition)
            }
            return ABP.bare(.object(view))
        }
        api.on("content.delete") { _, context, caller in
            let (typeName, key) = (try ICLRequest.segment(context, "type"), try ICLRequest.segment(context, "key"))
            try await store.write { tx in
                let catalog = ICLCatalog(tx: tx)
                let (type, item) = try Self.existing(catalog, typeName, key)
                try writer(catalog, type, caller).delete(item)
            }
            return ABP.empty()
        }
    }

    private func writer(_ catalog: ICLCatalog, _ type: StoredType, _ caller: Caller) -> ItemWriter {
        ItemWriter(catalog: catalog, type: type, caller: caller, now: ICLTime.string(Date()))
    }

    static func type(_ catalog: ICLCatalog, _ name: String) throws -> StoredType {
        guard let type = try catalog.type(named: name) else {
            throw ICLError.notFound("There is no content type named '\(name)'.")
        }
        return type
    }

    static func existing(_ catalog: ICLCatalog, _ typeName: String, _ key: String) throws -> (StoredType, StoredItem) {
        let type = try type(catalog, typeName)
        guard let item = try catalog.item(of: type.contentTypeId, key: key) else {
            throw ICLError.notFound("There is no content item of type '\(typeName)' with the id, contentItemId or externalId '\(key)'.")
        }
        return (type, item)
    }

    /// Every type's live items in creation order: from the `live` index
    /// when every type is in it (a plain page reads only its rows), else by
    /// scanning each type's items.
    private func listAll(_ request: Request) async throws -> Response {
        let query = try ODataQuery(ICLRequest.query(request))
        try query.check(allowed: Self.commonProperties) { property in
            "The property '\(property)' cannot be used to filter or sort content items of all types; "
                + "only ContentItemId, Title and ExternalId can."
        }
        let result = try await store.read { tx in
            let catalog = ICLCatalog(tx: tx)
            let types = try catalog.types()
            let byId = Dictionary(types.map { ($0.contentTypeId, $0) }, uniquingKeysWith: { a, _ in a })
            func render(_ row: (typeId: String, item: StoredItem), only: Set<String>? = nil) -> JSONObject {
                let type = byId[row.typeId]!
                return ItemView.listed(row.item, type.definition, typeName: type.name, only: only)
            }
            let rows: [(typeId: String, item: StoredItem)]
            if types.allSatisfy(\.liveIndexed) {
                if query.isPlain {
                    let page = try catalog.liveItems(of: nil, offset: query.skip, limit: query.top)
                        .filter { byId[$0.typeId] != nil }
                    return query.page(page.map { render($0) }, total: try catalog.liveCount(of: nil))
                }
                rows = try catalog.allLiveItems().filter { byId[$0.typeId] != nil }
            } else {
                rows = try types.flatMap { type in try catalog.items(of: type.contentTypeId).map { (type.contentTypeId, $0) } }
                    .sorted { $0.item.sequence < $1.item.sequence }
            }
            let used = query.usedFields
            return query.apply(rows, view: { render($0, only: used) }, render: { render($0) })
        }
        return ABP.envelope(result)
    }

    private func list(_ request: Request, type typeName: String) async throws -> Response {
        let query = try ODataQuery(ICLRequest.query(request))
        let result = try await store.read { tx in
            let catalog = ICLCatalog(tx: tx)
            let type = try Self.type(catalog, typeName)
            try query.check(allowed: Self.systemProperties.union(type.definition.fields.map(\.name))) { property in
                "Could not find a property named '\(property)' on type '\(typeName)'."
            }
            let (typeId, definition) = (type.contentTypeId, type.definition)
            let items: [StoredItem]
            if type.liveIndexed {
                if query.isPlain {
                    let page = try catalog.liveItems(of: typeId, offset: query.skip, limit: query.top)
                    return query.page(page.map { ItemView.listed($0.item, definition) }, total: try catalog.liveCount(of: typeId))
                }
                items = try catalog.liveItems(of: typeId, offset: 0, limit: nil).map(\.item)
            } else {
                items = try catalog.items(of: typeId)
            }
            let used = query.usedFields
            return query.apply(
                items, view: { ItemView.listed($0, definition, only: used) }, render: { ItemView.listed($0, definition) })
        }
        return ABP.envelope(result)
    }
}
