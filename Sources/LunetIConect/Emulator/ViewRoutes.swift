import LunetJSON
import LunetSandbox

/// Views: a saved selection of records, fixed when the view is created,
/// usable by `records.list?view_id=` and by starting a job. Shown like the
/// seed's sample, `{name, description, LID}` (LID: the view's id), plus `id`.
enum ViewStore {
    static let keys = ["name", "description", "LID", "id"]

    /// The records of view `v`; 404 when it does not exist or has expired.
    static func recordIDs(_ p: Int64, _ v: Int64, _ tx: any SandboxTransaction) throws -> [Int64] {
        guard let view = try tx.object(Coll.views(p), v) else { throw IConectError.missing("View", v) }
        if let expiry = view["expiry_date"]?.string.flatMap(Clock.parse), expiry <= Clock.now {
            throw IConectError.notFound("View \(v) has expired")
        }
        return view["record_ids"]?.array?.compactMap(\.integer) ?? []
    }

    static func create(_ body: BodyFields, project p: Int64, _ tx: any SandboxTransaction) throws -> JSONObject {
        let selected = try body.ints("selected_ids"), query = try body.string("search_query")
        let invert = try body.bool("invert_selection") ?? false
        if selected != nil && query != nil {
            throw IConectError.badRequest("selected_ids and search_query are mutually exclusive: give one or the other.")
        }
        guard selected != nil || query != nil else { throw IConectError.badRequest("Give selected_ids or search_query.") }
        var expiry: JSONValue = .null
        if let text = try body.string("expiry_date") {
            guard let date = Clock.parse(text) else { throw IConectError.badRequest("expiry_date is not a valid date-time.") }
            guard date > Clock.now else { throw IConectError.badRequest("expiry_date must be in the future.") }
            expiry = .string(text)
        }
        let records = try tx.all(Coll.records(p))
        let chosen: Set<Int64>
        if let selected {
            chosen = Set(selected)
        } else {
            let terms = (query ?? "").lowercased().split(separator: " ").map(String.init)
            chosen = Set(records.filter { matches($0, terms) }.map { $0.int("id") })
        }
        let ids = records.map { $0.int("id") }.filter { chosen.contains($0) != invert }
        let id = try tx.nextID(Coll.views(p))
        let view: JSONObject = [
            "name": .string("API View \(id)"), "description": .string(query.map { "Search: \($0)" } ?? "Selected records"),
            "LID": .integer(id), "id": .integer(id), "expiry_date": expiry, "record_ids": .array(ids.map { .integer($0) }),
        ]
        try tx.put(Coll.views(p), id, view)
        return view
    }

    /// Every term appears in some value of the record (case-insensitive).
    private static func matches(_ record: JSONObject, _ terms: [String]) -> Bool {
        let values = (record["field_data"]?.object ?? [:]).map { _, value -> String in
            switch value {
            case .string(let s): s.lowercased()
            case .integer(let i): String(i)
            case .double(let d): String(d)
            default: ""
            }
        }
        return !terms.isEmpty && terms.allSatisfy { term in values.contains { $0.contains(term) } }
    }
}

extension IConectEmulator {
    func registerViewsAndTemplates(_ api: APIRoutes) {
        api.on("views.create") { call in
            let p = try call.id("project_id")
            let body = BodyFields(object: try await call.object())
            let view = try await call.store.write { tx in
                _ = try tx.requireProject(p)
                return try ViewStore.create(body, project: p, tx)
            }
            return Reply.created(view.shaped(ViewStore.keys))
        }
        api.on("views.delete") { call in
            let (p, v) = (try call.id("project_id"), try call.id("view_id"))
            return Reply.json(try await call.store.write { tx in
                _ = try tx.requireProject(p)
                let view = try tx.require(Coll.views(p), v, "View")
                try tx.delete(Coll.views(p), v)
                return view.shaped(ViewStore.keys)
            })
        }
        api.on("templates.list") { call in
            let p = try call.id("project_id")
            guard let type = try call.query.int("type") else { throw IConectError.badRequest("The type parameter is required.") }
            guard Enums.templateType[type] != nil else {
                throw IConectError.badRequest("Template type \(type) is not supported: only 7 (Native Import Templates).")
            }
            let templates = try await call.store.read { tx in
                _ = try tx.requireProject(p)
                return try tx.all(Coll.templates(p)).filter { $0.int("type") == type }
            }
            return Reply.json(.array(templates.map { .object($0) }))
        }
    }
}
