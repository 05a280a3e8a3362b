import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// The identity provider: `/openid/authorize` (auto-approves, so no browser
/// is needed) and `/openid/token` (authorization code with PKCE, refresh
/// token with rotation, password without a refresh token).
extension IConectEmulator {
    func registerIdentity(on group: RouterGroup<SandboxContext>) {
        let store = self.store
        for name in ["identity.authorize", "identity.token"] {
            let route = IConectRoutes.table[name]!
            let path = APIRoutes.routerPath(IConectRoutes.sandboxIdentityBase + route.path)
            group.on(path, method: HTTPRequest.Method(route.method)!) { request, _ in
                do {
                    return name == "identity.authorize"
                        ? try await Self.authorize(request, store) : try await Self.token(request, store)
                } catch let error as OAuthError {
                    return error.response
                }
            }
        }
    }

    /// The bearer token's user, or the 401 that refuses the request.
    func authenticate(_ request: Request) async throws -> SandboxUser {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty
        else { throw IConectError.unauthorized("Authorization has been denied for this request: no bearer token") }
        return try await store.read { try Tokens.user(forAccessToken: token, $0) }
    }

    // MARK: authorize

    static func authorize(_ request: Request, _ store: any SandboxStore) async throws -> Response {
        let query = Query(request.uri.query)
        guard let clientID = query.string("client_id"), SandboxOAuthClient.withID(clientID) != nil else {
            throw OAuthError("invalid_client", "Unknown client_id")
        }
        guard let redirect = query.string("redirect_uri"), SandboxOAuthClient.acceptsRedirect(redirect) else {
            throw OAuthError("invalid_request", "redirect_uri is missing or not registered for this client")
        }
        // From here on, errors go back to the application through the redirect.
        let state = query.string("state")
        func fail(_ code: String, _ description: String) -> Response {
            redirectResponse(redirect, ["error": code, "error_description": description, "state": state])
        }
        guard query.string("response_type") == "code" else {
            return fail("unsupported_response_type", "response_type must be 'code'")
        }
        guard let challenge = query.string("code_challenge"), !challenge.isEmpty else {
            return fail("invalid_request", "code_challenge is required (PKCE)")
        }
        guard query.string("code_challenge_method") == "S256" else {
            return fail("invalid_request", "code_challenge_method must be 'S256'")
        }
        let scope = query.string("scope") ?? "openid iconect_api"
        guard scope.split(separator: " ").contains("iconect_api") else {
            return fail("invalid_scope", "The iconect_api scope is required")
        }
        // The sandbox approves at once for its administrator, or the user
        // named by login_hint.
        guard let user = SandboxUser.named(query.string("login_hint") ?? IConectEmulator.sandboxCredentials.username) else {
            return fail("access_denied", "Unknown login_hint")
        }
        let code = Tokens.random()
        try await store.write { tx in
            let lifetime = try SandboxSettings.load(tx).authorizationCodeLifetime
            try tx.put(
                Tokens.codeCollection, id: code,
                [
                    "client_id": .string(clientID), "redirect_uri": .string(redirect),
                    "code_challenge": .string(challenge), "scope": .string(scope), "user_id": .integer(user.id),
                    "expires_at": .double(Clock.now + Double(lifetime)),
                ])
        }
        return redirectResponse(redirect, ["code": code, "state": state])
    }

    private static func redirectResponse(_ uri: String, _ parameters: KeyValuePairs<String, String?>) -> Response {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?/")
        let query = parameters.compactMap { key, value in
            value.map { "\(key)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }
        }.joined(separator: "&")
        let separator = uri.contains("?") ? "&" : "?"
        return Response(status: .found, headers: [.location: uri + separator + query, .contentLength: "0"])
    }

    // MARK: token

    static func token(_ request: Request, _ store: any SandboxStore) async throws -> Response {
        let type = (request.headers[.contentType] ?? "").lowercased()
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw OAuthError("invalid_request", "The token request must be application/x-www-form-urlencoded")
        }
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let form = Query(String(buffer: buffer))
        let client = try clientOf(request, form)
        let tokens: JSONObject
        switch form.string("grant_type") {
        case "authorization_code": tokens = try await authorizationCodeGrant(form, client, store)
        case "refresh_token": tokens = try await refreshTokenGrant(form, client, store)
        case "password": tokens = try await passwordGrant(form, client, store)
        case nil, "": throw OAuthError("invalid_request", "grant_type is required")
        case let other?: throw OAuthError("unsupported_grant_type", "grant_type '\(other)' is not supported")
        }
        var response = Reply.json(.object(tokens))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The client from the form or HTTP Basic; a secret, when sent, must match.
    private static func clientOf(_ request: Request, _ form: Query) throws -> SandboxOAuthClient {
        var id = form.string("client_id"), secret = form.string("client_secret")
        if let basic = request.headers[.authorization], basic.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(basic.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }),
            let colon = decoded.firstIndex(of: ":")
        {
            id = String(decoded[..<colon]).removingPercentEncoding
            secret = String(decoded[decoded.index(after: colon)...]).removingPercentEncoding
        }
        guard let id, let client = SandboxOAuthClient.withID(id) else {
            throw OAuthError("invalid_client", "Unknown client_id", status: .unauthorized)
        }
        if let secret, !secret.isEmpty, secret != client.secret {
            throw OAuthError("invalid_client", "Client authentication failed", status: .unauthorized)
        }
        return client
    }

    private static func authorizationCodeGrant(
        _ form: Query, _ client: SandboxOAuthClient, _ store: any SandboxStore
    ) async throws -> JSONObject {
        guard let code = form.string("code"), !code.isEmpty else { throw OAuthError("invalid_request", "code is required") }
        guard let verifier = form.string("code_verifier"), !verifier.isEmpty else {
            throw OAuthError("invalid_request", "code_verifier is required (PKCE)")
        }
        let redirect = form.string("redirect_uri")
        // A code is spent by the first attempt to redeem it, right or wrong.
        let result: Result<JSONObject, OAuthError> = try await store.write { tx in
            guard let grant = try tx.get(Tokens.codeCollection, id: code) else {
                return .failure(OAuthError("invalid_grant", "The authorization code is invalid or has already been used"))
            }
            try tx.delete(Tokens.codeCollection, id: code)
            guard (grant["expires_at"]?.double ?? 0) > Clock.now else {
                return .failure(OAuthError("invalid_grant", "The authorization code has expired"))
            }
            guard grant["client_id"]?.string == client.id else {
                return .failure(OAuthError("invalid_grant", "The authorization code was issued to another client"))
            }
            guard grant["redirect_uri"]?.string == redirect else {
                return .failure(OAuthError("invalid_grant", "redirect_uri does not match the authorization request"))
            }
            guard Tokens.verifies(verifier: verifier, challenge: grant["code_challenge"]?.string ?? "") else {
                return .failure(OAuthError("invalid_grant", "The code_verifier does not match the code_challenge"))
            }
            guard let user = SandboxUser.withID(grant["user_id"]?.integer ?? 0) else {
                return .failure(OAuthError("invalid_grant", "The user no longer exists"))
            }
            return .success(
                try Tokens.issue(tx, user: user, clientID: client.id, scope: grant["scope"]?.string ?? "", withRefresh: true))
        }
        return try result.get()
    }

    private static func refreshTokenGrant(
        _ form: Query, _ client: SandboxOAuthClient, _ store: any SandboxStore
    ) async throws -> JSONObject {
        guard let refresh = form.string("refresh_token"), !refresh.isEmpty else {
            throw OAuthError("invalid_request", "refresh_token is required")
        }
        let result: Result<JSONObject, OAuthError> = try await store.write { tx in
            guard var stored = try tx.get(Tokens.refreshCollection, id: refresh)?.object else {
                return .failure(OAuthError("invalid_grant", "The refresh token is invalid"))
            }
            guard stored["used"]?.bool != true else {
                return .failure(OAuthError("invalid_grant", "The refresh token has already been used"))
            }
            guard (stored["expires_at"]?.double ?? 0) > Clock.now else {
                return .failure(OAuthError("invalid_grant", "The refresh token has expired"))
            }
            guard stored["client_id"]?.string == client.id else {
                return .failure(OAuthError("invalid_grant", "The refresh token was issued to another client"))
            }
            guard let user = SandboxUser.withID(stored["user_id"]?.integer ?? 0) else {
                return .failure(OAuthError("invalid_grant", "The user no longer exists"))
            }
            stored["used"] = true
            try tx.put(Tokens.refreshCollection, id: refresh, .object(stored))
            return .success(
                try Tokens.issue(tx, user: user, clientID: client.id, scope: stored["scope"]?.string ?? "", withRefresh: true))
        }
        return try result.get()
    }

    private static func passwordGrant(
        _ form: Query, _ client: SandboxOAuthClient, _ store: any SandboxStore
    ) async throws -> JSONObject {
        guard let username = form.string("username"), let password = form.string("password"),
            let user = SandboxUser.named(username), user.password == password
        else { throw OAuthError("invalid_grant", "The username or password is incorrect") }
        let scope = form.string("scope") ?? "openid iconect_api"
        guard scope.split(separator: " ").contains("iconect_api") else {
            throw OAuthError("invalid_scope", "The iconect_api scope is required")
        }
        // Since Beta 10 the password grant issues no refresh token.
        return try await store.write { tx in
            try Tokens.issue(tx, user: user, clientID: client.id, scope: scope, withRefresh: false)
        }
    }
}

/// An OAuth error: `{"error": code, "error_description": …}`, 400 unless said.
struct OAuthError: Error, Sendable {
    var code: String
    var description: String
    var status: HTTPResponse.Status

    init(_ code: String, _ description: String, status: HTTPResponse.Status = .badRequest) {
        self.code = code
        self.description = description
        self.status = status
    }

    var response: Response {
        var response = SandboxJSON.response(
            ["error": .string(code), "error_description": .string(description)], status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
