/// Which faults the sandbox injects, parsed from text such as
/// `seed=42,429=0.1,503@5,latency=5..50ms;path=/icl/token` (grammar in
/// docs/sandbox.md). Rules are separated by `;` and the first rule whose
/// `path=` matches a request governs it; the seed is shared by all rules.
public struct FaultSpec: Sendable, Equatable, CustomStringConvertible {
    public var seed: UInt64 = 0
    public var rules: [FaultRule] = []

    public static let none = FaultSpec()

    public init(seed: UInt64 = 0, rules: [FaultRule] = []) {
        self.seed = seed
        self.rules = rules
    }

    /// Parses a spec; the error names the part that is wrong.
    public init(parsing text: String) throws(FaultSpecError) {
        self = try FaultSpecParser.parse(text)
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// Index of the rule that governs `path`, if any.
    public func ruleIndex(for path: String) -> Int? {
        rules.firstIndex { $0.matches(path: path) }
    }

    /// The canonical text: parsing it gives this spec back.
    public var description: String {
        if rules.isEmpty { return seed == 0 ? "" : "seed=\(seed)" }
        return rules.enumerated().map { index, rule in
            let parts = (index == 0 ? ["seed=\(seed)"] : []) + rule.parts
            return parts.joined(separator: ",")
        }.joined(separator: ";")
    }
}

/// One `;`-separated rule: where it applies and what it does there.
public struct FaultRule: Sendable, Equatable {
    /// Path prefix (whole segments: `/icl/api` matches `/icl/api/x`, not `/icl/apix`); nil matches all.
    public var path: String?
    /// Checked first: the Nth, 2Nth, … request under this rule gets the fault.
    public var every: [FaultEvery] = []
    /// Otherwise one random draw picks at most one of these.
    public var rates: [FaultRate] = []
    /// Added to every request under this rule, in milliseconds, drawn uniformly.
    public var latency: ClosedRange<Double>?
    /// Extra delay of a request that drew the `slow` fault, in milliseconds.
    public var slowLatency: ClosedRange<Double> = FaultRule.defaultSlowLatency
    /// What an injected 429 says in `Retry-After`.
    public var retryAfter: RetryAfter = .seconds(1)

    public static let defaultSlowLatency: ClosedRange<Double> = 2000...2000

    public init(
        path: String? = nil, every: [FaultEvery] = [], rates: [FaultRate] = [],
        latency: ClosedRange<Double>? = nil, slowLatency: ClosedRange<Double> = FaultRule.defaultSlowLatency,
        retryAfter: RetryAfter = .seconds(1)
    ) {
        self.path = path
        self.every = every
        self.rates = rates
        self.latency = latency
        self.slowLatency = slowLatency
        self.retryAfter = retryAfter
    }

    public func matches(path requestPath: String) -> Bool {
        guard let path else { return true }
        if path.hasSuffix("/") { return requestPath.hasPrefix(path) }
        return requestPath == path || requestPath.hasPrefix(path + "/")
    }

    var parts: [String] {
        var parts: [String] = []
        if let path { parts.append("path=\(path)") }
        parts += every.map { "\($0.fault)@\($0.interval)" }
        parts += rates.map { "\($0.fault)=\(FaultSpec.numberText($0.probability))" }
        if let latency { parts.append("latency=" + formatMilliseconds(latency)) }
        if slowLatency != Self.defaultSlowLatency { parts.append("slow-latency=" + formatMilliseconds(slowLatency)) }
        if retryAfter != .seconds(1) { parts.append("retry-after=\(retryAfter)") }
        return parts
    }

    private func formatMilliseconds(_ range: ClosedRange<Double>) -> String {
        range.lowerBound == range.upperBound
            ? "\(FaultSpec.numberText(range.lowerBound))ms"
            : "\(FaultSpec.numberText(range.lowerBound))..\(FaultSpec.numberText(range.upperBound))ms"
    }
}

/// The `Retry-After` of an injected 429: seconds, or an HTTP date that many
/// seconds ahead (clients must accept both forms).
public enum RetryAfter: Sendable, Equatable, CustomStringConvertible {
    case seconds(Int)
    case date(secondsAhead: Int)

    public var description: String {
        switch self {
        case .seconds(let seconds): String(seconds)
        case .date(let seconds): "date+\(seconds)"
        }
    }
}

public struct FaultRate: Sendable, Equatable {
    public var fault: Fault
    public var probability: Double

    public init(_ fault: Fault, _ probability: Double) {
        self.fault = fault
        self.probability = probability
    }
}

public struct FaultEvery: Sendable, Equatable {
    public var fault: Fault
    public var interval: Int

    public init(_ fault: Fault, every interval: Int) {
        self.fault = fault
        self.interval = interval
    }
}

/// What happens to a request instead of its normal answer.
public enum Fault: Sendable, Hashable, CustomStringConvertible {
    /// Answered with this status (400–599) by the sandbox; the module never sees the request.
    case status(Int)
    /// The connection is reset before the module sees the request.
    case reset
    /// The module handles the request, then the connection is reset instead of
    /// its answer: the client cannot know whether the write happened.
    case resetAfter
    /// Answered normally, but only after the rule's `slow-latency`: a share of
    /// requests slow enough to trip a client's timeout.
    case slow

    public init?(name: String) {
        switch name {
        case "reset": self = .reset
        case "reset-after": self = .resetAfter
        case "slow": self = .slow
        default:
            guard name.count == 3, name.allSatisfy(\.isASCII), let code = Int(name) else { return nil }
            self = .status(code)
        }
    }

    public var description: String {
        switch self {
        case .status(let code): String(code)
        case .reset: "reset"
        case .resetAfter: "reset-after"
        case .slow: "slow"
        }
    }
}

public struct FaultSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var part: String
    public var reason: String

    public var description: String { "bad fault spec part '\(part)': \(reason)" }
}

extension FaultSpec {
    /// Shortest text for a number: 20 → "20", 0.05 → "0.05".
    static func numberText(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
