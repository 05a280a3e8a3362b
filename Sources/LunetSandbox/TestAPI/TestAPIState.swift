import Foundation

/// Everything the test API remembers, in memory, behind one lock: plain
/// synchronous calls, so tests can read and change it from anywhere
/// (including from callbacks that cannot await).
public final class TestAPIState: @unchecked Sendable {
    private let lock = NSLock()

    // Guarded by `lock`:
    private var flakyCounts: [String: Int] = [:]
    private var grants: [String: Int] = [:]
    private var accessTokens: [String: Date] = [:]  // token → expiry
    private var refreshTokens: Set<String> = []
    private var spentRefreshTokens: Set<String> = []
    private var refreshUses: [String] = []
    private var events: [String] = []
    private var counter = 0
    private var expiresIn = 3600
    private var rejectAllTokens = false

    public init() {}

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    public func reset() {
        locked {
            flakyCounts = [:]
            grants = [:]
            accessTokens = [:]
            refreshTokens = []
            spentRefreshTokens = []
            refreshUses = []
            events = []
            counter = 0
            expiresIn = 3600
            rejectAllTokens = false
        }
    }

    /// Count a request for `key`; returns its 1-based number.
    func nextAttempt(_ key: String) -> Int {
        locked {
            flakyCounts[key, default: 0] += 1
            return flakyCounts[key]!
        }
    }

    // MARK: OAuth

    /// Seconds new access tokens live.
    public var tokenLifetime: Int {
        get { locked { expiresIn } }
        set { locked { expiresIn = newValue } }
    }

    /// When set, `/test/protected` answers 401 to every token.
    public var rejectingAllTokens: Bool {
        get { locked { rejectAllTokens } }
        set { locked { rejectAllTokens = newValue } }
    }

    public func grantCount(_ type: String? = nil) -> Int {
        locked { type.map { grants[$0, default: 0] } ?? grants.values.reduce(0, +) }
    }

    /// The refresh tokens presented to the token endpoint, in order.
    public var refreshTokensUsed: [String] { locked { refreshUses } }

    /// Refresh tokens that are valid now (not yet used).
    public var liveRefreshTokens: Set<String> { locked { refreshTokens } }

    /// What happened, in order ("grant refresh_token", "use <token>", and
    /// whatever tests `note`).
    public var log: [String] { locked { events } }

    public func note(_ event: String) { locked { events.append(event) } }

    /// Issue a token set: (access, refresh, expires_in).
    func issue(grant: String, withRefresh: Bool) -> (String, String?, Int) {
        locked {
            counter += 1
            grants[grant, default: 0] += 1
            let access = "at-\(counter)-" + UUID().uuidString.prefix(8)
            accessTokens[access] = Date().addingTimeInterval(TimeInterval(expiresIn))
            var refresh: String?
            if withRefresh {
                refresh = "rt-\(counter)-" + UUID().uuidString.prefix(8)
                refreshTokens.insert(refresh!)
            }
            events.append("grant \(grant) access=\(access) refresh=\(refresh ?? "-")")
            return (access, refresh, expiresIn)
        }
    }

    /// Accept a refresh token once. `nil` reason: accepted (and spent).
    func spendRefreshToken(_ token: String) -> String? {
        locked {
            refreshUses.append(token)
            if refreshTokens.remove(token) != nil {
                spentRefreshTokens.insert(token)
                return nil
            }
            return spentRefreshTokens.contains(token) ? "refresh token already used" : "unknown refresh token"
        }
    }

    /// Make a refresh token valid (tests start a chain with it).
    public func addRefreshToken(_ token: String) { locked { _ = refreshTokens.insert(token) } }

    /// Why `token` is refused, or nil when it is good; logs the use.
    func check(accessToken token: String) -> String? {
        locked {
            if rejectAllTokens { return "token rejected" }
            guard let expiry = accessTokens[token] else { return "invalid or revoked token" }
            guard expiry > Date() else { return "token expired" }
            events.append("use \(token)")
            return nil
        }
    }

    /// Revoke every access token (a mid-run 401); or just `token`.
    public func revoke(_ token: String? = nil) {
        locked {
            if let token { accessTokens[token] = nil } else { accessTokens = [:] }
        }
    }
}
