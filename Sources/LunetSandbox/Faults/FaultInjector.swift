import NIOConcurrencyHelpers

/// What the fault layer does to one request.
public struct FaultDecision: Sendable, Equatable {
    public var fault: Fault?
    public var delayMilliseconds: Double
    public var retryAfter: RetryAfter

    public init(fault: Fault?, delayMilliseconds: Double = 0, retryAfter: RetryAfter = .seconds(1)) {
        self.fault = fault
        self.delayMilliseconds = delayMilliseconds
        self.retryAfter = retryAfter
    }
}

extension FaultSpec {
    /// The decision for the `number`th request (counting from 1) under rule
    /// `index`. A pure function of the spec and the count, so the same spec and
    /// the same sequence of requests give the same faults, and adding a rule
    /// or an `@N` fault does not shift the random draws of the others.
    public func decision(rule index: Int, request number: Int) -> FaultDecision {
        let rule = rules[index]
        var random = SplitMix64(seed: seed, stream: UInt64(index), position: UInt64(number))
        let draw = random.nextUnit()
        let delayDraw = random.nextUnit()
        let slowDraw = random.nextUnit()

        var fault = rule.every.first { number % $0.interval == 0 }?.fault
        if fault == nil {
            var threshold = 0.0
            for rate in rule.rates {
                threshold += rate.probability
                if draw < threshold {
                    fault = rate.fault
                    break
                }
            }
        }
        var delay = rule.latency.map { uniform($0, delayDraw) } ?? 0
        if fault == .slow { delay += uniform(rule.slowLatency, slowDraw) }
        return FaultDecision(fault: fault, delayMilliseconds: delay, retryAfter: rule.retryAfter)
    }

    private func uniform(_ range: ClosedRange<Double>, _ draw: Double) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * draw
    }
}

/// The active spec and how many requests each rule has seen; shared by all
/// connections, so concurrent requests are numbered in arrival order.
final class FaultInjector: Sendable {
    private struct State {
        var spec: FaultSpec
        var counts: [Int]
    }

    private let state: NIOLockedValueBox<State>

    init(_ spec: FaultSpec) {
        state = NIOLockedValueBox(State(spec: spec, counts: Array(repeating: 0, count: spec.rules.count)))
    }

    var spec: FaultSpec { state.withLockedValue { $0.spec } }

    /// Installs `spec` and starts its sequence from the first request.
    func replace(with spec: FaultSpec) {
        state.withLockedValue { $0 = State(spec: spec, counts: Array(repeating: 0, count: spec.rules.count)) }
    }

    /// Starts the active spec's sequence again.
    func restart() {
        state.withLockedValue { $0.counts = Array(repeating: 0, count: $0.spec.rules.count) }
    }

    /// Counts the request and decides; nil when no rule governs `path`.
    func decide(path: String) -> FaultDecision? {
        state.withLockedValue { state in
            guard let index = state.spec.ruleIndex(for: path) else { return nil }
            state.counts[index] += 1
            return state.spec.decision(rule: index, request: state.counts[index])
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and well mixed even for
/// neighbouring seeds, which is what per-request streams need.
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64, position: UInt64) {
        state = seed
        state = next() ^ stream
        state = next() ^ position
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
