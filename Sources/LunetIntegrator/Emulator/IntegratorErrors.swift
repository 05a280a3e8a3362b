import Hummingbird
import LunetJSON
import LunetSandbox

/// A failure in integrator.io's envelope: `{"errors":[{code, message, field?}]}`.
/// 401 is the exception (a bare `{"message": …}`), built by `IntegratorAuth`.
struct IntegratorError: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var field: String?
    var headers: HTTPFields = [:]

    static func notFound(_ what: String, _ id: String) -> IntegratorError {
        IntegratorError(status: .notFound, code: "not_found", message: "\(what) '\(id)' was not found.")
    }

    /// A body that parses but breaks a rule (422).
    static func invalid(_ field: String, _ message: String, code: String = "invalid_field") -> IntegratorError {
        IntegratorError(status: .unprocessableContent, code: code, message: message, field: field)
    }

    static func missing(_ field: String) -> IntegratorError {
        invalid(field, "`\(field)` is required.", code: "missing_required_field")
    }

    static func badQuery(_ message: String, field: String? = nil, code: String = "invalid_query") -> IntegratorError {
        IntegratorError(status: .badRequest, code: code, message: message, field: field)
    }

    static func body(code: String, message: String, field: String? = nil) -> JSONValue {
        var error: JSONObject = ["code": .string(code), "message": .string(message)]
        if let field { error["field"] = .string(field) }
        return ["errors": [.object(error)]]
    }

    var response: Response {
        SandboxJSON.response(Self.body(code: code, message: message, field: field), status: status, headers: headers)
    }
}

extension IntegratorEmulator {
    /// Runs a route, answering errors in the API's envelope.
    static func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as IntegratorError {
            return error.response
        } catch let error as HTTPError {
            return IntegratorError(status: error.status, code: "bad_request", message: error.body ?? "\(error.status)")
                .response
        } catch {
            return IntegratorError(status: .internalServerError, code: "internal_error", message: "\(error)").response
        }
    }
}
