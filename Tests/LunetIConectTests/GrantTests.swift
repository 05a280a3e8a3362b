import Foundation
import LunetJSON
import LunetSandbox
import LunetTestSupport
import Testing

@testable import LunetIConect
@testable import LunetRuntime

/// The sign-in of iCONECT connections (IConectAuth and the generic pieces
/// in LunetRuntime/Auth) against the emulator's identity provider.
@Suite("iCONECT grants")
struct GrantTests {
    static let c = IConectEmulator.sandboxCredentials

    static func options(_ server: SandboxServer, _ values: [String: String]) -> ResolvedOptions {
        var o = ResolvedOptions(service: .iconect, profile: "test")
        var all = ["identity_url": server.baseURL + "/iconect/identity", "client_id": c.clientID]
        for (k, v) in values { all[k] = v }
        for (k, v) in all { o.options[k] = ResolvedOption(value: .string(v), origin: .explicit, isSecret: false) }
        return o
    }

    static func context(_ store: CredentialStore, engine: HTTPEngine = HTTPEngine()) -> ConnectContext {
        ConnectContext(engine: engine, credentials: store, profile: "test")
    }

    static func provider(_ server: SandboxServer, _ values: [String: String], _ context: ConnectContext) throws -> any AuthProvider {
        let o = options(server, values)
        return try IConectAuth.provider(o, context, tokenURL: try IConectAuth.identityURL(o, route: "identity.token"))
    }

    /// GET /user with `auth`.
    static func user(_ server: SandboxServer, _ auth: any AuthProvider, _ engine: HTTPEngine) async throws -> HTTPResponse {
        let client = APIClient(api: .iconect, baseURL: URL(string: server.baseURL + "/iconect/api/v1")!, engine: engine, auth: auth)
        return try await client.send(client.request(.get, "/user"))
    }

    /// Runs the authorization-code flow against the emulator, as `lunet
    /// login` does, with the browser's redirect read from the 302.
    static func signIn(_ server: SandboxServer, engine: HTTPEngine) async throws -> (AuthorizationCodeFlow, String) {
        let flow = try IConectAuth.loginFlow(
            options(server, ["scope": c.scope]), engine: engine, redirectURI: "http://127.0.0.1:9/callback")
        let reply = try await IConectClient(base: server.baseURL).send(.GET, url: flow.url.absoluteString, bearer: .some(nil))
        #expect(reply.status == 302)
        return (flow, try #require(reply.headers.first(name: "Location")))
    }

    static func tokenRequests(_ server: SandboxServer) async throws -> [JSONValue] {
        let reply = try await IConectClient(base: server.baseURL).send(.GET, url: server.baseURL + "/_sandbox/requests")
        return (reply.json["requests"]?.array ?? []).filter { $0["path"]?.string == "/iconect/identity/openid/token" }
    }

    @Test func pkceChallengeIsS256OfTheVerifier() {
        // RFC 7636 appendix B.
        let pair = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(pair.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(pair.method == "S256")
        let a = PKCE(), b = PKCE()
        #expect(a.verifier != b.verifier)
        #expect(a.verifier.count == 43)
        #expect(a.verifier.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(a.challenge == PKCE.challenge(for: a.verifier))
    }

    @Test func authorizationCodeFlowWithPKCEAndState() async throws {
        try await withIConect(seed: nil) { server, _ in
            let engine = HTTPEngine()
            let (flow, location) = try await Self.signIn(server, engine: engine)
            let query = try #require(URLComponents(string: flow.url.absoluteString)?.queryItems)
            let sent = Dictionary(uniqueKeysWithValues: query.map { ($0.name, $0.value ?? "") })
            #expect(sent["code_challenge"] == flow.pkce.challenge)
            #expect(sent["code_challenge_method"] == "S256")
            #expect(sent["state"] == flow.state)
            #expect(sent["scope"] == "openid iconect_api")
            #expect(flow.state.count >= 22)

            // A redirect with another state is refused before any exchange.
            let forged = location.replacingOccurrences(of: "state=\(flow.state)", with: "state=forged")
            #expect(throws: AuthorizationCodeFlow.Failure.self) { try flow.code(fromRedirect: forged) }
            #expect(throws: AuthorizationCodeFlow.Failure.self) {
                try flow.code(fromRedirect: "http://127.0.0.1:9/callback?code=abc")
            }
            #expect(throws: AuthorizationCodeFlow.Failure.self) {
                try flow.code(fromRedirect: "http://127.0.0.1:9/callback?error=access_denied&state=\(flow.state)")
            }
            let code = try flow.code(fromRedirect: location)
            let tokens = try await flow.exchange(code: code)
            #expect(tokens.refreshToken != nil)
            #expect(tokens.lifetime == 3600)
            // The code is single use.
            await #expect(throws: APIError.self) { _ = try await flow.exchange(code: code) }

            // Another flow's verifier does not redeem this flow's code.
            let (second, secondLocation) = try await Self.signIn(server, engine: engine)
            let stolen = AuthorizationCodeFlow(
                authorizeURL: second.authorizeURL, client: second.client, redirectURI: second.redirectURI,
                scope: second.scope, state: second.state, pkce: PKCE())
            let secondCode = try second.code(fromRedirect: secondLocation)
            let error = await apiError { _ = try await stolen.exchange(code: secondCode) }
            #expect(error?.code == "invalid_grant")
        }
    }

    @Test func storedLoginRotatesDurablyBeforeUseAndAcrossProcesses() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await withIConect(seed: nil) { server, client in
            // Every token is due for renewal at once (lifetime 1 s < margin).
            #expect(try await client.settings(["access_token_lifetime": 1]).status == 200)
            let path = home + "/credentials.json"
            let persisted = Persisted()
            let store = CredentialStore(path: path) { _, entry in persisted.add(entry?.accessToken) }
            let key = IConectAuth.credentialKey(profile: "test")
            let (flow, location) = try await Self.signIn(server, engine: HTTPEngine())
            let login = try await flow.exchange(code: try flow.code(fromRedirect: location))
            try await store.set(key, CredentialEntry(tokens: login, updatedAt: Date()))

            let engine = HTTPEngine()
            let inner = try Self.provider(server, ["grant": "authorization_code"], Self.context(store, engine: engine))
            let recording = Recording(inner: inner, persisted: persisted)
            #expect(try await Self.user(server, recording, engine).status == 200)
            let afterFirst = try #require(try store.entry(key))
            #expect(afterFirst.refreshToken != login.refreshToken)
            #expect(recording.usedBeforePersisted.isEmpty, "tokens used before they were stored: \(recording.usedBeforePersisted)")
            #expect(!recording.used.isEmpty)

            // The spent refresh token is refused by the server.
            let reuse = try await client.form(
                "/openid/token", ["grant_type": "refresh_token", "refresh_token": login.refreshToken!, "client_id": Self.c.clientID])
            #expect(reuse.json["error"] == "invalid_grant")

            // "Another process": its own store object and engine on the same
            // file, continuing from the rotated token.
            let otherStore = CredentialStore(path: path)
            let otherEngine = HTTPEngine()
            let other = try Self.provider(server, ["grant": "authorization_code"], Self.context(otherStore, engine: otherEngine))
            #expect(try await Self.user(server, other, otherEngine).status == 200)
            let afterOther = try #require(try otherStore.entry(key))
            #expect(afterOther.refreshToken != afterFirst.refreshToken)
            // And the first one again picks up the other's rotation.
            #expect(try await Self.user(server, recording, engine).status == 200)
            #expect(recording.usedBeforePersisted.isEmpty)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            // Every refresh the server saw succeeded: no process reused a spent token.
            let refreshes = try await Self.tokenRequests(server).filter { $0["status"]?.integer != 200 }
            #expect(refreshes.count == 1, "only the deliberate reuse failed: \(refreshes)")
        }
    }

    @Test func refreshTokenGrantStoresItsRotations() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await withIConect(seed: nil) { server, client in
            let (flow, location) = try await Self.signIn(server, engine: HTTPEngine())
            let start = try await flow.exchange(code: try flow.code(fromRedirect: location))
            let store = CredentialStore(path: home + "/credentials.json")
            let engine = HTTPEngine()
            let auth = try Self.provider(
                server, ["grant": "refresh_token", "refresh_token": start.refreshToken!], Self.context(store, engine: engine))
            #expect(try await Self.user(server, auth, engine).status == 200)
            let entry = try #require(try store.entry(IConectAuth.credentialKey(profile: "test")))
            #expect(entry.refreshToken != nil && entry.refreshToken != start.refreshToken)
            // A later run with the same (now spent) configured token continues the chain.
            let laterEngine = HTTPEngine()
            let later = try Self.provider(
                server, ["grant": "refresh_token", "refresh_token": start.refreshToken!],
                Self.context(CredentialStore(path: home + "/credentials.json"), engine: laterEngine))
            #expect(try await client.settings(["access_token_lifetime": 1]).status == 200)
            _ = try await Self.user(server, later, laterEngine)
            #expect(try await Self.user(server, later, laterEngine).status == 200)
        }
    }

    @Test func passwordGrantRunsAgainOnExpiryAndAfterA401() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await withIConect(seed: nil) { server, client in
            #expect(try await client.settings(["access_token_lifetime": 1]).status == 200)
            let engine = HTTPEngine()
            let auth = try Self.provider(
                server, ["grant": "password", "username": Self.c.username, "password": Self.c.password],
                Self.context(CredentialStore(path: home + "/c.json"), engine: engine))
            let before = try await Self.tokenRequests(server).count  // the harness's own sign-in
            #expect(try await Self.user(server, auth, engine).status == 200)
            #expect(try await Self.user(server, auth, engine).status == 200)
            let grants = try await Self.tokenRequests(server).count - before
            #expect(grants == 2, "one password grant per expired token: \(grants)")
            #expect(!FileManager.default.fileExists(atPath: home + "/c.json"), "the password grant stores nothing")

            // A long-lived token the server forgets (reset): one 401, one new grant, one retry.
            #expect(try await client.settings(["access_token_lifetime": 3600]).status == 200)
            _ = try await Self.user(server, auth, engine)
            _ = try await IConectClient(base: server.baseURL).send(.POST, url: server.baseURL + "/_sandbox/reset")
            let again = try await Self.user(server, auth, engine)
            #expect(again.status == 200)
            #expect(again.attempts == 2)
        }
    }

    @Test func configurationProblemsAreNamed() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await withIConect(seed: nil) { server, _ in
            let context = Self.context(CredentialStore(path: home + "/credentials.json"))
            func message(_ values: [String: String]) -> String {
                do {
                    _ = try Self.provider(server, values, context)
                    return "no error"
                } catch { return "\(error)" }
            }
            #expect(message(["grant": "authorization_code"]).contains("run `lunet login iconect --profile test`"))
            #expect(message(["grant": "device"]).contains("unknown grant 'device'; use one of: password, authorization_code, refresh_token"))
            #expect(message(["grant": "password", "username": "u"]).contains("needs options 'username' and 'password'"))
            #expect(message(["grant": "refresh_token"]).contains("needs option 'refresh_token'"))
            #expect(message([:]).contains("no credentials"))
            #expect(message(["token": "ready"]) == "no error")
            let ready = try Self.provider(server, ["token": "ready"], context)
            #expect(ready is HeaderCredential)
            let password = try Self.provider(server, ["username": "u", "password": "p"], context)
            #expect(password is OAuth2Provider)
        }
    }
}

/// Access tokens as the credential store wrote them, in order.
final class Persisted: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: [String] = []
    func add(_ token: String?) {
        lock.lock()
        defer { lock.unlock() }
        if let token { tokens.append(token) }
    }
    func contains(_ token: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return tokens.contains(token)
    }
}

/// Wraps a provider and notes every access token it puts on a request
/// that the store had not yet written.
final class Recording: AuthProvider, @unchecked Sendable {
    let inner: any AuthProvider
    let persisted: Persisted
    private let lock = NSLock()
    private(set) var used: [String] = []
    private(set) var usedBeforePersisted: [String] = []

    init(inner: any AuthProvider, persisted: Persisted) {
        self.inner = inner
        self.persisted = persisted
    }

    func authorize(_ request: inout HTTPRequest) async throws {
        try await inner.authorize(&request)
        let token = String((request.headers["Authorization"] ?? "").dropFirst("Bearer ".count))
        note(token, stored: persisted.contains(token))
    }

    private func note(_ token: String, stored: Bool) {
        lock.withLock {
            used.append(token)
            if !stored { usedBeforePersisted.append(token) }
        }
    }

    func invalidate(request: HTTPRequest, response: HTTPResponse) async -> Bool {
        await inner.invalidate(request: request, response: response)
    }
}

func apiError(_ body: () async throws -> Void) async -> APIError? {
    do {
        try await body()
        return nil
    } catch let error as APIError {
        return error
    } catch {
        return nil
    }
}
