import LunetJSON
import LunetSandbox

/// Creating a project, optionally from a template: the template's fields,
/// panels, folders and file stores are copied (not its records, jobs or
/// views), with new ids and the references between them renumbered.
enum ProjectFactory {
    static func create(_ body: BodyFields, _ tx: any SandboxTransaction, isTemplate: Bool = false) throws -> JSONObject {
        let name = try body.requiredString("name")
        let state = try body.member("state", of: Enums.state) ?? 0
        let type = try body.member("type", of: Enums.databaseType) ?? 3
        let clientID = try body.int("client_id") ?? 0
        if clientID != 0, try tx.object(Coll.clients, clientID) == nil {
            throw IConectError.badRequest("Client \(clientID) was not found")
        }
        var serverID = try body.int("dataservers_id") ?? 0
        if serverID == 0 {
            serverID = try tx.ids(Coll.dataservers).first ?? 0
        } else if try tx.object(Coll.dataservers, serverID) == nil {
            throw IConectError.badRequest("Data server \(serverID) was not found")
        }
        var template: Int64?
        if let templateID = try body.int("project_template_id"), templateID != 0 {
            guard let source = try tx.object(Coll.projects, templateID), source["is_template"]?.bool == true else {
                throw IConectError.badRequest("Project template \(templateID) was not found")
            }
            template = templateID
        }
        let id = try tx.nextID(Coll.projects)
        let project: JSONObject = [
            "name": .string(name), "description": .string(try body.string("description") ?? ""), "LID": .integer(id),
            "id": .integer(id), "state": .integer(state), "type": .integer(type), "client_id": .integer(clientID),
            "dataservers_id": .integer(serverID), "is_template": .bool(isTemplate), "created_date": .string(Clock.nowISO),
        ]
        try tx.put(Coll.projects, id, project)
        if let template { try copy(from: template, to: id, tx) }
        return project
    }

    private static func copy(from source: Int64, to target: Int64, _ tx: any SandboxTransaction) throws {
        _ = try copyAll(Coll.fields(source), Coll.fields(target), tx)
        let panels = try copyAll(Coll.panels(source), Coll.panels(target), tx)
        _ = try copyAll(Coll.filestores(source), Coll.filestores(target), tx)
        // Folders refer to their panel and parent: allocate every new id first.
        let folders = try tx.all(Coll.folders(source))
        var folderIDs: [Int64: Int64] = [:]
        for folder in folders { folderIDs[folder.int("id")] = try tx.nextID(Coll.folders(target)) }
        for var folder in folders {
            let newID = folderIDs[folder.int("id")]!
            folder["id"] = .integer(newID)
            folder["panel_id"] = .integer(panels[folder.int("panel_id")] ?? 0)
            folder["parent_id"] = .integer(folderIDs[folder.int("parent_id")] ?? 0)
            try tx.put(Coll.folders(target), newID, folder)
        }
    }

    /// Copies every object with a new id; returns old id → new id.
    private static func copyAll(
        _ from: String, _ to: String, _ tx: any SandboxTransaction
    ) throws -> [Int64: Int64] {
        var ids: [Int64: Int64] = [:]
        for var object in try tx.all(from) {
            let newID = try tx.nextID(to)
            ids[object.int("id")] = newID
            object["id"] = .integer(newID)
            try tx.put(to, newID, object)
        }
        return ids
    }
}
