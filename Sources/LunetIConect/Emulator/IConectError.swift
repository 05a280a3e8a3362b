import Hummingbird
import LunetJSON
import LunetSandbox

/// Every API failure, answered as the seed's `{"iconect_error": "message"}`
/// (plus `extra` members where a client needs more, e.g. the chunk an
/// upload expects next).
struct IConectError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var extra: JSONObject = [:]

    static func badRequest(_ message: String, _ extra: JSONObject = [:]) -> Self {
        Self(status: .badRequest, message: message, extra: extra)
    }
    static func notFound(_ message: String) -> Self { Self(status: .notFound, message: message) }
    static func unauthorized(_ message: String) -> Self { Self(status: .unauthorized, message: message) }
    static func forbidden(_ message: String) -> Self { Self(status: .forbidden, message: message) }
    static func unsupportedMediaType(_ message: String) -> Self {
        Self(status: .unsupportedMediaType, message: message)
    }

    /// "Project 7 was not found": the one wording of every 404.
    static func missing(_ kind: String, _ id: Int64) -> Self { .notFound("\(kind) \(id) was not found") }

    var response: Response {
        var body: JSONObject = ["iconect_error": .string(message)]
        for (key, value) in extra { body[key] = value }
        var headers = HTTPFields()
        if status == .unauthorized {
            headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\", error_description=\"\(message)\""
        }
        return SandboxJSON.response(.object(body), status: status, headers: headers)
    }
}

/// The success shapes of the seed.
enum Reply {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        SandboxJSON.response(value, status: status)
    }

    static func created(_ value: JSONValue) -> Response { json(value, status: .created) }

    /// `{"iconect_ok": message}`.
    static func ok(_ message: String, _ extra: JSONObject = [:]) -> Response {
        var body: JSONObject = ["iconect_ok": .string(message)]
        for (key, value) in extra { body[key] = value }
        return json(.object(body))
    }
}
