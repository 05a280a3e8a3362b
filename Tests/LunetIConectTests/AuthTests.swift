import Foundation
import LunetJSON
import LunetSandbox
import Testing

@testable import LunetIConect

@Suite("iCONECT identity provider and bearer tokens")
struct AuthTests {
    static let credentials = IConectEmulator.sandboxCredentials
    static let redirect = IConectEmulator.sandboxRedirectURI

    /// PKCE pair (RFC 7636 appendix B's verifier and challenge).
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    func authorize(_ client: IConectClient, _ extra: [String: String] = [:]) async throws -> Reply {
        var query: [String: String] = [
            "client_id": Self.credentials.clientID, "response_type": "code", "redirect_uri": Self.redirect,
            "state": "xyz 1", "code_challenge": Self.challenge, "code_challenge_method": "S256",
            "scope": "openid iconect_api",
        ]
        for (key, value) in extra { query[key] = value }
        let text = query.sorted { $0.key < $1.key }.compactMap { key, value in
            value.isEmpty ? nil : "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        }.joined(separator: "&")
        return try await client.send(.GET, url: client.identity + "/openid/authorize?" + text, bearer: .some(nil))
    }

    /// The query of the authorize redirect.
    func redirectQuery(_ reply: Reply) throws -> [String: String] {
        let location = try #require(reply.headers.first(name: "Location"))
        let components = try #require(URLComponents(string: location))
        #expect(location.hasPrefix(Self.redirect + "?"))
        return Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
    }

    func exchange(_ client: IConectClient, code: String, verifier: String = verifier, redirect: String = redirect) async throws -> Reply {
        try await client.form(
            "/openid/token",
            ["grant_type": "authorization_code", "code": code, "client_id": Self.credentials.clientID,
             "redirect_uri": redirect, "code_verifier": verifier])
    }

    @Test func passwordGrantIssuesNoRefreshToken() async throws {
        try await withIConect { _, client in
            let reply = try await client.form(
                "/openid/token",
                ["grant_type": "password", "username": "sandbox", "password": "sandbox-password",
                 "client_id": "lunet-sandbox", "scope": "openid iconect_api"])
            #expect(reply.status == 200)
            #expect(reply.json["token_type"] == "bearer")
            #expect(reply.json["expires_in"] == 3600)
            #expect(reply.json["refresh_token"] == nil)
            #expect(reply.json["id_token"]?.string != nil)
            #expect(reply.json["scope"] == "openid iconect_api")
            #expect(reply.headers.first(name: "Cache-Control") == "no-store")
            // The access token is a JWT whose claims carry the expiry.
            let parts = try #require(reply.json["access_token"]?.string).split(separator: ".")
            #expect(parts.count == 3)
        }
    }

    @Test func passwordGrantRejectsWrongPasswordAndMissingScope() async throws {
        try await withIConect { _, client in
            let wrong = try await client.form(
                "/openid/token", ["grant_type": "password", "username": "sandbox", "password": "nope", "client_id": "lunet-sandbox"])
            #expect(wrong.status == 400)
            #expect(wrong.json["error"] == "invalid_grant")
            #expect(wrong.json["error_description"]?.string != nil)
            let scope = try await client.form(
                "/openid/token",
                ["grant_type": "password", "username": "sandbox", "password": "sandbox-password",
                 "client_id": "lunet-sandbox", "scope": "openid"])
            #expect(scope.status == 400)
            #expect(scope.json["error"] == "invalid_scope")
        }
    }

    @Test func tokenEndpointRejectsBadClientsGrantsAndMediaTypes() async throws {
        try await withIConect { _, client in
            let unknown = try await client.form("/openid/token", ["grant_type": "password", "client_id": "who"])
            #expect(unknown.status == 401)
            #expect(unknown.json["error"] == "invalid_client")
            let badSecret = try await client.form(
                "/openid/token",
                ["grant_type": "password", "username": "sandbox", "password": "sandbox-password",
                 "client_id": "lunet-sandbox", "client_secret": "wrong"])
            #expect(badSecret.status == 401)
            let goodSecret = try await client.form(
                "/openid/token",
                ["grant_type": "password", "username": "sandbox", "password": "sandbox-password",
                 "client_id": "lunet-sandbox", "client_secret": "lunet-sandbox-secret"])
            #expect(goodSecret.status == 200)
            let grant = try await client.form("/openid/token", ["grant_type": "client_credentials", "client_id": "lunet-sandbox"])
            #expect(grant.status == 400)
            #expect(grant.json["error"] == "unsupported_grant_type")
            let json = try await client.send(
                .POST, url: client.identity + "/openid/token", body: Array(#"{"grant_type":"password"}"#.utf8), bearer: .some(nil))
            #expect(json.status == 400)
            #expect(json.json["error"] == "invalid_request")
        }
    }

    @Test func authorizationCodeWithPKCE() async throws {
        try await withIConect { _, client in
            let reply = try await authorize(client)
            #expect(reply.status == 302)
            let query = try redirectQuery(reply)
            #expect(query["state"] == "xyz 1")
            let code = try #require(query["code"])
            let tokens = try await exchange(client, code: code)
            #expect(tokens.status == 200, "\(tokens)")
            #expect(tokens.json["refresh_token"]?.string != nil)
            #expect(tokens.json["id_token"]?.string != nil)
            // The token works on the API.
            var signedIn = client
            signedIn.token = tokens.json["access_token"]?.string
            #expect(try await signedIn.get("/user").json["username"] == "sandbox")
            // A code is single-use.
            let again = try await exchange(client, code: code)
            #expect(again.status == 400)
            #expect(again.json["error"] == "invalid_grant")
        }
    }

    @Test func authorizationCodeChecksVerifierAndRedirect() async throws {
        try await withIConect { _, client in
            let code1 = try redirectQuery(try await authorize(client))["code"]!
            let wrongVerifier = try await exchange(client, code: code1, verifier: "not-the-verifier-at-all-but-long-enough-1234")
            #expect(wrongVerifier.status == 400)
            #expect(wrongVerifier.json["error"] == "invalid_grant")
            #expect(wrongVerifier.json["error_description"]?.string?.contains("code_verifier") == true)
            let code2 = try redirectQuery(try await authorize(client))["code"]!
            let wrongRedirect = try await exchange(client, code: code2, redirect: "http://127.0.0.1:9999/other")
            #expect(wrongRedirect.status == 400)
            #expect(wrongRedirect.json["error_description"]?.string?.contains("redirect_uri") == true)
            // Codes expire.
            _ = try await client.settings(["authorization_code_lifetime": 0])
            let code3 = try redirectQuery(try await authorize(client))["code"]!
            let expired = try await exchange(client, code: code3)
            #expect(expired.json["error_description"]?.string?.contains("expired") == true)
        }
    }

    @Test func authorizeReportsErrors() async throws {
        try await withIConect { _, client in
            let badClient = try await authorize(client, ["client_id": "nobody"])
            #expect(badClient.status == 400)
            #expect(badClient.json["error"] == "invalid_client")
            let badRedirect = try await authorize(client, ["redirect_uri": "https://evil.example.com/cb"])
            #expect(badRedirect.status == 400)
            #expect(badRedirect.json["error"] == "invalid_request")
            // Once the redirect is trusted, errors go back through it.
            let noChallenge = try redirectQuery(try await authorize(client, ["code_challenge": ""]))
            #expect(noChallenge["error"] == "invalid_request")
            #expect(noChallenge["state"] == "xyz 1")
            let plain = try redirectQuery(try await authorize(client, ["code_challenge_method": "plain"]))
            #expect(plain["error"] == "invalid_request")
            let token = try redirectQuery(try await authorize(client, ["response_type": "token"]))
            #expect(token["error"] == "unsupported_response_type")
            let scope = try redirectQuery(try await authorize(client, ["scope": "openid"]))
            #expect(scope["error"] == "invalid_scope")
        }
    }

    @Test func refreshTokensRotateAndAreSingleUse() async throws {
        try await withIConect { _, client in
            let code = try redirectQuery(try await authorize(client))["code"]!
            let first = try await exchange(client, code: code)
            let refresh1 = try #require(first.json["refresh_token"]?.string)
            let refresh = { (token: String) in
                try await client.form(
                    "/openid/token", ["grant_type": "refresh_token", "refresh_token": token, "client_id": "lunet-sandbox"])
            }
            let second = try await refresh(refresh1)
            #expect(second.status == 200)
            let refresh2 = try #require(second.json["refresh_token"]?.string)
            #expect(refresh2 != refresh1)
            #expect(second.json["access_token"] != first.json["access_token"])
            let reused = try await refresh(refresh1)
            #expect(reused.status == 400)
            #expect(reused.json["error"] == "invalid_grant")
            #expect(try await refresh(refresh2).status == 200)
            #expect(try await refresh("made-up").json["error"] == "invalid_grant")
        }
    }

    @Test func apiNeedsAValidUnexpiredToken() async throws {
        try await withIConect { _, client in
            let missing = try await client.send(.GET, url: client.api + "/clients", bearer: .some(nil))
            #expect(missing.status == 401)
            #expect(missing.error != nil)
            #expect(missing.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let invalid = try await client.send(.GET, url: client.api + "/clients", bearer: "garbage")
            #expect(invalid.status == 401)
            #expect(invalid.error == "The access token is invalid")

            #expect(try await client.settings(["access_token_lifetime": 1]).status == 200)
            var shortLived = client
            try await shortLived.signIn()
            #expect(try await shortLived.get("/clients").status == 200)
            try await Task.sleep(for: .milliseconds(2100))
            let expired = try await shortLived.get("/clients")
            #expect(expired.status == 401)
            #expect(expired.error == "The access token has expired")
        }
    }

    @Test func revokingTokensEndsSessions() async throws {
        try await withIConect { _, client in
            let code = try redirectQuery(try await authorize(client))["code"]!
            let tokens = try await exchange(client, code: code)
            let revoked = try await client.send(.POST, url: client.base + "/_sandbox/revoke-tokens")
            #expect(revoked.json["revoked"] == 2)
            #expect(try await client.get("/user").status == 401)
            // The refresh token survives unless asked for.
            let refresh = { (token: String) in
                try await client.form(
                    "/openid/token", ["grant_type": "refresh_token", "refresh_token": token, "client_id": "lunet-sandbox"])
            }
            let renewed = try await refresh(tokens.json["refresh_token"]!.string!)
            #expect(renewed.status == 200)
            _ = try await client.send(.POST, url: client.base + "/_sandbox/revoke-tokens?refresh=true")
            #expect(try await refresh(renewed.json["refresh_token"]!.string!).json["error"] == "invalid_grant")
        }
    }

    @Test func reviewerIsReadOnly() async throws {
        try await withIConect { _, admin in
            var reviewer = admin
            try await reviewer.signIn(IConectEmulator.sandboxReviewerCredentials)
            #expect(try await reviewer.get("/user").json["username"] == "reviewer")
            #expect(try await reviewer.get("/clients").status == 200)
            let create = try await reviewer.post("/clients", ["name": "X", "description": "Y", "state": 0])
            #expect(create.status == 403)
            #expect(create.error?.contains("read-only") == true)
        }
    }

    @Test func settingsControlRoute() async throws {
        try await withIConect { _, client in
            let current = try await client.send(.GET, url: client.base + "/_sandbox/settings")
            #expect(current.json["access_token_lifetime"] == 3600)
            let changed = try await client.settings(["job_step_seconds": 0.5, "access_token_lifetime": 120])
            #expect(changed.json["job_step_seconds"] == 0.5)
            #expect(changed.json["access_token_lifetime"] == 120)
            #expect(try await client.settings(["bogus": 1]).status == 400)
            #expect(try await client.settings(["access_token_lifetime": -1]).status == 400)
        }
    }
}
