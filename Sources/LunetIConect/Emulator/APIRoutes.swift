import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// Registers API operations by their name in `IConectRoutes.table`, each
/// behind the bearer-token check and the one error shape.
struct APIRoutes {
    let emulator: IConectEmulator
    let group: RouterGroup<SandboxContext>

    func on(_ name: String, _ handler: @escaping @Sendable (APICall) async throws -> Response) {
        guard let route = IConectRoutes.table[name] else { preconditionFailure("no iCONECT route named \(name)") }
        let path = IConectRoutes.sandboxAPIBase + route.path
        let emulator = self.emulator
        group.on(Self.routerPath(path), method: HTTPRequest.Method(route.method)!) { request, context in
            await emulator.serveAPI(request, context, handler)
        }
    }

    /// Paths no operation has still answer in the API's shape, so a client
    /// on a wrong route table sees an `iconect_error` naming the path.
    func registerFallback() {
        let base = RouterPath(String(IConectRoutes.sandboxAPIBase.dropFirst()) + "/**")
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            group.on(base, method: method) { request, _ in
                IConectError.notFound("No API operation at \(request.method.rawValue) \(request.uri.path)").response
            }
        }
    }

    /// "/api/v1/clients/{client_id}" → "api/v1/clients/:client_id"
    static func routerPath(_ template: String) -> RouterPath {
        let components = template.split(separator: "/").map { part -> String in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }
        return RouterPath(components.joined(separator: "/"))
    }
}

extension IConectEmulator {
    func serveAPI(
        _ request: Request, _ context: SandboxContext, _ handler: @Sendable (APICall) async throws -> Response
    ) async -> Response {
        do {
            let user = try await authenticate(request)
            if user.readOnly && request.method != .get {
                throw IConectError.forbidden("The user '\(user.username)' has read-only access to the API")
            }
            let call = APICall(
                request: request, parameters: context.parameters, user: user,
                query: Query(request.uri.query), store: store)
            return try await handler(call)
        } catch let error as IConectError {
            return error.response
        } catch {
            return IConectError(status: .internalServerError, message: "Internal server error: \(error)").response
        }
    }
}

/// One API request, authenticated.
struct APICall: Sendable {
    let request: Request
    let parameters: Parameters
    let user: SandboxUser
    let query: Query
    let store: any SandboxStore

    /// A path parameter as an integer id: ASP.NET's 400 wording when it is not one.
    func id(_ name: String) throws -> Int64 {
        let text = parameters.get(name) ?? ""
        guard let value = Int64(text) else { throw IConectError.badRequest("The value '\(text)' is not valid for \(name).") }
        return value
    }

    /// The JSON body; 415 for another media type, 400 when absent or not JSON.
    func body() async throws -> JSONValue {
        guard let value = try await optionalBody() else { throw IConectError.badRequest("A non-empty request body is required.") }
        return value
    }

    /// The JSON body, or nil when the request has none.
    func optionalBody() async throws -> JSONValue? {
        let buffer = try await request.body.collect(upTo: 64 * 1024 * 1024)
        guard buffer.readableBytes > 0 else { return nil }
        let type = request.headers[.contentType] ?? ""
        let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/json" || mediaType?.hasSuffix("+json") == true else {
            throw IConectError.unsupportedMediaType(
                "Unsupported media type '\(type)': send application/json")
        }
        do {
            return try JSONValue.parse(buffer.readableBytesView)
        } catch {
            throw IConectError.badRequest("The request body is not valid JSON: \(error)")
        }
    }

    /// The body as a JSON object (400 otherwise).
    func object() async throws -> JSONObject {
        guard let object = try await body().object else { throw IConectError.badRequest("The request body must be a JSON object.") }
        return object
    }
}

/// Query parameters as ASP.NET binds them: arrays as repeated names
/// (`field_ids=1&field_ids=2`) or, as the seed describes, comma-separated.
struct Query: Sendable {
    let pairs: [(String, String)]

    init(_ raw: String?) {
        pairs = (raw ?? "").split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    func string(_ name: String) -> String? {
        pairs.last { $0.0.lowercased() == name }?.1
    }

    func int(_ name: String) throws -> Int64? {
        guard let text = string(name), !text.isEmpty else { return nil }
        guard let value = Int64(text) else { throw IConectError.badRequest("The value '\(text)' is not valid for \(name).") }
        return value
    }

    func ints(_ name: String) throws -> [Int64]? {
        let texts = pairs.filter { $0.0.lowercased() == name || $0.0.lowercased() == name + "[]" }.map(\.1)
        guard !texts.isEmpty else { return nil }
        var values: [Int64] = []
        for text in texts {
            for piece in text.split(separator: ",") {
                let trimmed = piece.trimmingCharacters(in: .whitespaces)
                guard let value = Int64(trimmed) else {
                    throw IConectError.badRequest("The value '\(trimmed)' is not valid for \(name).")
                }
                values.append(value)
            }
        }
        return values
    }

    func bool(_ name: String) throws -> Bool? {
        guard let text = string(name)?.lowercased(), !text.isEmpty else { return nil }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw IConectError.badRequest("The value '\(text)' is not valid for \(name).")
        }
    }
}
