import Hummingbird
import LunetJSON
import LunetSandbox

/// Create projects and contacts; PATCH to change an object. PATCH is the
/// sandbox's way to drive `modified` and `snapshot_id` (the seed documents no
/// update); it follows Tastypie: a partial update that answers the object.
extension CoreDataEmulator {
    /// Fields a PATCH may change, per resource; others are ignored, as
    /// Tastypie ignores read-only and unknown fields.
    static let editableFields: [CoreDataResource: [String]] = [
        .projects: [
            "title", "description", "status", "status_message", "tags", "aspects", "associated_contacts", "due_date",
        ],
        .contacts: ["title", "identifier", "description", "status", "role", "emails", "phones", "addresses", "urls"],
        .files: ["title", "description", "status", "tags", "associated_contacts"],
        .folders: ["title", "description"],
        .tasks: ["title", "description", "status", "due_date", "assignee", "associated_contacts"],
    ]

    func registerWrites(on api: RouterGroup<SandboxContext>) {
        let store = self.store
        api.post("v2/projects") { request, _ in
            await Self.answer {
                try CoreDataAuth.check(request)
                let fields = try await CoreDataHTTP.object(of: request)
                let project = try await store.write { tx in try Self.createProject(CoreDataBody(fields: fields, tx: tx))
                }
                return Self.created(.projects, project)
            }
        }
        api.post("v2/contacts") { request, _ in
            await Self.answer {
                try CoreDataAuth.check(request)
                let fields = try await CoreDataHTTP.object(of: request)
                let contact = try await store.write { tx in try Self.createContact(CoreDataBody(fields: fields, tx: tx))
                }
                return Self.created(.contacts, contact)
            }
        }
        for (resource, editable) in Self.editableFields {
            api.patch("v2/\(resource.rawValue)/:id") { request, context in
                let id = try context.parameters.require("id")
                return await Self.answer {
                    try CoreDataAuth.check(request)
                    let fields = try await CoreDataHTTP.object(of: request)
                    let object = try await store.write { tx in
                        var object = try CoreDataObjects.require(tx, resource, id)
                        let body = CoreDataBody(fields: fields, tx: tx)
                        for name in editable {
                            if let value = try body.editable(name) { object[name] = value }
                        }
                        CoreDataObjects.touch(&object, at: try CoreDataSettings.now(tx))
                        try CoreDataObjects.save(tx, resource, object)
                        return object
                    }
                    return SandboxJSON.response(CoreDataObject.visible(object))
                }
            }
        }
    }

    static func created(_ resource: CoreDataResource, _ object: JSONObject) -> Response {
        let location = object["resource_uri"]?.string ?? ""
        return SandboxJSON.response(CoreDataObject.visible(object), status: .created, headers: [.location: location])
    }

    /// The space's id and the title are required (the seed's projects page).
    static func createProject(_ body: CoreDataBody) throws -> JSONObject {
        let space = try body.reference("space", .spaces, required: true)!
        let title = try body.string("title", required: true)!
        var fields: JSONObject = [
            "title": .string(title), "space": space["id"]!, "aspects": [:], "associated_contacts": [],
            "due_date": nil, "related_projects": [], "status_message": "",
            "path": .string((space["path"]?.string ?? "") + "/" + title),
        ]
        for name in editableFields[.projects]! where name != "title" {
            if let value = try body.editable(name) { fields[name] = value }
        }
        if let related = try body.strings("related_projects") { fields["related_projects"] = .array(related) }
        let id = CoreDataIDs.random()
        let project = CoreDataObjects.make(.projects, id: id, at: try CoreDataSettings.now(body.tx), fields)
        try CoreDataObjects.save(body.tx, .projects, project)
        return project
    }

    /// The name (`title`) is required. A Person may be created in an
    /// Organization (`parent`); an Organization only at the top (in a
    /// contact folder, which the sandbox does not model).
    static func createContact(_ body: CoreDataBody) throws -> JSONObject {
        let title = try body.string("title", required: true)!
        let kind = try dynatype(body.fields["dynatype"])
        var fields: JSONObject = [
            "title": .string(title), "identifier": "", "dynatype": kind, "emails": [], "phones": [], "addresses": [],
            "urls": [], "role": "", "status": "contact_status:Active:", "parent": nil,
        ]
        for name in editableFields[.contacts]! where name != "title" {
            if let value = try body.editable(name) { fields[name] = value }
        }
        if let parent = try body.reference("parent", .contacts) {
            guard kind["title"]?.string == "Person" else {
                throw CoreDataError.badRequest("parent: An Organization can only be created in a ContactFolder.")
            }
            guard parent["dynatype"]?["title"]?.string == "Organization" else {
                throw CoreDataError.badRequest(
                    "parent: A Person can only be created in a ContactFolder or an Organization.")
            }
            fields["parent"] = parent["id"]!
        }
        let contact = CoreDataObjects.make(
            .contacts, id: CoreDataIDs.random(), at: try CoreDataSettings.now(body.tx), fields)
        try CoreDataObjects.save(body.tx, .contacts, contact)
        return contact
    }

    static let personType: JSONValue = [
        "caption_plural": "dynatypes_labels:Person_plural:", "caption_singular": "dynatypes_labels:Person_singular:",
        "id": "d2114cf4-71ce-11ee-a1c1-93a2e894b852", "title": "Person",
    ]
    static let organizationType: JSONValue = [
        "caption_plural": "dynatypes_labels:Organization_plural:",
        "caption_singular": "dynatypes_labels:Organization_singular:",
        "id": "d2115a3c-71ce-11ee-a1c1-0f3e2b6c9a41", "title": "Organization",
    ]

    /// `"Person"`, `"Organization"`, or an object with such a `title`; Person when absent.
    static func dynatype(_ value: JSONValue?) throws -> JSONValue {
        switch value?.string ?? value?["title"]?.string {
        case nil, "Person"?: return personType
        case "Organization"?: return organizationType
        case let other?: throw CoreDataError.badRequest("dynatype: Unknown dynatype '\(other)'.")
        }
    }
}
