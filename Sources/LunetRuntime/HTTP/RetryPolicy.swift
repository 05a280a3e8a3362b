import Foundation

/// When and how long to wait before sending a request again (wire.md,
/// "Common to all four"; docs/http.md has the table).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int = 5
    /// Backoff before retry n is uniform in [0, min(cap, base·2ⁿ⁻¹)]
    /// ("full jitter": many clients failing together do not retry together).
    public var base: Duration = .milliseconds(500)
    public var cap: Duration = .seconds(30)

    public init(maxAttempts: Int = 5, base: Duration = .milliseconds(500), cap: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// What failed in one attempt.
    public enum Outcome: Sendable {
        case status(Int)
        case transport(TransportFailure)
    }

    /// Whether this failure is worth another attempt for this request, not
    /// counting attempt limits, budget and deadline.
    ///
    /// - 429 and 503 say the server declined the work: any method.
    /// - 502, 504, 500 and a timeout or reset mid-exchange leave open whether
    ///   the server acted: only requests that are safe to repeat (idempotent
    ///   methods, or declared `.safe`); 500 only for GET, HEAD, PUT, DELETE.
    /// - A connect failure never reached the server: any method.
    public static func isRetryable(_ outcome: Outcome, method: HTTPRequest.Method, mode: RetryMode) -> Bool {
        if mode == .never { return false }
        let repeatable = mode == .safe || method.isIdempotent
        switch outcome {
        case .status(let code):
            switch code {
            case 429, 503: return true
            case 502, 504: return repeatable
            case 500: return mode == .safe || ["GET", "HEAD", "PUT", "DELETE"].contains(method.rawValue)
            default: return false
            }
        case .transport(let failure):
            switch failure.kind {
            case .connect: return true
            case .timeout, .reset: return repeatable
            case .other: return false
            }
        }
    }

    /// Full-jitter backoff before retry number `retry` (1 for the first).
    public func backoff(retry: Int, random: Double) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(cap.inSeconds, base.inSeconds * pow(2, Double(exponent)))
        return .milliseconds(Int64((ceiling * random * 1000).rounded()))
    }

    /// The wait before retry `retry`: the backoff, but never less than the
    /// server's Retry-After.
    public func wait(retry: Int, random: Double, retryAfter: Duration?) -> Duration {
        let jitter = backoff(retry: retry, random: random)
        guard let retryAfter else { return jitter }
        return max(jitter, retryAfter)
    }
}

/// A per-run allowance of retries, so a dead server cannot make a run spin:
/// retries may not exceed `ratio` of the requests sent plus `floor`.
public final class RetryBudget: Sendable {
    public let ratio: Double
    public let floor: Int
    private let counts = LockedValue((requests: 0, retries: 0))

    public init(ratio: Double = 0.1, floor: Int = 20) {
        self.ratio = ratio
        self.floor = floor
    }

    public static var unlimited: RetryBudget { RetryBudget(ratio: 0, floor: Int.max / 2) }

    func recordRequest() { counts.withLock { $0.requests += 1 } }

    /// Take one retry from the budget; false when it is spent.
    func spend() -> Bool {
        counts.withLock { c in
            let allowed = Double(floor) + ratio * Double(c.requests)
            guard Double(c.retries) < allowed else { return false }
            c.retries += 1
            return true
        }
    }

    public var retriesSpent: Int { counts.withLock { $0.retries } }
}
