import LunetJSON
import LunetSandbox

/// Panels: `{id, name, type, location, custom_related_settings}`.
extension IConectEmulator {
    static let panelKeys = ["id", "name", "type", "location", "custom_related_settings"]

    func registerPanels(_ api: APIRoutes) {
        api.on("panels.list") { call in
            let p = try call.id("project_id")
            // `type` is a string in the seed, "" (the default) meaning all.
            var filter: Int64?
            if let text = call.query.string("type"), !text.isEmpty {
                guard let type = Int64(text), Enums.panelType[type] != nil else {
                    throw IConectError.badRequest("The value '\(text)' is not valid for type: use \(Enums.describe(Enums.panelType)).")
                }
                filter = type
            }
            let panels = try await call.store.read { tx in
                _ = try tx.requireProject(p)
                return try tx.all(Coll.panels(p))
            }.filter { filter == nil || $0.int("type") == filter }
            return Reply.json(.array(panels.map { $0.shaped(Self.panelKeys) }))
        }
        api.on("panels.get") { call in
            let p = try call.id("project_id"), n = try call.id("panel_id")
            return Reply.json(try await call.store.read { tx in
                _ = try tx.requireProject(p)
                return try tx.require(Coll.panels(p), n, "Panel").shaped(Self.panelKeys)
            })
        }
        api.on("panels.create") { call in
            let p = try call.id("project_id")
            let body = BodyFields(object: try await call.object())
            let panel = try await call.store.write { tx in
                _ = try tx.requireProject(p)
                var panel = try Self.panelProperties(body, existing: nil)
                let id = try tx.nextID(Coll.panels(p))
                panel["id"] = .integer(id)
                try tx.put(Coll.panels(p), id, panel)
                return panel
            }
            return Reply.created(panel.shaped(Self.panelKeys))
        }
        api.on("panels.update") { call in
            let p = try call.id("project_id"), n = try call.id("panel_id")
            let body = BodyFields(object: try await call.object())
            let panel = try await call.store.write { tx in
                _ = try tx.requireProject(p)
                let panel = try Self.panelProperties(body, existing: try tx.require(Coll.panels(p), n, "Panel"))
                try tx.put(Coll.panels(p), n, panel)
                return panel
            }
            return Reply.json(panel.shaped(Self.panelKeys))
        }
        api.on("panels.delete") { call in
            let p = try call.id("project_id"), n = try call.id("panel_id")
            let panel = try await call.store.write { tx in
                _ = try tx.requireProject(p)
                let panel = try tx.require(Coll.panels(p), n, "Panel")
                for folder in try tx.all(Coll.folders(p)) where folder.int("panel_id") == n {
                    try FolderTree.deleteOne(folder.int("id"), project: p, tx)
                }
                try tx.delete(Coll.panels(p), n)
                return panel
            }
            return Reply.json(panel.shaped(Self.panelKeys))
        }
    }

    static func panelProperties(_ body: BodyFields, existing: JSONObject?) throws -> JSONObject {
        var panel = existing ?? ["id": 0, "name": "", "type": 0, "location": 0, "custom_related_settings": [:]]
        if existing == nil || body.has("name") { panel["name"] = .string(try body.requiredString("name")) }
        if let type = try body.member("type", of: Enums.panelType) { panel["type"] = .integer(type) }
        if let location = try body.int("location") { panel["location"] = .integer(location) }
        if let settings = try body.nested("custom_related_settings") { panel["custom_related_settings"] = .object(settings) }
        return panel
    }
}
