import Foundation
import Hummingbird
import LunetJSON

/// An OAuth 2 token endpoint with single-use refresh tokens, a bearer-
/// protected resource, and controls to make tokens fail mid-run.
extension TestAPI {
    func registerOAuth(on group: RouterGroup<SandboxContext>) {
        group.post("oauth/token") { request, _ in try await token(request) }
        // Controls: revoke access tokens (all, or ?token=); change settings.
        group.post("oauth/revoke") { [state] request, _ in
            state.revoke(Self.query(request, "token"))
            return Self.json(["revoked": true])
        }
        group.post("oauth/config") { [state] request, _ in
            if let seconds = Self.int(request, "expires_in") { state.tokenLifetime = seconds }
            if let reject = Self.query(request, "reject_all") { state.rejectingAllTokens = reject == "true" }
            return Self.json(["expires_in": .integer(Int64(state.tokenLifetime)), "reject_all": .bool(state.rejectingAllTokens)])
        }
        group.get("oauth/stats") { [state] _, _ in
            Self.json([
                "grants": .integer(Int64(state.grantCount())),
                "client_credentials": .integer(Int64(state.grantCount("client_credentials"))),
                "password": .integer(Int64(state.grantCount("password"))),
                "refresh_token": .integer(Int64(state.grantCount("refresh_token"))),
                "live_refresh_tokens": .integer(Int64(state.liveRefreshTokens.count)),
            ])
        }
        for method in [HTTPRequest.Method.get, .post, .put, .delete] {
            group.on("protected", method: method) { [state] request, _ in
                _ = try await request.body.collect(upTo: 1 << 24)
                // integrator.io's 401 is a bare {"message": …}; so is ours.
                guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
                    return Self.json(["message": "missing bearer token"], status: 401)
                }
                let token = String(header.dropFirst(7))
                if let problem = state.check(accessToken: token) { return Self.json(["message": .string(problem)], status: 401) }
                return Self.json(["ok": true, "method": .string(request.method.rawValue)])
            }
        }
    }

    private func token(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var form: [String: String] = [:]
        for (k, v) in Self.formFields(String(buffer: body)) { form[k] = v }
        if let basic = request.headers[.authorization], basic.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(basic.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }),
            let colon = decoded.firstIndex(of: ":")
        {
            let id = String(decoded[..<colon]), secret = String(decoded[decoded.index(after: colon)...])
            form["client_id"] = id.removingPercentEncoding ?? id
            form["client_secret"] = (secret.replacingOccurrences(of: "+", with: " ")).removingPercentEncoding ?? secret
        }
        if let expected = oauth.clientID, form["client_id"] != expected {
            return oauthError("invalid_client", "unknown client", status: 401)
        }
        if let secret = oauth.clientSecret, form["client_secret"] != secret {
            return oauthError("invalid_client", "client authentication failed", status: 401)
        }
        if let seconds = Self.int(request, "expires_in") { state.tokenLifetime = seconds }
        let grant = form["grant_type"] ?? ""
        switch grant {
        case "client_credentials":
            guard oauth.clientSecret != nil else { return oauthError("unauthorized_client", "client credentials need a secret") }
            return issued(state.issue(grant: grant, withRefresh: false))
        case "password":
            guard let user = form["username"], let password = form["password"], oauth.users[user] == password else {
                return oauthError("invalid_grant", "wrong username or password")
            }
            return issued(state.issue(grant: grant, withRefresh: oauth.passwordIssuesRefreshToken))
        case "refresh_token":
            guard let refresh = form["refresh_token"] else { return oauthError("invalid_request", "refresh_token missing") }
            if let problem = state.spendRefreshToken(refresh) { return oauthError("invalid_grant", problem) }
            return issued(state.issue(grant: grant, withRefresh: true))
        default:
            return oauthError("unsupported_grant_type", "grant_type '\(grant)' is not supported")
        }
    }

    private func issued(_ tokens: (String, String?, Int)) -> Response {
        var body: JSONObject = [
            "access_token": .string(tokens.0), "token_type": "bearer", "expires_in": .integer(Int64(tokens.2)),
        ]
        if let refresh = tokens.1 { body["refresh_token"] = .string(refresh) }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        return Self.json(.object(body), headers: headers)
    }

    private func oauthError(_ code: String, _ description: String, status: Int = 400) -> Response {
        Self.json(["error": .string(code), "error_description": .string(description)], status: status)
    }
}
