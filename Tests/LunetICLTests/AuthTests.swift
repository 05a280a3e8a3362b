import LunetJSON
import Testing

@testable import LunetICL

@Suite("iCL emulator: /token and bearer checks")
struct AuthTests {
    let credentials = ICLEmulator.sandboxCredentials

    @Test func bothGrantsIssueBearerTokens() async throws {
        try await withICL { _, client in
            let service = try await client.token(
                "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=\(credentials.clientSecret)")
            #expect(service.status == 200)
            #expect(service.json["token_type"] == "bearer")
            #expect(service.json["expires_in"] == .integer(ICLAuth.defaultLifetime))
            #expect((service.json["access_token"]?.string?.count ?? 0) > 40)

            let user = try await client.token(
                "grant_type=password&username=\(credentials.username)&password=\(credentials.password)")
            #expect(user.status == 200)
            var authorized = client
            authorized.token = user.json["access_token"]?.string
            #expect(try await authorized.get("/api/contenttypes").status == 200)
        }
    }

    @Test func wrongCredentialsAreOAuthErrors() async throws {
        try await withICL { _, client in
            let badClient = try await client.token("grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=nope")
            #expect(badClient.status == 400)
            #expect(badClient.json["error"] == "invalid_client")
            #expect(badClient.json["error_description"]?.string != nil)

            let badUser = try await client.token("grant_type=password&username=\(credentials.username)&password=wrong")
            #expect(badUser.status == 400)
            #expect(badUser.json["error"] == "invalid_grant")

            let badGrant = try await client.token("grant_type=authorization_code&code=x")
            #expect(badGrant.status == 400)
            #expect(badGrant.json["error"] == "unsupported_grant_type")
        }
    }

    @Test func apiRoutesNeedAToken() async throws {
        try await withICL(seed: "demo") { _, client in
            for path in ["/api/content", "/api/content/building", "/api/content/getchanges", "/api/contenttypes",
                         "/api/contenttype/building"] {
                let reply = try await client.get(path)
                #expect(reply.status == 401, "\(path)")
                #expect(reply.json["unAuthorizedRequest"] == true)
                #expect(reply.json["success"] == false)
                #expect(reply.json["__abp"] == true)
                #expect(reply.json["result"] == .null)
                #expect(reply.errorMessage == "Current user did not login to the application!")
            }
            var forged = client
            forged.token = "not-a-token"
            #expect(try await forged.get("/api/content").status == 401)
            #expect(try await forged.delete("/api/content/building/GB-00001").status == 401)
        }
    }

    @Test func tokensExpire() async throws {
        try await withICL { _, client in
            let set = try await client.put("/_sandbox/token-lifetime", ["seconds": 1])
            #expect(set.json == ["seconds": 1])
            let session = try await client.login()
            #expect(try await session.get("/api/contenttypes").status == 200)
            try await Task.sleep(for: .milliseconds(1300))
            let expired = try await session.get("/api/contenttypes")
            #expect(expired.status == 401)
            #expect(expired.json["unAuthorizedRequest"] == true)
            // A new token works again: what a client does on a 401.
            #expect(try await client.login().get("/api/contenttypes").status == 200)
        }
    }

    @Test func revokingTokensForcesRenewal() async throws {
        try await withICL { _, client in
            let session = try await client.login()
            #expect(try await session.get("/api/contenttypes").status == 200)
            #expect(try await client.send(.POST, "/_sandbox/revoke-tokens").json["revoked"] == 1)
            #expect(try await session.get("/api/contenttypes").status == 401)
        }
    }
}
