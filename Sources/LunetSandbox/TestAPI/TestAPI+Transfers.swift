import Foundation
import Hummingbird
import LunetJSON

/// Uploads, downloads and the storage endpoint behind a redirect.
extension TestAPI {
    func registerTransfers(on group: RouterGroup<SandboxContext>) {
        group.get("storage/:name") { request, context in
            Self.storage(request, name: context.parameters.get("name") ?? "")
        }
        group.get("download/:size") { request, context in
            Self.download(size: Int(context.parameters.get("size") ?? "") ?? 0, delay: Self.int(request, "delay_ms"))
        }
        for method in [HTTPRequest.Method.post, .put] {
            group.on("upload", method: method) { request, _ in try await Self.upload(request) }
        }
    }

    /// Like a storage service behind CoreData's 302: a request carrying
    /// credentials is refused, since they were meant for the API only.
    static func storage(_ request: Request, name: String) -> Response {
        if request.headers[.authorization] != nil {
            return json(["error": "storage refuses requests with an Authorization header"], status: 400)
        }
        if let size = int(request, "size") { return download(size: size, delay: nil) }
        return json(["name": .string(name), "stored": true])
    }

    /// Byte `i` of every download, so a test can check any range.
    public static func downloadByte(_ i: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: i &* 31 &+ i / 256 &+ 7)
    }

    static func download(size: Int, delay: Int?) -> Response {
        let size = max(0, size)
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentLength] = String(size)
        let body = ResponseBody(contentLength: size) { writer in
            var offset = 0
            while offset < size {
                let count = min(64 * 1024, size - offset)
                var buffer = ByteBuffer()
                buffer.reserveCapacity(count)
                for i in offset..<offset + count { buffer.writeInteger(downloadByte(i)) }
                try await writer.write(buffer)
                offset += count
                if let delay { try await Task.sleep(for: .milliseconds(delay)) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Multipart upload, read as it streams: for each part its name,
    /// filename, content type, size and SHA-256; plus the query (chunk index
    /// and count for chunked uploads).
    static func upload(_ request: Request) async throws -> Response {
        guard let type = header(request, "Content-Type"), let boundary = MultipartScanner.boundary(from: type) else {
            return json(["error": "expected multipart/form-data with a boundary"], status: 415)
        }
        var scanner = MultipartScanner(boundary: boundary)
        var total = 0
        for try await buffer in request.body {
            total += buffer.readableBytes
            buffer.withUnsafeReadableBytes { scanner.feed($0) }
        }
        if let problem = scanner.malformed { return json(["error": .string("malformed multipart: \(problem)")], status: 400) }
        guard scanner.isComplete else { return json(["error": "multipart body ended before its closing delimiter"], status: 400) }
        let parts = scanner.parts.map { part -> JSONValue in
            var o: JSONObject = ["size": .integer(Int64(part.size)), "sha256": .string(part.sha256)]
            if let v = part.name { o["name"] = .string(v) }
            if let v = part.filename { o["filename"] = .string(v) }
            if let v = part.contentType { o["content_type"] = .string(v) }
            return .object(o)
        }
        var query = JSONObject()
        for (name, value) in Self.query(request) { query[name] = .string(value) }
        return json(["parts": .array(parts), "total_bytes": .integer(Int64(total)), "query": .object(query)])
    }
}
