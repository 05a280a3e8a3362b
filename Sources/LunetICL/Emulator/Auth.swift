import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// Who a bearer token belongs to: creator and modifier of what it writes.
struct Caller: Sendable {
    var userId: Int64
}

/// The portal's users, fixed: the one the seed shows, and the service user of
/// the client-credentials flow.
enum ICLUsers {
    static let interactive: (id: Int64, name: String) = (2, "Antoine Gadget")
    static let service: (id: Int64, name: String) = (3, "Lunet Sandbox Service")

    static func name(_ id: Int64?) -> JSONValue {
        switch id {
        case interactive.id?: .string(interactive.name)
        case service.id?: .string(service.name)
        default: .null
        }
    }
}

/// `POST /token` (OWIN style: form in, `{access_token, token_type, expires_in}`
/// out, OAuth errors as `{error, error_description}` with 400), bearer checks
/// for `/api`, and two sandbox controls to exercise expiry and renewal.
/// Tokens and the lifetime live in the store, so they survive `--data` restarts.
struct ICLAuth: Sendable {
    let store: any SandboxStore

    static let defaultLifetime: Int64 = 600
    private static let tokens = "tokens"
    private static let settings = "settings"

    func register(on group: RouterGroup<SandboxContext>) {
        group.post(RouterPath(String(ICLRoutes.table["token"]!.path.dropFirst()))) { request, _ in try await token(request) }
        // Sandbox controls (not part of iCL): new tokens' lifetime, and revoking
        // every token now, so clients can be tested against expiry mid-run.
        group.put("_sandbox/token-lifetime") { request, _ in
            let seconds: Int64
            do {
                guard let value = try await ICLRequest.json(request)["seconds"]?.integer, value > 0 else {
                    return SandboxJSON.error("body must be {\"seconds\": N} with N > 0", status: .badRequest)
                }
                seconds = value
            } catch let error as ICLError {
                return error.response
            }
            try await store.put(Self.settings, id: "auth", ["expiresIn": .integer(seconds)])
            return SandboxJSON.response(["seconds": .integer(seconds)])
        }
        group.post("_sandbox/revoke-tokens") { _, _ in
            let revoked = try await store.write { tx in
                let all = try tx.scan(Self.tokens, after: nil, limit: nil)
                for document in all { try tx.delete(Self.tokens, id: document.id) }
                return all.count
            }
            return SandboxJSON.response(["revoked": .integer(Int64(revoked))])
        }
    }

    /// The caller of an `/api` request, or the ABP 401.
    func authenticate(_ request: Request) async throws -> Caller {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw ICLError.unauthorized
        }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, let grant = try await store.get(Self.tokens, id: token),
            let user = grant["user"]?.integer, let expires = grant["expires"]?.double,
            expires > Date().timeIntervalSince1970
        else { throw ICLError.unauthorized }
        return Caller(userId: user)
    }

    private func token(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var form: [String: String] = [:]
        for (name, value) in ICLRequest.formFields(String(buffer: body)) where form[name] == nil { form[name] = value }
        let credentials = ICLEmulator.sandboxCredentials
        let user: Int64
        switch form["grant_type"] ?? "" {
        case "client_credentials":
            guard form["client_id"] == credentials.clientID, form["client_secret"] == credentials.clientSecret else {
                return oauthError("invalid_client", "The client_id or client_secret is incorrect.")
            }
            user = ICLUsers.service.id
        case "password":
            guard form["username"] == credentials.username, form["password"] == credentials.password else {
                return oauthError("invalid_grant", "The user name or password is incorrect.")
            }
            user = ICLUsers.interactive.id
        case "":
            return oauthError("unsupported_grant_type", "grant_type is missing.")
        case let other:
            return oauthError("unsupported_grant_type", "grant_type '\(other)' is not supported.")
        }
        let (token, lifetime) = try await store.write { tx in
            let lifetime = try tx.get(Self.settings, id: "auth")?["expiresIn"]?.integer ?? Self.defaultLifetime
            let now = Date().timeIntervalSince1970
            // Forget expired grants so the collection stays small.
            for document in try tx.scan(Self.tokens, after: nil, limit: nil)
            where (document.body["expires"]?.double ?? 0) <= now {
                try tx.delete(Self.tokens, id: document.id)
            }
            let token = Self.newToken()
            try tx.put(Self.tokens, id: token, ["user": .integer(user), "expires": .double(now + Double(lifetime))])
            return (token, lifetime)
        }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-cache"
        return SandboxJSON.response(
            ["access_token": .string(token), "token_type": "bearer", "expires_in": .integer(lifetime)], headers: headers)
    }

    private func oauthError(_ code: String, _ description: String) -> Response {
        SandboxJSON.response(["error": .string(code), "error_description": .string(description)], status: .badRequest)
    }

    /// Opaque, URL-safe, long like the portal's (OWIN) tokens.
    private static func newToken() -> String {
        let raw = (0..<4).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "") }.joined()
        return Data(raw.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
