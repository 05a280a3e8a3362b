import Foundation
import LunetJSON

/// Talks to an OAuth 2 token endpoint (RFC 6749 §4–6): form-encoded POSTs,
/// client credentials in the form (or HTTP Basic), JSON answers.
public struct OAuth2Client: Sendable {
    public var tokenURL: URL
    public var clientID: String?
    public var clientSecret: String?
    public var scope: String?
    /// Send the client id and secret as HTTP Basic instead of form fields.
    public var basicAuth: Bool
    /// Which API errors are attributed to.
    public var api: APIName
    public var engine: HTTPEngine

    public init(
        tokenURL: URL, clientID: String? = nil, clientSecret: String? = nil, scope: String? = nil,
        basicAuth: Bool = false, api: APIName, engine: HTTPEngine
    ) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.basicAuth = basicAuth
        self.api = api
        self.engine = engine
        engine.redactor.register(secret: clientSecret)
    }

    public enum Grant: Sendable {
        case clientCredentials
        case password(username: String, password: String)
        case refreshToken(String)
        case authorizationCode(code: String, redirectURI: String, codeVerifier: String?)

        var name: String {
            switch self {
            case .clientCredentials: "client_credentials"
            case .password: "password"
            case .refreshToken: "refresh_token"
            case .authorizationCode: "authorization_code"
            }
        }
    }

    /// Run a grant. Throws `APIError` (code `invalid_grant` and the like from
    /// the server, or transport failures).
    public func token(_ grant: Grant) async throws -> TokenSet {
        var fields = [QueryItem("grant_type", grant.name)]
        // A refresh token or an authorization code is spent by the server
        // as it answers: resending after a lost answer would fail, so those
        // grants are retried only when they cannot have arrived.
        var retry = RetryMode.safe
        switch grant {
        case .clientCredentials: break
        case .password(let username, let password):
            engine.redactor.register(secret: password)
            fields += [QueryItem("username", username), QueryItem("password", password)]
        case .refreshToken(let token):
            fields.append(QueryItem("refresh_token", token))
            retry = .automatic
        case .authorizationCode(let code, let redirectURI, let verifier):
            fields += [QueryItem("code", code), QueryItem("redirect_uri", redirectURI)]
            if let verifier { fields.append(QueryItem("code_verifier", verifier)) }
            retry = .automatic
        }
        var headers: HeaderFields = ["Accept": "application/json"]
        if basicAuth, let clientID {
            let pair = Data("\(Self.basicEscape(clientID)):\(Self.basicEscape(clientSecret ?? ""))".utf8)
            headers["Authorization"] = "Basic " + pair.base64EncodedString()
        } else {
            if let clientID { fields.append(QueryItem("client_id", clientID)) }
            if let clientSecret { fields.append(QueryItem("client_secret", clientSecret)) }
        }
        if let scope, !isRefresh(grant) { fields.append(QueryItem("scope", scope)) }

        let request = HTTPRequest(.post, tokenURL, headers: headers, body: .form(fields), retry: retry)
        let issuedAt = engine.clock.date()
        let response = try await engine.send(request, .init(api: api, errors: .firstOf(.oauth, .standard(for: api))))
        guard let json = try? response.json(), let tokens = TokenSet.parse(json, issuedAt: issuedAt) else {
            throw APIError(
                api: api, method: "POST", url: engine.redactor.url(tokenURL), status: response.status,
                message: "the token endpoint answered without an access_token", attempts: response.attempts,
                requestID: response.requestID)
        }
        engine.redactor.register(secret: tokens.accessToken)
        engine.redactor.register(secret: tokens.refreshToken)
        return tokens
    }

    private func isRefresh(_ grant: Grant) -> Bool {
        if case .refreshToken = grant { return true }
        return false
    }

    /// RFC 6749 §2.3.1: id and secret are form-encoded before Basic.
    private static func basicEscape(_ text: String) -> String {
        String(decoding: HTTPBody.formEncoded([QueryItem("", text)]).dropFirst(), as: UTF8.self)
    }
}
