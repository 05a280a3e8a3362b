import Foundation
import LunetJSON
import LunetSandbox

/// Tokens shaped like the real ones (JWTs, per the Beta 10 notes), but
/// checked by looking them up in the store, so expiry, rotation and
/// revocation are the store's word, not the signature's.
enum Tokens {
    static let accessCollection = "access_tokens"
    static let refreshCollection = "refresh_tokens"
    static let codeCollection = "authorization_codes"

    /// A fresh token set for `user`; the refresh token only when asked for.
    static func issue(
        _ tx: any SandboxTransaction, user: SandboxUser, clientID: String, scope: String, withRefresh: Bool
    ) throws -> JSONObject {
        let settings = try SandboxSettings.load(tx)
        let now = Clock.now
        let expires = now + Double(settings.accessTokenLifetime)
        let access = jwt([
            "iss": "lunet-sandbox", "sub": .string(String(user.id)), "client_id": .string(clientID),
            "scope": .string(scope), "iat": .integer(Int64(now)), "exp": .integer(Int64(expires)),
            "jti": .string(random()),
        ])
        try tx.put(
            accessCollection, id: access,
            ["user_id": .integer(user.id), "client_id": .string(clientID), "scope": .string(scope), "expires_at": .double(expires)])
        var body: JSONObject = [
            "access_token": .string(access), "token_type": "bearer",
            "expires_in": .integer(settings.accessTokenLifetime),
        ]
        if withRefresh {
            let refresh = random() + random()
            try tx.put(
                refreshCollection, id: refresh,
                [
                    "user_id": .integer(user.id), "client_id": .string(clientID), "scope": .string(scope),
                    "expires_at": .double(now + Double(settings.refreshTokenLifetime)), "used": false,
                ])
            body["refresh_token"] = .string(refresh)
        }
        if scope.split(separator: " ").contains("openid") {
            body["id_token"] = .string(
                jwt([
                    "iss": "lunet-sandbox", "sub": .string(String(user.id)), "aud": .string(clientID),
                    "iat": .integer(Int64(now)), "exp": .integer(Int64(expires)),
                    "preferred_username": .string(user.username), "email": .string(user.email),
                ]))
        }
        body["scope"] = .string(scope)
        return body
    }

    /// The user an access token stands for, or the 401 that refuses it.
    static func user(forAccessToken token: String, _ tx: any SandboxTransaction) throws -> SandboxUser {
        guard let stored = try tx.get(accessCollection, id: token), let userID = stored["user_id"]?.integer,
            let user = SandboxUser.withID(userID)
        else { throw IConectError.unauthorized("The access token is invalid") }
        guard let expires = stored["expires_at"]?.double, expires > Clock.now else {
            throw IConectError.unauthorized("The access token has expired")
        }
        let scopes = (stored["scope"]?.string ?? "").split(separator: " ")
        guard scopes.contains("iconect_api") else {
            throw IConectError.forbidden("The access token lacks the iconect_api scope")
        }
        return user
    }

    /// base64url(SHA-256(verifier)) == challenge (RFC 7636, S256).
    static func verifies(verifier: String, challenge: String) -> Bool {
        var hash = SandboxSHA256()
        hash.update(Array(verifier.utf8))
        return base64url(hash.finalize()) == challenge
    }

    static func random() -> String {
        base64url((0..<24).map { _ in UInt8.random(in: 0...255) })
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// header.payload.signature; the "signature" is a hash with a sandbox
    /// secret: enough for a client that decodes the claims (exp), which is
    /// all a client may do with another party's token.
    private static func jwt(_ claims: JSONObject) -> String {
        let header = base64url(JSONValue.object(["alg": "HS256", "typ": "JWT", "kid": "lunet-sandbox"]).serialized())
        let payload = base64url(JSONValue.object(claims).serialized())
        var hash = SandboxSHA256()
        hash.update(Array("lunet-sandbox-signing-key.\(header).\(payload)".utf8))
        return "\(header).\(payload).\(base64url(hash.finalize()))"
    }
}
