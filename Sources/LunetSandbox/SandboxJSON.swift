import Hummingbird
import LunetJSON

/// JSON in and out of sandbox routes, with `JSONValue` (key order kept, so
/// what an emulator writes is what the client reads).
public enum SandboxJSON {
    public static let contentType = "application/json; charset=utf-8"

    public static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        response(bytes: value.serialized(), status: status, headers: headers)
    }

    /// An answer whose body is JSON already written as bytes.
    public static func response(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"error": message}`, the sandbox's own error shape.
    public static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        response(["error": .string(message)], status: status)
    }

    /// The request body as JSON; 400 when it is not JSON, 413 when larger than `limit`.
    public static func body(of request: Request, limit: Int = 16 * 1024 * 1024) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: limit)
        do {
            return try JSONValue.parse(buffer.readableBytesView)
        } catch {
            throw HTTPError(.badRequest, message: "request body is not JSON: \(error)")
        }
    }
}
