import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// The sandbox's API token (`Authorization: Bearer …`); it never expires.
/// Tokens that do expire are issued by `POST /integrator/_control/tokens`.
public struct IntegratorCredentials: Sendable, Equatable {
    public var token: String

    public init(token: String) { self.token = token }

    public var authorization: String { "Bearer \(token)" }
}

/// In front of every `/v1` route: the bearer token, then the rate limit.
/// 401 bodies are bare `{"message": …}` (the auth middleware's shape, not the
/// `errors` envelope), with the two documented messages.
struct IntegratorGate: RouterMiddleware {
    typealias Context = BasicRequestContext
    let store: any SandboxStore
    let limiter: IntegratorRateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization] else { return Self.unauthorized("Unauthorized") }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return Self.unauthorized("Bearer Authentication Failed")
        }
        let token = String(parts[1])
        let (valid, rate) = try await store.read { tx in
            (try IntegratorTokens.isValid(tx, token), try IntegratorSettings.rate(tx))
        }
        guard valid else { return Self.unauthorized("Bearer Authentication Failed") }
        if let wait = limiter.admit(token, rate) {
            var error = IntegratorError(
                status: .tooManyRequests, code: "rate_limited",
                message: "Too many requests: wait \(wait) second(s) before trying again.")
            error.headers[.retryAfter] = String(wait)
            return error.response
        }
        return try await next(request, context)
    }

    static func unauthorized(_ message: String) -> Response {
        SandboxJSON.response(["message": .string(message)], status: .unauthorized)
    }
}

/// Issued tokens: `tokens/<token>` → `{expiresAt}` (milliseconds; null: never).
enum IntegratorTokens {
    static let collection = "tokens"

    static func isValid(_ tx: any SandboxTransaction, _ token: String) throws -> Bool {
        if token == IntegratorEmulator.sandboxCredentials.token { return true }
        guard let document = try tx.get(collection, id: token) else { return false }
        guard let expiry = document["expiresAt"]?.integer else { return true }
        return expiry > IntegratorHTTP.nowMilliseconds()
    }

    static func issue(_ tx: any SandboxTransaction, lifetime seconds: Double?) throws -> JSONValue {
        let token = "sandbox-" + IntegratorHTTP.newID() + IntegratorHTTP.newID().suffix(8)
        let expiry: JSONValue = seconds.map { .integer(IntegratorHTTP.nowMilliseconds() + Int64($0 * 1000)) } ?? .null
        try tx.put(collection, id: token, ["expiresAt": expiry])
        return [
            "token": .string(token),
            "expiresAt": expiry.integer.map { .string(IntegratorTime.format($0)) } ?? .null,
        ]
    }
}

/// A leaky bucket per token, like integrator.io's per-account limiter: it
/// holds `burst` requests and drains at `perSecond`. Its levels are
/// momentary and live in memory; its settings live in the store.
final class IntegratorRateLimiter: @unchecked Sendable {
    struct Rate: Sendable, Equatable {
        var perSecond: Double
        var burst: Double
        /// integrator.io's documented bucket: 1,000 deep, 300 a second.
        static let documented = Rate(perSecond: 300, burst: 1000)
    }

    private let lock = NSLock()
    private var levels: [String: (level: Double, at: Date)] = [:]

    /// nil when the request may pass, else the whole seconds to wait.
    func admit(_ token: String, _ rate: Rate, now: Date = Date()) -> Int? {
        guard rate.perSecond > 0 else { return nil }
        lock.lock()
        defer { lock.unlock() }
        let previous = levels[token] ?? (0, now)
        let level = max(0, previous.level - now.timeIntervalSince(previous.at) * rate.perSecond)
        guard level + 1 <= rate.burst else {
            levels[token] = (level, now)
            return max(1, Int(((level + 1 - rate.burst) / rate.perSecond).rounded(.up)))
        }
        levels[token] = (level + 1, now)
        return nil
    }

    func reset() {
        lock.lock()
        levels = [:]
        lock.unlock()
    }
}
