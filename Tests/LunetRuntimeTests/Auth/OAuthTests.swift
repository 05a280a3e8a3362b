import Foundation
import LunetJSON
import LunetSandbox
import Testing
@testable import LunetRuntime

@Suite("OAuth providers")
struct OAuthTests {
    static let secret = "test-client-secret-1"

    static func api(passwordRefresh: Bool = false) -> TestAPI {
        TestAPI(oauth: .init(clientID: "lunet", clientSecret: secret, passwordIssuesRefreshToken: passwordRefresh))
    }

    static func client(_ server: TestServer, _ engine: HTTPEngine, query: String = "") -> OAuth2Client {
        OAuth2Client(
            tokenURL: server.url("/test/oauth/token" + query), clientID: "lunet", clientSecret: secret, api: .iconect,
            engine: engine)
    }

    static func protected(_ server: TestServer) -> HTTPRequest { HTTPRequest(.get, server.url("/test/protected")) }

    @Test func renewsAheadOfExpiry() async throws {
        try await withTestServer(Self.api()) { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock)
            let auth = OAuth2Provider(client: Self.client(server, engine, query: "?expires_in=1000"), mode: .clientCredentials)
            let context = HTTPEngine.Context(api: .iconect, auth: auth)
            _ = try await engine.send(Self.protected(server), context)
            #expect(server.state.grantCount() == 1)
            // Margin: max(30 s, 10 % of 1000 s) = 100 s.
            clock.advance(.seconds(899))
            _ = try await engine.send(Self.protected(server), context)
            #expect(server.state.grantCount() == 1)
            clock.advance(.seconds(2))
            _ = try await engine.send(Self.protected(server), context)
            #expect(server.state.grantCount() == 2)
        }
        let short = TokenSet(accessToken: "a", expiresAt: Date(timeIntervalSince1970: 100), lifetime: 60)
        #expect(!short.needsRenewal(at: Date(timeIntervalSince1970: 69)))  // 31 s left, margin 30 s
        #expect(short.needsRenewal(at: Date(timeIntervalSince1970: 71)))
        #expect(!TokenSet(accessToken: "a").needsRenewal(at: .distantFuture))  // no expiry: renewed on 401 only
    }

    @Test func oneRenewalAfterA401ThenTheErrorStands() async throws {
        try await withTestServer(Self.api()) { server in
            let engine = makeEngine()
            let auth = OAuth2Provider(client: Self.client(server, engine), mode: .clientCredentials)
            let context = HTTPEngine.Context(api: .integrator, auth: auth)
            _ = try await engine.send(Self.protected(server), context)
            server.state.revoke()  // mid-run: the token stops working
            let again = try await engine.send(Self.protected(server), context)
            #expect(again.status == 200)
            #expect(again.attempts == 2)
            #expect(server.state.grantCount() == 2)

            server.state.rejectingAllTokens = true
            let error = await apiError { try await engine.send(Self.protected(server), context) }
            #expect(error?.status == 401)
            #expect(error?.message == "token rejected")  // integrator.io's bare {"message"}
            #expect(error?.attempts == 2)
            #expect(server.state.grantCount() == 3)
        }
    }

    @Test func concurrentRequestsShareOneGrant() async throws {
        try await withTestServer(Self.api()) { server in
            let engine = makeEngine()
            let auth = OAuth2Provider(client: Self.client(server, engine), mode: .clientCredentials)
            let context = HTTPEngine.Context(api: .iconect, auth: auth)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await engine.send(Self.protected(server), context).status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.state.grantCount() == 1)

            // And after a revocation, the twenty 401s lead to one renewal.
            server.state.revoke()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await engine.send(Self.protected(server), context).status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.state.grantCount() == 2)
        }
    }

    @Test func passwordGrantWithoutRefreshTokenRunsAgainOnExpiry() async throws {
        try await withTestServer(Self.api()) { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock)
            let auth = OAuth2Provider(client: Self.client(server, engine, query: "?expires_in=600"), mode: .password(username: "alice", password: "wonderland"))
            _ = try await auth.validToken()
            clock.advance(.seconds(600))
            let token = try await auth.validToken()
            #expect(token.refreshToken == nil)
            #expect(server.state.grantCount("password") == 2)

            let wrong = OAuth2Provider(client: Self.client(server, engine), mode: .password(username: "alice", password: "nope"))
            let error = await apiError { try await wrong.validToken() }
            #expect(error?.code == "invalid_grant")
            #expect(error?.message == "wrong username or password")
            #expect(error?.api == .iconect)
        }
    }

    @Test func passwordGrantUsesItsRefreshTokenWhenIssued() async throws {
        try await withTestServer(Self.api(passwordRefresh: true)) { server in
            let clock = VirtualClock()
            let engine = makeEngine(clock: clock.engineClock)
            let auth = OAuth2Provider(client: Self.client(server, engine), mode: .password(username: "alice", password: "wonderland"))
            _ = try await auth.validToken()
            clock.advance(.seconds(3600))
            _ = try await auth.validToken()
            #expect(server.state.grantCount("password") == 1)
            #expect(server.state.grantCount("refresh_token") == 1)
        }
    }

    @Test func rotatedRefreshTokenIsStoredBeforeItsAccessTokenIsUsed() async throws {
        try await withTestServer(Self.api()) { server in
            let folder = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            server.state.addRefreshToken("rt-seed-from-config")
            let path = folder + "/lunet/credentials.json"
            let store = CredentialStore(path: path) { key, entry in
                server.state.note("persisted refresh=\(entry?.refreshToken ?? "-") access=\(entry?.accessToken ?? "-")")
            }
            let key = CredentialKey(service: "iconect", profile: "default")
            let engine = makeEngine()
            let auth = OAuth2Provider(client: Self.client(server, engine), mode: .refreshToken("rt-seed-from-config"), store: store, key: key)
            _ = try await engine.send(Self.protected(server), .init(api: .iconect, auth: auth))

            let log = server.state.log
            let grant = try #require(log.firstIndex { $0.hasPrefix("grant refresh_token") })
            let persisted = try #require(log.firstIndex { $0.hasPrefix("persisted") })
            let use = try #require(log.firstIndex { $0.hasPrefix("use ") })
            #expect(grant < persisted && persisted < use, "\(log)")
            let entry = try #require(try store.entry(key))
            #expect(server.state.liveRefreshTokens == [entry.refreshToken!])
            #expect(log[use] == "use \(entry.accessToken!)")

            // The file is private and whole.
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let dir = try FileManager.default.attributesOfItem(atPath: folder + "/lunet")
            #expect((dir[.posixPermissions] as? Int) == 0o700)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/lunet").sorted() == ["credentials.json", "credentials.json.lock"])
            #expect(!String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self).contains("rt-seed-from-config"))

            // A later run with the same configuration continues the chain
            // (the configured token was spent long ago).
            let nextRun = OAuth2Provider(client: Self.client(server, makeEngine()), mode: .refreshToken("rt-seed-from-config"), store: CredentialStore(path: path), key: key)
            server.state.revoke()
            _ = try await makeEngine().send(Self.protected(server), .init(api: .iconect, auth: nextRun))
            #expect(server.state.refreshTokensUsed == ["rt-seed-from-config", entry.refreshToken!])
            #expect(server.state.grantCount("refresh_token") == 2)
        }
    }

    @Test func storedTokensNeedALogin() async throws {
        try await withTestServer(Self.api()) { server in
            let folder = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let store = CredentialStore(path: folder + "/credentials.json")
            let auth = OAuth2Provider(client: Self.client(server, makeEngine()), mode: .storedTokens, store: store, key: CredentialKey(service: "iconect", profile: "prod"))
            let error = await apiError { try await auth.validToken() }
            #expect(error?.message.contains("run `lunet login iconect --profile prod`") == true)

            // A refused refresh token says how to recover.
            try await store.set(CredentialKey(service: "iconect", profile: "prod"), {
                var e = CredentialEntry()
                e.refreshToken = "rt-unknown"
                return e
            }())
            let refused = await apiError { try await auth.validToken() }
            #expect(refused?.code == "invalid_grant")
            #expect(refused?.message.contains("sign in again with `lunet login iconect --profile prod`") == true)
        }
    }

    /// Several runs refreshing at once (each its own store instance and
    /// file descriptor, so flock excludes them exactly as it would separate
    /// processes; spawning real processes from the test binary is not
    /// practical): one refresh, everyone ends with the newest token, and the
    /// spent token is never presented twice.
    @Test func concurrentRunsNeverLoseTheRotatedToken() async throws {
        try await withTestServer(Self.api()) { server in
            let folder = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/credentials.json"
            let key = CredentialKey(service: "iconect", profile: "default")
            server.state.addRefreshToken("rt-original")
            var expired = CredentialEntry()
            expired.accessToken = "at-expired"
            expired.refreshToken = "rt-original"
            expired.expiresAt = Date(timeIntervalSinceNow: -10)
            expired.lifetime = 3600
            try await CredentialStore(path: path).set(key, expired)

            let runs = (0..<6).map { _ in
                OAuth2Provider(client: Self.client(server, makeEngine()), mode: .storedTokens, store: CredentialStore(path: path), key: key)
            }
            let tokens = try await withThrowingTaskGroup(of: TokenSet.self) { group in
                for run in runs { group.addTask { try await run.validToken() } }
                return try await group.reduce(into: [TokenSet]()) { $0.append($1) }
            }
            #expect(server.state.refreshTokensUsed == ["rt-original"])
            #expect(server.state.grantCount("refresh_token") == 1)
            let stored = try #require(try CredentialStore(path: path).entry(key))
            #expect(server.state.liveRefreshTokens == [stored.refreshToken!])
            #expect(Set(tokens.map(\.accessToken)) == [stored.accessToken!])
        }
    }

    /// A real second process (flock(1) running a shell that plays another
    /// run) holds the lock and rotates the token; our refresh waits for the
    /// lock, re-reads, finds the fresh token and uses it without a grant.
    @Test func anotherProcessHoldingTheLockWins() async throws {
        try await withTestServer(Self.api()) { server in
            let folder = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/credentials.json"
            let key = CredentialKey(service: "iconect", profile: "default")
            let store = CredentialStore(path: path)
            var expired = CredentialEntry()
            expired.accessToken = "at-expired"
            expired.refreshToken = "rt-original"
            expired.expiresAt = Date(timeIntervalSinceNow: -10)
            try await store.set(key, expired)

            // What the other run will have written: a rotated, fresh pair.
            let rotated = folder + "/rotated.json"
            let otherStore = CredentialStore(path: rotated)
            var fresh = CredentialEntry()
            fresh.accessToken = "at-from-the-other-run"
            fresh.refreshToken = "rt-from-the-other-run"
            fresh.expiresAt = Date(timeIntervalSinceNow: 3600)
            fresh.lifetime = 3600
            try await otherStore.set(key, fresh)

            // The other run: takes the lock, says so, waits for our go,
            // then writes its rotation and exits (releasing the lock).
            let script = "touch '\(folder)/locked'; while [ ! -e '\(folder)/go' ]; do sleep 0.01; done; sleep 0.1; mv '\(rotated)' '\(path)'"
            let other = Task { try await runProcess("/usr/bin/flock", [path + ".lock", "sh", "-c", script]) }
            while !FileManager.default.fileExists(atPath: folder + "/locked") { try await Task.sleep(for: .milliseconds(5)) }

            let auth = OAuth2Provider(client: Self.client(server, makeEngine()), mode: .storedTokens, store: store, key: key)
            let finished = LockedBox(false)
            let ours = Task {
                defer { finished.value = true }
                return try await auth.validToken()
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(!finished.value, "the refresh must wait for the other process's lock")
            _ = FileManager.default.createFile(atPath: folder + "/go", contents: nil)
            let token = try await ours.value
            _ = try await other.value
            #expect(token.accessToken == "at-from-the-other-run")
            #expect(server.state.grantCount() == 0)
            #expect(try store.entry(key)?.refreshToken == "rt-from-the-other-run")
        }
    }
}
