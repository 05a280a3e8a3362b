import Foundation
import LunetJSON

/// Bearer tokens from an OAuth 2 token endpoint, renewed before they expire
/// and once after a 401, with one renewal at a time per provider: concurrent
/// requests that need a token wait for the same renewal (an actor, so the
/// bookkeeping is serial while the network waits are not).
public actor OAuth2Provider: AuthProvider {
    public enum Mode: Sendable {
        /// `grant_type=client_credentials`, re-run on expiry.
        case clientCredentials
        /// `grant_type=password`; renewed with the refresh token when the
        /// server issued one, else (or when it is refused) by re-running the grant.
        case password(username: String, password: String)
        /// Start from this refresh token. Rotations are written to the
        /// credential store, and a later run continues from the newest one.
        case refreshToken(String)
        /// Tokens `lunet login` stored; refreshed (and rotated) in the store.
        case storedTokens
    }

    public let client: OAuth2Client
    public let mode: Mode
    public let store: CredentialStore?
    public let key: CredentialKey?

    private var current: TokenSet?
    /// The access token the server rejected; renewed before the next use.
    private var rejected: String?
    private var renewal: Task<TokenSet, Error>?
    private(set) public var renewals = 0

    /// - store, key: where refresh tokens live durably; required for
    ///   `.storedTokens`, strongly advised for `.refreshToken` (without it a
    ///   rotated token lives only as long as the process).
    public init(client: OAuth2Client, mode: Mode, store: CredentialStore? = nil, key: CredentialKey? = nil) {
        self.client = client
        self.mode = mode
        self.store = store
        self.key = key
        switch mode {
        case .password(_, let password): client.engine.redactor.register(secret: password)
        case .refreshToken(let token): client.engine.redactor.register(secret: token)
        default: break
        }
    }

    public func authorize(_ request: inout HTTPRequest) async throws {
        request.headers["Authorization"] = try await validToken().authorization
    }

    public func invalidate(request: HTTPRequest, response: HTTPResponse) async -> Bool {
        // Only the token that was sent is suspect: when a renewal already
        // replaced it, the retry simply uses the new one.
        if let current, request.headers["Authorization"] == current.authorization { rejected = current.accessToken }
        return true
    }

    /// A token fit to send now, renewing it first when needed.
    public func validToken() async throws -> TokenSet {
        if let current, current.accessToken != rejected, !current.needsRenewal(at: now) { return current }
        if let renewal { return try await renewal.value }
        let replacing = current
        let task = Task { try await self.obtain(replacing: replacing) }
        renewal = task
        defer { renewal = nil }
        let fresh = try await task.value
        current = fresh
        rejected = nil
        renewals += 1
        return fresh
    }

    private var now: Date { client.engine.clock.date() }

    // MARK: Obtaining tokens

    private func obtain(replacing old: TokenSet?) async throws -> TokenSet {
        switch mode {
        case .clientCredentials:
            return try await client.token(.clientCredentials)
        case .password(let username, let password):
            if let refresh = old?.refreshToken {
                do { return try await client.token(.refreshToken(refresh)) } catch let e as APIError where e.code == "invalid_grant" {
                    client.engine.trace?.note("refresh token refused; signing in again")
                }
            }
            return try await client.token(.password(username: username, password: password))
        case .refreshToken(let configured):
            guard let store, let key else {
                let refresh = old?.refreshToken ?? configured
                var fresh = try await client.token(.refreshToken(refresh))
                if fresh.refreshToken == nil { fresh.refreshToken = refresh }
                return fresh
            }
            return try await rotate(in: store, key: key, replacing: old, configured: configured)
        case .storedTokens:
            guard let store, let key else { throw missing("no credential store configured") }
            return try await rotate(in: store, key: key, replacing: old, configured: nil)
        }
    }

    /// The cross-process protocol: under the store's lock, re-read; if
    /// another run already renewed (a fresh token we have not seen), use it;
    /// else refresh with the newest refresh token and write the result
    /// before anyone uses the new access token. A crash after the server
    /// rotated but before the write is the one window that can lose the
    /// session; writing first is impossible (the new token is not known
    /// until the server answers), so the window is kept to one fsync.
    private func rotate(
        in store: CredentialStore, key: CredentialKey, replacing old: TokenSet?, configured: String?
    ) async throws -> TokenSet {
        let client = self.client
        let rejected = self.rejected
        let origin = configured.map(Self.fingerprint)
        let service = key
        return try await store.update(key) { entry -> (CredentialEntry?, TokenSet) in
            let now = client.engine.clock.date()
            let sameChain = configured == nil || (entry?.origin != nil && entry?.origin == origin)
            if sameChain, let stored = entry?.tokens, stored.accessToken != old?.accessToken,
                stored.accessToken != rejected, !stored.needsRenewal(at: now)
            {
                client.engine.redactor.register(secret: stored.accessToken)
                client.engine.redactor.register(secret: stored.refreshToken)
                return (entry, stored)  // another run renewed a moment ago
            }
            guard let refresh = sameChain ? entry?.refreshToken : configured else {
                throw Self.missingError(client.api, "no refresh token stored for \(service); run `lunet login \(service.service) --profile \(service.profile)`")
            }
            client.engine.redactor.register(secret: refresh)
            var fresh: TokenSet
            do {
                fresh = try await client.token(.refreshToken(refresh))
            } catch var e as APIError where e.code == "invalid_grant" {
                e.message += "; sign in again with `lunet login \(service.service) --profile \(service.profile)`"
                throw e
            }
            if fresh.refreshToken == nil { fresh.refreshToken = refresh }
            var updated = sameChain ? (entry ?? CredentialEntry()) : CredentialEntry()
            updated.apply(fresh, at: now)
            if let origin { updated.origin = origin }
            return (updated, fresh)
        }
    }

    private func missing(_ text: String) -> APIError { Self.missingError(client.api, text) }

    private static func missingError(_ api: APIName, _ text: String) -> APIError {
        APIError(api: api, method: "POST", url: "", message: text)
    }

    /// A stable, non-reversible tag for a refresh token (FNV-1a, 64 bit):
    /// enough to tell "the same configured token as last run" without
    /// storing the configured token itself.
    static func fingerprint(_ token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
