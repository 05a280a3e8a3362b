import Foundation

/// One authorization-code sign-in (RFC 6749 §4.1 with PKCE): the URL to
/// open, the check of the redirect it comes back on, and the exchange of the
/// code for tokens. A flow is used once; its `state` and PKCE verifier are
/// random and never leave this process except as the protocol sends them.
public struct AuthorizationCodeFlow: Sendable {
    public let authorizeURL: URL
    public let client: OAuth2Client
    public let redirectURI: String
    public let scope: String?
    public let state: String
    public let pkce: PKCE
    /// Extra authorize parameters (`login_hint`, `prompt`, …).
    public var extra: [QueryItem]

    public init(
        authorizeURL: URL, client: OAuth2Client, redirectURI: String, scope: String?, extra: [QueryItem] = [],
        state: String = PKCE.randomToken(bytes: 16), pkce: PKCE = PKCE()
    ) {
        self.authorizeURL = authorizeURL
        self.client = client
        self.redirectURI = redirectURI
        self.scope = scope
        self.extra = extra
        self.state = state
        self.pkce = pkce
    }

    /// The URL the user opens in a browser.
    public var url: URL {
        var items = [
            QueryItem("response_type", "code"), QueryItem("client_id", client.clientID ?? ""),
            QueryItem("redirect_uri", redirectURI),
        ]
        if let scope { items.append(QueryItem("scope", scope)) }
        items += [
            QueryItem("state", state), QueryItem("code_challenge", pkce.challenge),
            QueryItem("code_challenge_method", pkce.method),
        ]
        items += extra
        let query = items.map { "\(QueryItem.encode($0.name))=\(QueryItem.encode($0.value))" }.joined(separator: "&")
        let base = authorizeURL.absoluteString
        return URL(string: base + (base.contains("?") ? "&" : "?") + query)!
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The code from the URL the browser was redirected to (the whole URL,
    /// or just its query). Throws when `state` is missing or differs (a
    /// forged or stale redirect), or when the server reported an error.
    public func code(fromRedirect text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let query: Substring
        if let mark = trimmed.firstIndex(of: "?") {
            query = trimmed[trimmed.index(after: mark)...].prefix { $0 != "#" }
        } else {
            query = trimmed[...]
        }
        var fields: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? String(s)
            }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        guard let returned = fields["state"] else {
            throw Failure("the redirect has no 'state' parameter; paste the whole URL the browser was sent to")
        }
        guard returned == state else {
            throw Failure("the redirect's 'state' does not match this sign-in (a stale or forged redirect); nothing was exchanged")
        }
        if let error = fields["error"] {
            let description = fields["error_description"].map { ": \($0)" } ?? ""
            throw Failure("the identity provider refused the sign-in (\(error))\(description)")
        }
        guard let code = fields["code"], !code.isEmpty else {
            throw Failure("the redirect has no 'code' parameter")
        }
        return code
    }

    /// Redeem the code (with the PKCE verifier). Throws `APIError`.
    public func exchange(code: String) async throws -> TokenSet {
        client.engine.redactor.register(secret: code)
        return try await client.token(.authorizationCode(code: code, redirectURI: redirectURI, codeVerifier: pkce.verifier))
    }
}
