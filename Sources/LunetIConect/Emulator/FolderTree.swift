import LunetJSON
import LunetSandbox

/// Folders form a tree per panel. A stored folder keeps what was set
/// (name, parent, order, settings); what follows from the tree — siblings,
/// first child, position, full name — is worked out when it is shown.
enum FolderTree {
    static let keys = [
        "id", "name", "parent_id", "group_id", "tab_id", "personal", "colour", "full_name", "description",
        "created_by", "type", "child_id", "prev_sibling_id", "next_sibling_id", "related_field_id",
        "related_field_name", "action", "separator", "icon_id", "read_only", "folder_position", "folder_security",
        "optional_config", "folder_order",
    ]

    static func panelFolders(_ p: Int64, panel: Int64, _ tx: any SandboxTransaction) throws -> [JSONObject] {
        try tx.all(Coll.folders(p)).filter { $0.int("panel_id") == panel }
    }

    /// The folder `d` of `panel`, or 404 (also when it is in another panel).
    static func require(_ p: Int64, panel: Int64, _ d: Int64, _ tx: any SandboxTransaction) throws -> JSONObject {
        guard let folder = try tx.object(Coll.folders(p), d), folder.int("panel_id") == panel else {
            throw IConectError.missing("Folder", d)
        }
        return folder
    }

    static func children(of parent: Int64, in folders: [JSONObject]) -> [JSONObject] {
        folders.filter { $0.int("parent_id") == parent }
            .sorted { ($0.int("folder_order"), $0.int("id")) < ($1.int("folder_order"), $1.int("id")) }
    }

    /// The seed's folder shape, with the tree members filled in.
    static func render(_ folder: JSONObject, in folders: [JSONObject]) -> JSONValue {
        var shown = folder
        let id = folder.int("id")
        let siblings = children(of: folder.int("parent_id"), in: folders)
        let position = siblings.firstIndex { $0.int("id") == id } ?? 0
        shown["tab_id"] = .integer(folder.int("panel_id"))
        shown["folder_position"] = .integer(Int64(position))
        shown["prev_sibling_id"] = .integer(position > 0 ? siblings[position - 1].int("id") : 0)
        shown["next_sibling_id"] = .integer(position + 1 < siblings.count ? siblings[position + 1].int("id") : 0)
        shown["child_id"] = .integer(children(of: id, in: folders).first?.int("id") ?? 0)
        shown["full_name"] = .string(fullName(folder, in: folders))
        return shown.shaped(keys)
    }

    /// "First Pass\Responsive\Hot": the names from the top, joined by the separator.
    static func fullName(_ folder: JSONObject, in folders: [JSONObject]) -> String {
        var names = [folder.str("name")]
        var parent = folder.int("parent_id")
        var seen: Set<Int64> = [folder.int("id")]
        while parent != 0, seen.insert(parent).inserted, let next = folders.first(where: { $0.int("id") == parent }) {
            names.insert(next.str("name"), at: 0)
            parent = next.int("parent_id")
        }
        let separator = folder.str("separator")
        return names.joined(separator: separator.isEmpty ? "\\" : separator)
    }

    /// `d` and everything under it, deepest last.
    static func subtree(_ d: Int64, in folders: [JSONObject]) -> [Int64] {
        var result = [d]
        var index = 0
        while index < result.count {
            result += folders.filter { $0.int("parent_id") == result[index] }.map { $0.int("id") }
            index += 1
        }
        return result
    }

    /// Deletes one folder and its record memberships (not its children).
    static func deleteOne(_ d: Int64, project p: Int64, _ tx: any SandboxTransaction) throws {
        for r in try tx.ids(Coll.folderRecords(p, d)) {
            try tx.delete(Coll.recordFolders(p, r), d)
        }
        try tx.removeAll(collectionPrefix: Coll.folderRecords(p, d))
        try tx.delete(Coll.folders(p), d)
    }
}
