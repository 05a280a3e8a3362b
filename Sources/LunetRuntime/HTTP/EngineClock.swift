import Foundation

/// Time as the engine sees it: a monotonic clock for deadlines and waits, the
/// wall clock for HTTP dates and token expiry, and sleeping. Injected so
/// tests of backoff, Retry-After and expiry run instantly and exactly.
public struct EngineClock: Sendable {
    /// Monotonic time since an arbitrary origin.
    public var now: @Sendable () -> Duration
    /// Wall-clock time.
    public var date: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        now: @escaping @Sendable () -> Duration, date: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.now = now
        self.date = date
        self.sleep = sleep
    }

    public static let system: EngineClock = {
        let origin = ContinuousClock.now
        return EngineClock(
            now: { ContinuousClock.now - origin },
            date: { Date() },
            sleep: { try await Task.sleep(for: $0) })
    }()
}

/// A number in [0, 1) for jitter; injected for deterministic tests.
public struct RandomSource: Sendable {
    public var next: @Sendable () -> Double
    public init(_ next: @escaping @Sendable () -> Double) { self.next = next }
    public static let system = RandomSource { Double.random(in: 0..<1) }
    public static func constant(_ value: Double) -> RandomSource { RandomSource { value } }
}

extension Duration {
    /// Seconds as a Double (Duration has no such accessor).
    public var inSeconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
