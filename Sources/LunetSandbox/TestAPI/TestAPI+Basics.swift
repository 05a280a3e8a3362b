import Foundation
import HTTPTypes
import Hummingbird
import LunetJSON

/// Echo, statuses in every API's error shape, flaky, slow, gzip, redirects.
extension TestAPI {
    func registerBasics(on group: RouterGroup<SandboxContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            group.on("echo", method: method) { request, _ in try await Self.echo(request) }
        }
        group.get("status/:code") { request, context in
            let code = Int(context.parameters.get("code") ?? "") ?? 500
            return Self.status(code, request: request)
        }
        group.post("status/:code") { request, context in
            _ = try await request.body.collect(upTo: 1 << 24)
            return Self.status(Int(context.parameters.get("code") ?? "") ?? 500, request: request)
        }
        for method in [HTTPRequest.Method.get, .post, .put, .delete] {
            group.on("flaky", method: method) { [state] request, _ in
                _ = try await request.body.collect(upTo: 1 << 24)
                let key = Self.query(request, "key") ?? "default"
                let attempt = state.nextAttempt(key)
                if attempt <= Self.int(request, "fail") ?? 1 { return Self.status(Self.int(request, "status") ?? 503, request: request) }
                return Self.json(["key": .string(key), "attempt": .integer(Int64(attempt))])
            }
            group.on("slow", method: method) { request, _ in
                let ms = Self.int(request, "ms") ?? 1000
                try await Task.sleep(for: .milliseconds(ms))
                return Self.json(["slept_ms": .integer(Int64(ms))])
            }
        }
        group.get("gzip") { request, _ in Self.compressed(request) }
        for method in [HTTPRequest.Method.get, .post] {
            group.on("redirect", method: method) { request, _ in
                _ = try await request.body.collect(upTo: 1 << 24)
                guard let target = Self.query(request, "to") else { return Self.json(["error": "missing ?to="], status: 400) }
                var headers = HTTPFields()
                headers[.location] = target
                return Self.json(["location": .string(target)], status: Self.int(request, "status") ?? 302, headers: headers)
            }
        }
    }

    static func echo(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        let bytes = Array(body.readableBytesView)
        var query = JSONObject()
        for (name, value) in Self.query(request) {
            switch query[name] {
            case nil: query[name] = .string(value)
            case .array(let list)?: query[name] = .array(list + [.string(value)])
            case let single?: query[name] = .array([single, .string(value)])
            }
        }
        var headers = JSONObject()
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = .string(headers[name]?.string.map { $0 + ", " + field.value } ?? field.value)
        }
        var out: JSONObject = [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path), "query": .object(query),
            "headers": .object(headers), "body_size": .integer(Int64(bytes.count)),
        ]
        if let text = String(bytes: bytes, encoding: .utf8) { out["body"] = .string(text) }
        if let json = try? JSONValue.parse(bytes) { out["json"] = json }
        return json(.object(out))
    }

    /// `status` with a body in the shape `?shape=` names (abp, iconect,
    /// integrator, integrator401, coredata, oauth, text, empty); default
    /// `{"status", "message"}`. `?retry_after=` adds the header as given.
    static func status(_ code: Int, request: Request) -> Response {
        let message = query(request, "message") ?? "status \(code) as requested"
        var headers = HTTPFields()
        if let after = query(request, "retry_after") { headers[.retryAfter] = after }
        if let id = query(request, "request_id") { headers[HTTPField.Name("X-Request-Id")!] = id }
        let body: JSONValue
        switch query(request, "shape") {
        case "abp":
            body = [
                "result": nil, "success": false, "unAuthorizedRequest": false, "__abp": true,
                "error": [
                    "code": 0, "message": "Your request is not valid!",
                    "details": "The following errors were detected during validation.",
                    "validationErrors": [["message": .string(message), "members": ["strasse"]]],
                ],
            ]
        case "iconect": body = ["iconect_error": .string(message)]
        case "integrator": body = ["errors": [["code": "invalid_ref", "message": .string(message), "field": "_connectionId"]]]
        case "integrator401": body = ["message": .string(message)]
        case "coredata": body = ["error": .string(message)]
        case "oauth": body = ["error": "invalid_grant", "error_description": .string(message)]
        case "text":
            var h = headers
            h[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .init(code: code), headers: h, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
        case "empty":
            return Response(status: .init(code: code), headers: headers)
        default: body = ["status": .integer(Int64(code)), "message": .string(message)]
        }
        return json(body, status: code, headers: headers)
    }

    /// JSON records compressed with what the client accepts: gzip, else
    /// deflate (zlib), else none. `?items=` sets the size.
    static func compressed(_ request: Request) -> Response {
        let count = int(request, "items") ?? 200
        let items = (0..<count).map { i -> JSONValue in
            ["id": .integer(Int64(i)), "name": .string("item \(i)"), "description": "the same words again and again"]
        }
        let raw = JSONValue.object(["items": .array(items)]).serialized()
        let accepted = (header(request, "Accept-Encoding") ?? "").lowercased()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.vary] = "Accept-Encoding"
        headers[HTTPField.Name("X-Uncompressed-Length")!] = String(raw.count)
        var body = raw
        if accepted.contains("gzip") {
            body = Compression.gzip(raw)
            headers[.contentEncoding] = "gzip"
        } else if accepted.contains("deflate") {
            body = Compression.zlib(raw)
            headers[.contentEncoding] = "deflate"
        }
        headers[.contentLength] = String(body.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
