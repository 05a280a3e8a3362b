import LunetJSON
import LunetSandbox

/// Folders under a panel, and the records filed in them.
extension IConectEmulator {
    func registerFolders(_ api: APIRoutes) {
        api.on("folders.list") { call in
            let (p, n) = (try call.id("project_id"), try call.id("panel_id"))
            let parent = try call.query.int("parent_id") ?? 0
            let shown = try await call.store.read { tx -> [JSONValue] in
                let folders = try Self.panelScope(p, n, tx)
                if parent != 0 { _ = try FolderTree.require(p, panel: n, parent, tx) }
                return FolderTree.children(of: parent, in: folders).map { FolderTree.render($0, in: folders) }
            }
            return Reply.json(.array(shown))
        }
        // folder_id 0 answers every folder of the panel (the seed).
        api.on("folders.get") { call in
            let (p, n, d) = (try call.id("project_id"), try call.id("panel_id"), try call.id("folder_id"))
            return Reply.json(try await call.store.read { tx -> JSONValue in
                let folders = try Self.panelScope(p, n, tx)
                if d == 0 { return .array(folders.map { FolderTree.render($0, in: folders) }) }
                return FolderTree.render(try FolderTree.require(p, panel: n, d, tx), in: folders)
            })
        }
        api.on("folders.create") { call in
            let (p, n) = (try call.id("project_id"), try call.id("panel_id"))
            let body = BodyFields(object: try await call.object())
            let username = call.user.username
            return Reply.created(try await call.store.write { tx -> JSONValue in
                var folders = try Self.panelScope(p, n, tx)
                var folder = try Self.folderProperties(body, existing: nil, panel: n, folders: folders)
                let id = try tx.nextID(Coll.folders(p))
                folder["id"] = .integer(id)
                folder["created_by"] = .string(username)
                let siblings = FolderTree.children(of: folder.int("parent_id"), in: folders)
                folder["folder_order"] = .integer((siblings.map { $0.int("folder_order") }.max() ?? 0) + 1)
                try tx.put(Coll.folders(p), id, folder)
                folders.append(folder)
                return FolderTree.render(folder, in: folders)
            })
        }
        api.on("folders.update") { call in
            let (p, n, d) = (try call.id("project_id"), try call.id("panel_id"), try call.id("folder_id"))
            let body = BodyFields(object: try await call.object())
            return Reply.json(try await call.store.write { tx -> JSONValue in
                var folders = try Self.panelScope(p, n, tx)
                let existing = try FolderTree.require(p, panel: n, d, tx)
                let folder = try Self.folderProperties(body, existing: existing, panel: n, folders: folders)
                try tx.put(Coll.folders(p), d, folder)
                folders = folders.map { $0.int("id") == d ? folder : $0 }
                return FolderTree.render(folder, in: folders)
            })
        }
        api.on("folders.delete") { call in
            let (p, n, d) = (try call.id("project_id"), try call.id("panel_id"), try call.id("folder_id"))
            try await call.store.write { tx in
                let folders = try Self.panelScope(p, n, tx)
                _ = try FolderTree.require(p, panel: n, d, tx)
                for id in FolderTree.subtree(d, in: folders) { try FolderTree.deleteOne(id, project: p, tx) }
            }
            return Reply.ok("Folder \(d) deleted")
        }
        registerFolderRecords(api)
    }

    private func registerFolderRecords(_ api: APIRoutes) {
        api.on("folders.records") { call in
            let (p, n, d) = (try call.id("project_id"), try call.id("panel_id"), try call.id("folder_id"))
            return Reply.json(.array(try await call.store.read { tx -> [JSONValue] in
                _ = try Self.panelScope(p, n, tx)
                _ = try FolderTree.require(p, panel: n, d, tx)
                return try tx.ids(Coll.folderRecords(p, d)).compactMap { r in
                    try tx.object(Coll.records(p), r).map { RecordShape.render($0, fieldIDs: nil, sizeLimit: nil) }
                }
            }))
        }
        for (name, adding) in [("folders.add_records", true), ("folders.remove_records", false)] {
            api.on(name) { call in
                let (p, n, d) = (try call.id("project_id"), try call.id("panel_id"), try call.id("folder_id"))
                let ids = try Self.recordIDs(in: try await call.object())
                return Reply.json(try await call.store.write { tx -> JSONValue in
                    let folders = try Self.panelScope(p, n, tx)
                    let folder = try FolderTree.require(p, panel: n, d, tx)
                    for r in ids {
                        _ = try tx.require(Coll.records(p), r, "Record")
                        if adding {
                            try tx.put(Coll.folderRecords(p, d), r, [:])
                            try tx.put(Coll.recordFolders(p, r), d, [:])
                        } else {
                            try tx.delete(Coll.folderRecords(p, d), r)
                            try tx.delete(Coll.recordFolders(p, r), d)
                        }
                    }
                    return FolderTree.render(folder, in: folders)
                })
            }
        }
    }

    /// The panel's folders, after checking the project and the panel exist.
    static func panelScope(_ p: Int64, _ n: Int64, _ tx: any SandboxTransaction) throws -> [JSONObject] {
        _ = try tx.requireProject(p)
        _ = try tx.require(Coll.panels(p), n, "Panel")
        return try FolderTree.panelFolders(p, panel: n, tx)
    }

    /// `{records: [{id: 1}, …]}` (Record objects, as the seed says) or `{records: [1, …]}`.
    static func recordIDs(in body: JSONObject) throws -> [Int64] {
        guard let items = body["records"]?.array else { throw IConectError.badRequest("The records field is required.") }
        return try items.enumerated().map { index, item in
            if let id = item.integer ?? item["id"]?.integer { return id }
            throw IConectError.badRequest("records[\(index)] must be a record id or an object with an id.")
        }
    }

    static func folderProperties(
        _ body: BodyFields, existing: JSONObject?, panel: Int64, folders: [JSONObject]
    ) throws -> JSONObject {
        var folder = existing ?? [
            "id": 0, "name": "", "description": "", "panel_id": .integer(panel), "parent_id": 0, "group_id": 0,
            "personal": false, "colour": "", "created_by": "", "type": 0, "related_field_id": 0,
            "related_field_name": "", "action": 0, "separator": "\\", "icon_id": 0, "read_only": 0,
            "folder_security": [:], "optional_config": [:], "folder_order": 0,
        ]
        if existing == nil || body.has("name") { folder["name"] = .string(try body.requiredString("name")) }
        if let description = try body.string("description") { folder["description"] = .string(description) }
        if let parent = try body.int("parent_id") {
            if parent != 0 {
                guard folders.contains(where: { $0.int("id") == parent }) else {
                    throw IConectError.badRequest("Parent folder \(parent) was not found in panel \(panel)")
                }
                if let existing, FolderTree.subtree(existing.int("id"), in: folders).contains(parent) {
                    throw IConectError.badRequest("A folder cannot be moved under itself or one of its subfolders")
                }
            }
            folder["parent_id"] = .integer(parent)
        }
        if let settings = try body.nested("folder_settings") {
            folder["folder_settings"] = .object(settings)
            for key in ["colour", "icon_id", "read_only", "personal", "folder_security", "optional_config"] {
                if let value = settings[key] { folder[key] = value }
            }
        }
        return folder
    }
}
