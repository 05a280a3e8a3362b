import Foundation
import LunetJSON
import LunetSandbox

/// The "demo" data set: 6 spaces, 310 projects, 80 folders, 150 files with
/// content, 40 contacts (the seed's sample contact among them) and 90 tasks.
/// Ids and times are fixed, so tests can name them; several objects share
/// each creation second, as real bulk-created data does.
enum CoreDataDemo {
    static let projectCount = 310, contactCount = 40, folderCount = 80, fileCount = 150, taskCount = 90
    static let spaceTitles = ["Board", "Finance", "Legal", "Operations", "Projects", "Sales"]
    /// The contact of the seed's example (SSN 60001019906).
    static let sampleContactID = "2f2672e8-71cf-11ee-848e-47ba9faefc74"
    /// 2024-01-08T09:00:00 UTC: projects start here.
    static let start = CoreDataTime.daysFromCivil(2024, 1, 8) * 86_400 + 9 * 3600

    static func id(_ resource: CoreDataResource, _ index: Int) -> String {
        resource == .contacts && index == 0 ? sampleContactID : CoreDataIDs.demo(resource.rawValue, index)
    }

    static func load(_ tx: any SandboxTransaction) throws {
        try spaces(tx)
        try contacts(tx)
        try projects(tx)
        try folders(tx)
        try files(tx)
        try tasks(tx)
    }

    private static func put(
        _ tx: any SandboxTransaction, _ resource: CoreDataResource, _ index: Int, created: Int64, modified: Int64,
        _ fields: JSONObject
    ) throws {
        var object = CoreDataObjects.make(
            resource, id: id(resource, index), at: created, by: "Administrator Administrator", fields)
        object["modified"] = .string(CoreDataTime.format(modified))
        object["snapshot_id"] = .string(CoreDataIDs.demo("snapshot-" + resource.rawValue, index))
        try CoreDataObjects.save(tx, resource, object)
    }

    private static func spaces(_ tx: any SandboxTransaction) throws {
        for (i, title) in spaceTitles.enumerated() {
            let time = start - 30 * 86_400 + Int64(i) * 3600
            try put(
                tx, .spaces, i, created: time, modified: time,
                [
                    "title": .string(title), "path": .string("/domain/spaces/Company/\(title)"), "aspects": [:],
                    "dynatype": [:], "is_hidden": false, "template": nil,
                ])
        }
    }

    private static let firstNames = ["Anna", "Bjarni", "Guðrún", "Jón", "Katrín", "Ólafur", "Sigríður", "Einar"]
    private static let lastNames = ["Jónsdóttir", "Sigurðsson", "Magnúsdóttir", "Gunnarsson", "Ólafsdóttir"]
    private static let organizations = ["Northwind ehf.", "Fjarðabyggð", "Hekla hf.", "Vatnajökull sf.", "Kría ehf."]

    private static func contacts(_ tx: any SandboxTransaction) throws {
        for i in 0..<contactCount {
            let created = start - 20 * 86_400 + Int64(i / 2) * 600
            let modified = i % 6 == 0 ? created + 5 * 86_400 : created
            let isOrganization = i >= contactCount - organizations.count
            let title: String
            let identifier: String
            if i == 0 {
                (title, identifier) = ("Signer Signer", "60001019906")
            } else if i == 1 {
                (title, identifier) = ("Second Signer", "60001019914")
            } else if isOrganization {
                (title, identifier) = (
                    organizations[i - (contactCount - organizations.count)], "5\(510_000_000 + i * 7919)"
                )
            } else {
                title = firstNames[i % firstNames.count] + " " + lastNames[i % lastNames.count]
                identifier = String(format: "%02d%02d%02d%04d", 1 + i % 28, 1 + i % 12, 60 + i, 2000 + i * 37)
            }
            try put(
                tx, .contacts, i, created: created, modified: modified,
                [
                    "title": .string(title), "identifier": .string(identifier),
                    "dynatype": isOrganization ? CoreDataEmulator.organizationType : CoreDataEmulator.personType,
                    "emails": [
                        [
                            "email": .string(i == 0 ? "signer@example.is" : "contact\(i)@example.is"),
                            "label": "email_label:Work:",
                        ]
                    ],
                    "phones": [
                        ["label": "phone_label:Mobile:", "number": .string("+3547\(String(format: "%06d", 766 + i))")]
                    ],
                    "addresses": [], "urls": [], "role": "contact_role:customer:", "status": "contact_status:Active:",
                    "parent": i >= 2 && i < 6 ? .string(id(.contacts, contactCount - 1)) : nil,
                ])
        }
    }

    private static let projectKinds = ["Board meeting", "Contract", "Case", "Tender", "Audit"]

    /// Three projects per creation second; every 7th modified later.
    private static func projects(_ tx: any SandboxTransaction) throws {
        for i in 0..<projectCount {
            let space = i % spaceTitles.count
            let title = "\(projectKinds[i % projectKinds.count]) \(String(format: "%04d", i + 1))"
            let created = start + Int64(i / 3) * 3607
            let modified = i % 7 == 0 ? created + 3 * 86_400 : created
            var contacts: [JSONValue] = [.string(id(.contacts, 1 + i % (contactCount - 1)))]
            if i % 25 == 0 { contacts.insert(.string(sampleContactID), at: 0) }
            try put(
                tx, .projects, i, created: created, modified: modified,
                [
                    "title": .string(title), "space": .string(id(.spaces, space)),
                    "path": .string("/domain/spaces/Company/\(spaceTitles[space])/\(title)"),
                    "status": i % 4 == 3 ? "project_status:Closed:" : "project_status:Open:", "status_message": "",
                    "aspects": [:], "associated_contacts": .array(contacts), "due_date": nil, "related_projects": [],
                ])
        }
    }

    private static func projectPath(_ index: Int) -> String {
        let title = "\(projectKinds[index % projectKinds.count]) \(String(format: "%04d", index + 1))"
        return "/domain/spaces/Company/\(spaceTitles[index % spaceTitles.count])/\(title)"
    }

    /// "Documents" and "Correspondence" in each of the first 40 projects.
    private static func folders(_ tx: any SandboxTransaction) throws {
        for i in 0..<folderCount {
            let project = i / 2
            let title = i % 2 == 0 ? "Documents" : "Correspondence"
            let created = start + Int64(project / 3) * 3607 + 60
            try put(
                tx, .folders, i, created: created, modified: created,
                [
                    "title": .string(title), "parent": .string(id(.projects, project)),
                    "project": .string(id(.projects, project)),
                    "space": .string(id(.spaces, project % spaceTitles.count)),
                    "path": .string(projectPath(project) + "/" + title),
                ])
        }
    }

    /// Byte content of demo file `index`: text, or a small fake PDF.
    static func content(_ index: Int) -> (bytes: [UInt8], filename: String, type: String) {
        let number = String(format: "%03d", index + 1)
        if index % 5 == 0 {
            let pdf = "%PDF-1.4\n% Lunet sandbox demo document \(number)\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
            return (Array(pdf.utf8), "document-\(number).pdf", "application/pdf")
        }
        var text = "Lunet sandbox demo file \(number)\n"
        for line in 0..<(index * 7 % 60) { text += "line \(line) of file \(number)\n" }
        return (Array(text.utf8), "document-\(number).txt", "text/plain")
    }

    /// Files in folders (every 10th directly in a project); two per second.
    private static func files(_ tx: any SandboxTransaction) throws {
        for i in 0..<fileCount {
            let folder = i % folderCount
            let project = folder / 2
            let inProject = i % 10 == 9
            let parent = inProject ? id(.projects, project) : id(.folders, folder)
            let parentPath =
                projectPath(project) + (inProject ? "" : folder % 2 == 0 ? "/Documents" : "/Correspondence")
            let (bytes, filename, type) = content(i)
            let blob = "demo" + String(format: "%04d", i)
            try CoreDataBlobs.put(tx, blob, bytes, filename: filename, contentType: type)
            let created = start + 10 * 86_400 + Int64(i / 2) * 1800
            let modified = i % 4 == 0 ? created + 2 * 86_400 : created
            var contacts: [JSONValue] = [.string(id(.contacts, 1 + i % (contactCount - 1)))]
            if i % 50 == 0 { contacts.insert(.string(sampleContactID), at: 0) }
            try put(
                tx, .files, i, created: created, modified: modified,
                [
                    "title": .string("Document \(String(format: "%03d", i + 1))"), "filename": .string(filename),
                    "content_type": .string(type), "size": .integer(Int64(bytes.count)), "parent": .string(parent),
                    "project": .string(id(.projects, project)),
                    "space": .string(id(.spaces, project % spaceTitles.count)),
                    "associated_contacts": .array(contacts), "path": .string(parentPath + "/" + filename),
                    CoreDataObject.internalKey: ["blob": .string(blob)],
                ])
        }
    }

    private static func tasks(_ tx: any SandboxTransaction) throws {
        for i in 0..<taskCount {
            let project = i * 3 % projectCount
            let created = start + 20 * 86_400 + Int64(i) * 900
            let modified = i % 5 == 0 ? created + 86_400 : created
            var contacts: [JSONValue] = [.string(id(.contacts, 1 + i % (contactCount - 1)))]
            if i % 45 == 0 { contacts.insert(.string(sampleContactID), at: 0) }
            try put(
                tx, .tasks, i, created: created, modified: modified,
                [
                    "title": .string((i % 2 == 0 ? "Follow up " : "Review contract ") + String(format: "%03d", i + 1)),
                    "project": .string(id(.projects, project)), "assignee": "Administrator Administrator",
                    "status": i % 3 == 0 ? "task_status:Done:" : "task_status:Open:",
                    "due_date": .string(CoreDataTime.format(start + Int64(40 + i) * 86_400)),
                    "associated_contacts": .array(contacts),
                ])
        }
    }
}
