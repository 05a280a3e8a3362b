import Hummingbird
import LunetJSON
import LunetSandbox

/// `POST /api/v3/files/`: multipart with `filename`, `title`, `content` (the
/// file) and exactly one parent id (`project`, `folder` or `filespace`).
/// The content goes to the store chunk by chunk while the body streams in;
/// if the request turns out invalid the chunks are deleted again.
extension CoreDataEmulator {
    static let uploadParents: [(field: String, resource: CoreDataResource)] = [
        ("project", .projects), ("folder", .folders), ("filespace", .spaces),
    ]

    static func upload(_ request: Request, _ store: any SandboxStore) async throws -> Response {
        try CoreDataAuth.check(request, allowKeyOnly: true)
        guard let type = request.headers[.contentType], let boundary = CoreDataMultipart.boundary(from: type)
        else { throw CoreDataError.badRequest("Expected a multipart/form-data body with a boundary.") }
        var writer: CoreDataBlobWriter?
        do {
            let form = try await readForm(request, boundary: boundary, store: store) { writer = $0 }
            guard let content = writer else { throw CoreDataError.badRequest("content: This field is required.") }
            let file = try await store.write { tx in try Self.createFile(tx, form: form, content: content) }
            return Self.created(.files, file)
        } catch {
            if let writer { await CoreDataBlobs.delete(store, writer.blob, chunks: writer.chunks) }
            throw error
        }
    }

    struct UploadForm: Sendable {
        var fields: [String: String] = [:]
        var contentType = "application/octet-stream"
        var contentFilename: String?
    }

    /// Reads the body: text fields into the form, the `content` part into a
    /// blob writer (handed to `keep` as soon as it exists, so a failure
    /// part-way can still delete what was written).
    private static func readForm(
        _ request: Request, boundary: String, store: any SandboxStore, keep: (CoreDataBlobWriter) -> Void
    ) async throws -> UploadForm {
        var parser = CoreDataMultipart(boundary: boundary)
        var form = UploadForm()
        var writer: CoreDataBlobWriter?
        var current: CoreDataMultipart.Part?
        var text: [UInt8] = []
        var total = 0
        for try await buffer in request.body {
            total += buffer.readableBytes
            if total > maximumUpload {
                throw CoreDataError(
                    status: .init(code: 413), message: "The upload is larger than \(maximumUpload) bytes.")
            }
            for event in parser.feed(buffer.readableBytesView) {
                switch event {
                case .begin(let part):
                    current = part
                    text = []
                    if part.name == "content" {
                        guard writer == nil else { throw CoreDataError.badRequest("content: Send one file only.") }
                        writer = CoreDataBlobWriter(store: store)
                        form.contentType = part.contentType ?? form.contentType
                        form.contentFilename = part.filename
                    }
                case .bytes(let bytes):
                    if current?.name == "content" {
                        try await writer!.append(bytes)
                        keep(writer!)
                    } else if text.count + bytes.count <= 64 * 1024 {
                        text += bytes
                    } else {
                        throw CoreDataError.badRequest("\(current?.name ?? "field"): Value too long.")
                    }
                case .end:
                    if current?.name == "content" {
                        try await writer!.finish()
                        keep(writer!)
                    } else if let name = current?.name {
                        form.fields[name] = String(decoding: text, as: UTF8.self)
                    }
                    current = nil
                }
            }
        }
        if let problem = parser.malformed { throw CoreDataError.badRequest("Malformed multipart body: \(problem).") }
        guard parser.isComplete else {
            throw CoreDataError.badRequest("The multipart body ended before its closing delimiter.")
        }
        return form
    }

    static func createFile(_ tx: any SandboxTransaction, form: UploadForm, content: CoreDataBlobWriter) throws
        -> JSONObject
    {
        func value(_ name: String) -> String? {
            form.fields[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        guard let filename = value("filename") else {
            throw CoreDataError.badRequest("filename: This field is required.")
        }
        let given = uploadParents.filter { value($0.field) != nil }
        guard given.count == 1, let parentKind = given.first else {
            throw CoreDataError.badRequest("Exactly one of the parent fields project, folder or filespace is required.")
        }
        let body = CoreDataBody(fields: [parentKind.field: .string(value(parentKind.field)!)], tx: tx)
        let parent = try body.reference(parentKind.field, parentKind.resource)!
        let project: JSONValue = parentKind.resource == .projects ? parent["id"]! : parent["project"] ?? .null
        let space: JSONValue = parentKind.resource == .spaces ? parent["id"]! : parent["space"] ?? .null
        let fields: JSONObject = [
            "title": .string(value("title") ?? filename), "filename": .string(filename),
            "content_type": .string(form.contentType), "size": .integer(Int64(content.size)),
            "parent": parent["id"]!, "project": project, "space": space, "associated_contacts": [],
            "path": .string((parent["path"]?.string ?? "") + "/" + filename),
            CoreDataObject.internalKey: ["blob": .string(content.blob)],
        ]
        let file = CoreDataObjects.make(.files, id: CoreDataIDs.random(), at: try CoreDataSettings.now(tx), fields)
        try CoreDataObjects.save(tx, .files, file)
        try tx.put(
            CoreDataBlobs.meta, id: content.blob,
            CoreDataBlobs.describe(
                size: content.size, chunks: content.chunks, filename: filename, contentType: form.contentType))
        return file
    }
}
