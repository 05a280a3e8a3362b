import LunetJSON
import LunetSandbox

/// The "demo" data set: a litigation-review shop. Deterministic, so tests
/// and examples can name ids. Loading it replaces all data, but not the
/// tokens or settings, so signed-in clients stay signed in.
///
/// - data servers 1–2; clients 1 (Acme Legal LLP), 2 (Globex Corporation)
/// - project 1 "Acme v. Globex – First Review" (client 1): 11 fields, 600
///   records, 3 panels with nested folders, file stores 1 (native uploads)
///   and 2 (S3), 4 jobs, view 1 (records 591–600), 2 native import templates,
///   a native file on record 1; it is the upload target
/// - project 2 "Globex Internal Investigation" (client 2): 30 records
/// - project 3 "Standard Review Template": a template (fields, panels, folders)
enum DemoData {
    static let recordCount = 600

    static func load(into tx: any SandboxTransaction) throws {
        // "p" covers "projects" and every project's "p{id}/" collections.
        for prefix in ["p", Coll.clients, Coll.dataservers, Coll.system] { try tx.removeAll(collectionPrefix: prefix) }
        for (name, type) in [("SQL-PRIMARY", Int64(0)), ("SQL-ARCHIVE", 0)] {
            let id = try tx.nextID(Coll.dataservers)
            try tx.put(Coll.dataservers, id, ["id": .integer(id), "name": .string(name), "type": .integer(type)])
        }
        for (name, description) in [
            ("Acme Legal LLP", "Outside counsel for Acme Corp."), ("Globex Corporation", "Corporate legal department"),
        ] {
            let id = try tx.nextID(Coll.clients)
            try tx.put(Coll.clients, id, ["id": .integer(id), "name": .string(name), "description": .string(description), "state": 0])
        }
        let review = try project(tx, "Acme v. Globex – First Review", "First-pass review of the Acme production", client: 1)
        let investigation = try project(tx, "Globex Internal Investigation", "Email review for the audit committee", client: 2)
        let template = try project(tx, "Standard Review Template", "Fields, panels and folders for new reviews", client: 0, template: true)
        for p in [review, investigation, template] {
            try fields(p, tx)
            try fileStores(p, withS3: p == review, tx)
        }
        for p in [review, template] { try panelsAndFolders(p, tx) }
        try records(review, count: recordCount, prefix: "ACME", tx)
        try records(investigation, count: 30, prefix: "GLBX", tx)
        try memberships(review, tx)
        try jobs(review, tx)
        try viewsAndTemplates(review, tx)
        try nativeFile(review, tx)
        try tx.put(Coll.system, id: "upload_target", ["project_id": .integer(review)])
    }

    private static func project(
        _ tx: any SandboxTransaction, _ name: String, _ description: String, client: Int64, template: Bool = false
    ) throws -> Int64 {
        let body: JSONObject = [
            "name": .string(name), "description": .string(description), "client_id": .integer(client), "type": 3,
        ]
        return try ProjectFactory.create(BodyFields(object: body), tx, isTemplate: template).int("id")
    }

    /// Field ids in every demo project.
    enum Field {
        static let id: Int64 = 1, docID: Int64 = 2, title: Int64 = 3, custodian: Int64 = 4, dateSent: Int64 = 5
        static let pageCount: Int64 = 6, amount: Int64 = 7, text: Int64 = 8, native: Int64 = 9, received: Int64 = 10
        static let reviewTime: Int64 = 11
    }

    private static func fields(_ p: Int64, _ tx: any SandboxTransaction) throws {
        let specs: [(String, Int64, JSONObject)] = [
            ("ID", FieldType.identity, [:]),
            ("DocID", FieldType.limitedText, ["length": 20]),
            ("Title", FieldType.limitedText, ["length": 255]),
            ("Custodian", FieldType.limitedText, ["length": 100]),
            ("Date Sent", FieldType.date, ["date_format": 4]),
            ("Page Count", FieldType.numeric, ["numeric_format": 1]),
            ("Amount", FieldType.currency, ["currency_format": 1, "decimal_places": 2]),
            ("Extracted Text", FieldType.fullText, [:]),
            ("Native", FieldType.nativeFile, [:]),
            ("Received", FieldType.dateTime, ["date_format": 6, "time_format": 2]),
            ("Review Time", FieldType.duration, ["duration_format": 1]),
        ]
        for (name, type, extra) in specs {
            var body: JSONObject = ["name": .string(name), "type": .integer(type)]
            for (key, value) in extra { body[key] = value }
            var field = try IConectEmulator.fieldProperties(BodyFields(object: body), existing: nil)
            let id = try tx.nextID(Coll.fields(p))
            field["id"] = .integer(id)
            field["created_by_id"] = 1
            field["created_date"] = "2024-01-15T09:00:00Z"
            try tx.put(Coll.fields(p), id, field)
        }
    }

    private static func fileStores(_ p: Int64, withS3: Bool, _ tx: any SandboxTransaction) throws {
        var stores: [JSONObject] = [[
            "name": "Native Uploads", "retention_days": 0, "type": .integer(FileStoreKind.local),
            "local_config": ["path": .string("\\\\fs01\\natives\\project\(p)")], "credential_id": 0,
            "set_file_store_areas": 0, "management_type": .integer(FileStoreKind.nativeFileUpload),
            "description": "Where uploaded native files are kept",
        ]]
        if withS3 {
            stores.append([
                "name": "S3 Evidence Bucket", "retention_days": 90, "type": .integer(FileStoreKind.amazonS3),
                "local_config": [:], "credential_id": 7, "set_file_store_areas": 0,
                "management_type": .integer(FileStoreKind.general), "description": "s3://acme-evidence (us-east-1)",
            ])
        }
        for var store in stores {
            let id = try tx.nextID(Coll.filestores(p))
            store["id"] = .integer(id)
            store["created_date"] = "2024-01-15T09:00:00Z"
            store["modified_date"] = "2024-02-01T12:30:00Z"
            try tx.put(Coll.filestores(p), id, store)
        }
    }

    private static func panelsAndFolders(_ p: Int64, _ tx: any SandboxTransaction) throws {
        let panels: [(String, Int64, JSONObject)] = [
            ("Review", 0, [:]), ("Issues", 0, [:]),
            ("Related Documents", 1, ["related_field_id": .integer(Field.docID), "relationship": "Family"]),
        ]
        for (location, (name, type, settings)) in panels.enumerated() {
            let id = try tx.nextID(Coll.panels(p))
            try tx.put(
                Coll.panels(p), id,
                ["id": .integer(id), "name": .string(name), "type": .integer(type), "location": .integer(Int64(location)),
                 "custom_related_settings": .object(settings)])
        }
        // (name, panel, parent): ids 1–7 in this order.
        let folders: [(String, Int64, Int64)] = [
            ("First Pass", 1, 0), ("Responsive", 1, 1), ("Non-Responsive", 1, 1), ("Hot", 1, 2),
            ("Second Pass", 1, 0), ("Privileged", 2, 0), ("Confidential", 2, 0),
        ]
        for (order, (name, panel, parent)) in folders.enumerated() {
            var folder = try IConectEmulator.folderProperties(
                BodyFields(object: ["name": .string(name)]), existing: nil, panel: panel, folders: [])
            let id = try tx.nextID(Coll.folders(p))
            folder["id"] = .integer(id)
            folder["parent_id"] = .integer(parent)
            folder["created_by"] = "sandbox"
            folder["folder_order"] = .integer(Int64(order + 1))
            try tx.put(Coll.folders(p), id, folder)
        }
    }

    private static let titles = [
        "Re: Q3 supply agreement", "Invoice dispute – widget order", "Board minutes (draft)", "Fwd: pricing sheet",
        "Meeting notes: Globex call", "Termination notice", "Shipping manifest", "Re: Re: contract redlines",
    ]
    private static let custodians = ["Alice Moreno", "Brian Tse", "Carla Novak", "Dev Patel", "Erin O'Neill"]

    private static func records(_ p: Int64, count: Int, prefix: String, _ tx: any SandboxTransaction) throws {
        for i in 1...count {
            let id = try tx.nextID(Coll.records(p))
            let month = i % 12 + 1, day = i % 28 + 1, pages = Int64(i * 7 % 40 + 1)
            let text = "\(titles[i % titles.count]). " + String(repeating: "Lorem ipsum dolor sit amet, document \(i). ", count: i % 5 + 1)
            let data: JSONObject = [
                String(Field.id): .integer(id),
                String(Field.docID): .string(prefix + String(repeating: "0", count: 6 - String(i).count) + String(i)),
                String(Field.title): .string(titles[i % titles.count]),
                String(Field.custodian): .string(custodians[i % custodians.count]),
                String(Field.dateSent): .string(String(format: "%02d/%02d/2019", month, day)),
                String(Field.pageCount): .integer(pages),
                String(Field.amount): .double(Double(i * 1375 % 100_000) / 100),
                String(Field.text): .string(text),
                String(Field.native): .null,
                String(Field.received): .string(String(format: "2019-%02d-%02d %02d:%02d:00", month, day, i % 24, i % 60)),
                String(Field.reviewTime): .string(String(format: "0.00:%02d:%02d", i % 15, i % 60)),
            ]
            try tx.put(Coll.records(p), id, ["id": .integer(id), "version": 1, "field_data": .object(data)])
        }
    }

    private static func memberships(_ p: Int64, _ tx: any SandboxTransaction) throws {
        let filing: [(Int64, ClosedRange<Int64>)] = [(2, 1...40), (3, 41...60), (4, 1...10), (6, 1...5), (7, 3...8)]
        for (folder, records) in filing {
            for r in records {
                try tx.put(Coll.folderRecords(p, folder), r, [:])
                try tx.put(Coll.recordFolders(p, r), folder, [:])
            }
        }
    }

    private static func jobs(_ p: Int64, _ tx: any SandboxTransaction) throws {
        let jobs: [(Int64, String, Int64, String, JSONObject)] = [
            (50007, "Load volume ACME001", JobStatus.completed, "Completed", ["delimiter": ",", "filestore_id": 1]),
            (50006, "Purge duplicates", JobStatus.notStarted, "Not started", ["view_id": 1]),
            (50035, "Natives batch 1", JobStatus.completedWithErrors, "Completed with errors: 2 file(s) could not be imported",
             ["template_id": 1, "filestore_id": 1]),
            (50020, "Extract production zip", JobStatus.notStarted, "Not started", ["filestore_id": 1, "path": "prod001.zip"]),
        ]
        for (type, name, status, message, details) in jobs {
            let id = try tx.nextID(Coll.jobs(p))
            let ran = status != JobStatus.notStarted
            try tx.put(
                Coll.jobs(p), id,
                [
                    "id": .integer(id), "type": .integer(type), "name": .string(name), "description": "",
                    "created_date": "2024-02-01T08:00:00Z", "last_run_utc": ran ? "2024-02-01T08:05:00Z" : .null,
                    "status_message": .string(message), "created_user_id": 1, "status": .integer(status),
                    "state": .integer(JobState.stopped), "project_id": .integer(p),
                    "last_stop_utc": ran ? "2024-02-01T08:20:00Z" : .null, "details": .object(details), "results": .null,
                ])
        }
    }

    private static func viewsAndTemplates(_ p: Int64, _ tx: any SandboxTransaction) throws {
        let view = try tx.nextID(Coll.views(p))
        try tx.put(
            Coll.views(p), view,
            [
                "name": "Duplicates to purge", "description": "Records 591–600", "LID": .integer(view), "id": .integer(view),
                "expiry_date": .null, "record_ids": .array((591...600).map { .integer($0) }),
            ])
        for (name, description) in [
            ("Standard Native Import", "Natives with extracted text and metadata"),
            ("Email Native Import", "PST/MSG email natives with family relationships"),
        ] {
            let id = try tx.nextID(Coll.templates(p))
            try tx.put(
                Coll.templates(p), id,
                ["id": .integer(id), "name": .string(name), "description": .string(description), "type": 7,
                 "created_date": "2024-01-20T10:00:00Z"])
        }
    }

    /// Record 1's native file, uploaded in two chunks like any other.
    static let nativeFileText = "MEMO\nFrom: Alice Moreno\nTo: Brian Tse\nRe: Q3 supply agreement\n\nPlease review the attached terms.\n"

    private static func nativeFile(_ p: Int64, _ tx: any SandboxTransaction) throws {
        let bytes = Array(nativeFileText.utf8)
        let half = bytes.count / 2
        for (index, slice) in [(Int64(1), bytes[..<half]), (2, bytes[half...])] {
            let part = UploadedPart(filename: "memo-0001.txt", contentType: "text/plain", bytes: Array(slice))
            _ = try ChunkedUpload.accept(part, index: index, count: 2, target: NativeFiles.target(1, Field.native), project: p, tx)
        }
        try NativeFiles.setValue("memo-0001.txt", p, 1, Field.native, tx)
    }
}
