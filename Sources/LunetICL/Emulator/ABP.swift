import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// The ASP.NET Boilerplate wire conventions of iCL Portal: the envelope
/// around most results and around every error. Documented responses that are
/// bare (an item, a batch summary, a change page, a type definition) are sent
/// bare with `ABP.bare`.
enum ABP {
    static func envelope(_ result: JSONValue) -> Response {
        SandboxJSON.response([
            "result": result, "targetUrl": .null, "success": true, "error": .null,
            "unAuthorizedRequest": false, "__abp": true,
        ])
    }

    static func bare(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        SandboxJSON.response(value, status: status)
    }

    /// 200 with no body: the documented answer to DELETE.
    static func empty() -> Response {
        Response(status: .ok, headers: [.contentLength: "0"])
    }
}

/// One failure, answered as the ABP error envelope with its HTTP status.
struct ICLError: Error {
    struct Problem {
        var message: String
        var members: [String]
    }

    var status: HTTPResponse.Status
    var message: String
    var details: String?
    var validationErrors: [Problem]?
    var unauthorized = false

    /// ABP's wording for failed input validation, with one entry per problem.
    static func validation(_ problems: [Problem]) -> ICLError {
        let lines = problems.map { " - \($0.message)\r\n" }.joined()
        return ICLError(
            status: .badRequest, message: "Your request is not valid!",
            details: "The following errors were detected during validation.\r\n" + lines, validationErrors: problems)
    }

    static func validation(_ message: String, members: [String]) -> ICLError {
        validation([Problem(message: message, members: members)])
    }

    static func badRequest(_ message: String, details: String? = nil) -> ICLError {
        ICLError(status: .badRequest, message: message, details: details)
    }

    static func notFound(_ message: String) -> ICLError {
        ICLError(status: .notFound, message: message)
    }

    /// ABP's own message when the bearer token is missing, unknown or expired.
    static let unauthorized = ICLError(
        status: .unauthorized, message: "Current user did not login to the application!", unauthorized: true)

    var response: Response {
        let problems: JSONValue = validationErrors.map { list in
            .array(list.map { ["message": .string($0.message), "members": .array($0.members.map { .string($0) })] })
        } ?? .null
        let error: JSONValue = [
            "code": 0, "message": .string(message), "details": details.map { .string($0) } ?? .null,
            "validationErrors": problems,
        ]
        var headers = HTTPFields()
        if unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return SandboxJSON.response(
            [
                "result": .null, "targetUrl": .null, "success": false, "error": error,
                "unAuthorizedRequest": .bool(unauthorized), "__abp": true,
            ], status: status, headers: headers)
    }
}

/// Request parsing shared by the route files.
enum ICLRequest {
    /// Query parameters decoded the way ASP.NET does (`+` is a space).
    static func query(_ request: Request) -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in formFields(request.uri.query ?? "") where fields[name] == nil { fields[name] = value }
        return fields
    }

    static func formFields(_ text: String) -> [(String, String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func json(_ request: Request) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: 64 * 1024 * 1024)
        guard buffer.readableBytes > 0 else { throw ICLError.badRequest("The request body is empty; JSON was expected.") }
        do {
            return try JSONValue.parse(buffer.readableBytesView)
        } catch {
            throw ICLError.badRequest("The request body is not valid JSON: \(error)")
        }
    }

    /// "http://host:port" as the client addressed us, for `NextLink`.
    static func origin(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        return "http://\(host)"
    }

    /// A path segment decoded (Hummingbird hands parameters over still encoded).
    static func segment(_ context: SandboxContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }
}

/// .NET's round-trip time format with seven fractional digits, as the seed
/// shows ("2023-03-14T12:42:41.1951367Z").
enum ICLTime {
    static func string(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let ticks = Int(((seconds - whole) * 10_000_000).rounded(.down))
        // gmtime_r, not Calendar: a Calendar and TimeZone per request was a
        // measurable part of a small request's time.
        var clock = time_t(whole)
        var c = tm()
        gmtime_r(&clock, &c)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ", Int(c.tm_year) + 1900, Int(c.tm_mon) + 1, Int(c.tm_mday),
            Int(c.tm_hour), Int(c.tm_min), Int(c.tm_sec), min(ticks, 9_999_999))
    }
}
