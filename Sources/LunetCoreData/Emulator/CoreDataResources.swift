import LunetJSON

/// The six listable resources and what each may be filtered by. One table,
/// so a filter the seed documents for one resource cannot leak to another.
enum CoreDataResource: String, CaseIterable, Sendable {
    case spaces, projects, files, folders, contacts, tasks

    var collection: String { rawValue }

    /// The `type` field of its objects.
    var typeName: String {
        switch self {
        case .spaces: "Space"
        case .projects: "Project"
        case .files: "File"
        case .folders: "Folder"
        case .contacts: "Contact"
        case .tasks: "Task"
        }
    }

    /// Filterable fields and their lookups ("exact" is the bare name).
    /// From the seed: title on contacts, files, projects and tasks; parent
    /// on files; associated_contacts_id on projects, files and tasks;
    /// identifier on contacts; dates on projects, files, contacts and tasks.
    /// `parent` on folders is ours (folders carry it; nothing says no).
    var filters: [String: Set<String>] {
        let title: Set<String> = ["exact", "startswith"]
        let date: Set<String> = ["exact", "gt", "gte", "lt", "lte", "range"]
        switch self {
        case .spaces: return [:]
        case .folders: return ["parent": ["exact"]]
        case .projects:
            return ["title": title, "associated_contacts_id": ["exact"], "created": date, "modified": date]
        case .files:
            return [
                "title": title, "parent": ["exact"], "associated_contacts_id": ["exact"], "created": date,
                "modified": date,
            ]
        case .contacts: return ["title": title, "identifier": title, "created": date, "modified": date]
        case .tasks: return ["title": title, "associated_contacts_id": ["exact"], "created": date, "modified": date]
        }
    }

    /// Fields its objects have: filtering on one of these that `filters`
    /// does not allow is a 400 (Tastypie's rule); any other name is ignored.
    var fields: Set<String> {
        let common: Set<String> = [
            "id", "snapshot_id", "title", "type", "created", "modified", "created_by", "modified_by", "resource_uri",
            "path", "version", "description", "status", "tags", "created", "modified",
        ]
        switch self {
        case .spaces: return common.union(["aspects", "dynatype", "is_hidden", "template"])
        case .projects: return common.union(["space", "associated_contacts", "aspects", "due_date", "status_message"])
        case .files:
            return common.union([
                "filename", "content_type", "size", "parent", "project", "space", "associated_contacts",
            ])
        case .folders: return common.union(["parent", "project", "space"])
        case .contacts:
            return common.union(["identifier", "dynatype", "emails", "phones", "role", "parent", "addresses", "urls"])
        case .tasks: return common.union(["project", "assignee", "due_date", "associated_contacts"])
        }
    }

    /// The resources a contact's nested lists return.
    static let nestedUnderContacts: [CoreDataResource] = [.projects, .files, .tasks]
}

/// What the emulator keeps on a stored object but never sends.
enum CoreDataObject {
    static let internalKey = "_sandbox"

    /// The object as the API sends it: without the emulator's own key, and
    /// with keys sorted at every level (Tastypie serialises with sort_keys).
    static func visible(_ object: JSONObject) -> JSONValue {
        var object = object
        object[internalKey] = nil
        return sorted(.object(object))
    }

    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(object.keys.sorted().map { ($0, sorted(object[$0]!)) }))
        case .array(let items):
            return .array(items.map(sorted))
        default:
            return value
        }
    }
}
