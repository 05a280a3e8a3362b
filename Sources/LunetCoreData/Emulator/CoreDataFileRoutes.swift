import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// File content: the 302 to a signed, time-limited storage link; the storage
/// endpoint behind it (S3-like: refuses the API's credentials); and the v3
/// multipart upload.
extension CoreDataEmulator {
    static let storagePath = "/coredata/storage/laika/"
    static let maximumUpload = 1 << 30

    func registerFiles(on api: RouterGroup<SandboxContext>) {
        let store = self.store
        api.get("v2/files/:id/content") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                try CoreDataAuth.check(request)
                let location = try await store.write { tx in
                    let file = try CoreDataObjects.require(tx, .files, id)
                    let blob = file[CoreDataObject.internalKey]?["blob"]?.string ?? ""
                    let expires = try CoreDataSettings.now(tx) + CoreDataSettings.linkLifetime(tx)
                    let signature = SandboxSigning.hmac(
                        key: try CoreDataSettings.secret(tx), Self.signed(blob, expires))
                    return Self.storagePath + blob
                        + "?AWSAccessKeyId=lunet-sandbox&Expires=\(expires)&Signature=\(signature)"
                }
                // Absolute, as the service's pre-signed URLs are.
                let host = request.head.authority
                let target = host.map { "http://\($0)" + location } ?? location
                return Response(status: .found, headers: [.location: target, .contentLength: "0"])
            }
        }
        api.post("v3/files") { request, _ in
            await Self.answer { try await Self.upload(request, store) }
        }
    }

    func registerStorage(on group: RouterGroup<SandboxContext>) {
        let store = self.store
        group.get("storage/laika/:blob") { request, context in
            let blob = try context.parameters.require("blob")
            return try await Self.storage(request, blob, store)
        }
    }

    private static func signed(_ blob: String, _ expires: Int64) -> String { "GET\n\(blob)\n\(expires)" }

    /// S3's answers: 400 when the request also carries an Authorization
    /// header, 403 for a wrong signature or an expired link, XML bodies.
    static func storage(_ request: Request, _ blob: String, _ store: any SandboxStore) async throws -> Response {
        if request.headers[.authorization] != nil {
            return s3Error(
                .badRequest, "InvalidArgument",
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                    + "Signature query string parameter or the Authorization header should be specified")
        }
        let query = Dictionary(CoreDataHTTP.query(request).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let verdict = try await store.read { tx -> (JSONValue?, String?) in
            guard let expires = query["Expires"].flatMap({ Int64($0) }), let signature = query["Signature"],
                let key = try tx.get(CoreDataSettings.collection, id: "secret")?["key"]?.string,
                SandboxSigning.same(signature, SandboxSigning.hmac(key: Array(key.utf8), signed(blob, expires)))
            else { return (nil, "SignatureDoesNotMatch") }
            if try CoreDataSettings.now(tx) > expires { return (nil, "AccessDenied") }
            return (try tx.get(CoreDataBlobs.meta, id: blob), nil)
        }
        switch verdict {
        case (_, "SignatureDoesNotMatch"?):
            return s3Error(
                .forbidden, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.")
        case (_, _?):
            return s3Error(.forbidden, "AccessDenied", "Request has expired")
        case (nil, nil):
            return s3Error(.notFound, "NoSuchKey", "The specified key does not exist.")
        case (let meta?, nil):
            let size = Int(meta["size"]?.integer ?? 0)
            let filename = meta["filename"]?.string ?? blob
            let headers: HTTPFields = [
                .contentType: meta["content_type"]?.string ?? "application/octet-stream",
                .contentLength: String(size),
                .contentDisposition: contentDisposition(filename),
            ]
            let body = CoreDataBlobs.body(store, blob, size: size, chunks: Int(meta["chunks"]?.integer ?? 0))
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    static func contentDisposition(_ filename: String) -> String {
        let ascii = String(filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    static func s3Error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message></Error>"
        return Response(
            status: status, headers: [.contentType: "application/xml", .contentLength: String(xml.utf8.count)],
            body: ResponseBody(byteBuffer: ByteBuffer(string: xml)))
    }
}
