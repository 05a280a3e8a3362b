/// Turns spec text into a `FaultSpec`. Every error names the offending part
/// exactly as written, so a long spec on a command line is easy to fix.
enum FaultSpecParser {
    static func parse(_ text: String) throws(FaultSpecError) -> FaultSpec {
        var spec = FaultSpec()
        var seedSeen = false
        for ruleText in text.split(separator: ";", omittingEmptySubsequences: false) {
            var rule = FaultRule()
            var says = RuleContents()
            for rawPart in ruleText.split(separator: ",", omittingEmptySubsequences: false) {
                let part = rawPart.trimmingWhitespace()
                if part.isEmpty { continue }  // tolerate "a,,b" and a trailing comma
                let parsed = try Part(part)
                if parsed.key == "seed" {
                    if seedSeen { throw parsed.error("seed given twice") }
                    seedSeen = true
                    spec.seed = try parsed.seed()
                } else {
                    try apply(parsed, to: &rule, says: &says)
                }
            }
            // A rule with a path but no faults is kept: it exempts that path
            // from the rules after it.
            if says.anything { spec.rules.append(rule) }
        }
        return spec
    }

    private struct RuleContents {
        var path = false, latency = false, slowLatency = false, retryAfter = false, faults = false
        var rateTotal = 0.0
        var anything: Bool { path || latency || faults }
    }

    private static func apply(_ part: Part, to rule: inout FaultRule, says: inout RuleContents) throws(FaultSpecError) {
        switch part.key {
        case "path":
            if says.path { throw part.error("path given twice in one rule (separate rules with ';')") }
            says.path = true
            rule.path = try part.path()
        case "latency":
            if says.latency { throw part.error("latency given twice in one rule") }
            says.latency = true
            rule.latency = try part.latency()
        case "slow-latency":
            if says.slowLatency { throw part.error("slow-latency given twice in one rule") }
            says.slowLatency = true
            rule.slowLatency = try part.latency()
        case "retry-after":
            if says.retryAfter { throw part.error("retry-after given twice in one rule") }
            says.retryAfter = true
            rule.retryAfter = try part.retryAfter()
        default:
            let fault = try part.fault()
            says.faults = true
            if part.everyNth {
                rule.every.append(FaultEvery(fault, every: try part.interval()))
            } else {
                if rule.rates.contains(where: { $0.fault == fault }) {
                    throw part.error("\(fault) given twice in one rule")
                }
                let probability = try part.probability()
                says.rateTotal += probability
                if says.rateTotal > 1 + 1e-9 {
                    throw part.error("the rates in one rule add up to \(FaultSpec.numberText(says.rateTotal)), more than 1")
                }
                rule.rates.append(FaultRate(fault, probability))
            }
        }
    }
}

/// One `KEY=VALUE` or `FAULT@N` part.
private struct Part {
    let text: String
    let key: String
    let writtenKey: String
    let value: String
    let everyNth: Bool

    init(_ text: String) throws(FaultSpecError) {
        self.text = text
        guard let separator = text.firstIndex(where: { $0 == "=" || $0 == "@" }) else {
            throw FaultSpecError(part: text, reason: "expected NAME=VALUE or FAULT@N")
        }
        writtenKey = text[..<separator].trimmingWhitespace()
        key = writtenKey.lowercased()
        value = text[text.index(after: separator)...].trimmingWhitespace()
        everyNth = text[separator] == "@"
        if key.isEmpty { throw FaultSpecError(part: text, reason: "missing name before '\(text[separator])'") }
        if value.isEmpty { throw FaultSpecError(part: text, reason: "missing value after '\(text[separator])'") }
        if everyNth, ["seed", "path", "latency", "slow-latency", "retry-after"].contains(key) {
            throw FaultSpecError(part: text, reason: "\(key) takes '=', not '@' ('@N' is for faults)")
        }
    }

    func error(_ reason: String) -> FaultSpecError {
        FaultSpecError(part: text, reason: reason)
    }

    func seed() throws(FaultSpecError) -> UInt64 {
        guard let seed = UInt64(value) else { throw error("seed must be a whole number from 0 to 2^64-1, got '\(value)'") }
        return seed
    }

    func path() throws(FaultSpecError) -> String {
        guard value.hasPrefix("/") else { throw error("path must start with '/', got '\(value)'") }
        guard !value.contains(where: \.isWhitespace) else { throw error("path must not contain spaces") }
        return value
    }

    /// "3" (seconds) or "date+3" (an HTTP date 3 seconds ahead).
    func retryAfter() throws(FaultSpecError) -> RetryAfter {
        let asDate = value.hasPrefix("date+")
        guard let seconds = Int(asDate ? String(value.dropFirst(5)) : value), seconds >= 0 else {
            throw error("retry-after must be whole seconds (0 or more) or date+SECONDS, got '\(value)'")
        }
        return asDate ? .date(secondsAhead: seconds) : .seconds(seconds)
    }

    func fault() throws(FaultSpecError) -> Fault {
        guard let fault = Fault(name: key) else { throw error("unknown fault '\(writtenKey)'") }
        if case .status(let code) = fault, !(400...599).contains(code) {
            throw error("status \(code) is not an error status (use 400 to 599)")
        }
        return fault
    }

    func interval() throws(FaultSpecError) -> Int {
        guard let n = Int(value), n >= 1 else { throw error("'@N' needs a whole number N of 1 or more, got '\(value)'") }
        return n
    }

    /// "0.1" or "10%".
    func probability() throws(FaultSpecError) -> Double {
        let isPercent = value.hasSuffix("%")
        let number = isPercent ? String(value.dropLast()) : value
        guard let parsed = Double(number), parsed.isFinite else {
            throw error("rate must be a probability from 0 to 1 (or a percentage like 5%), got '\(value)'")
        }
        let probability = isPercent ? parsed / 100 : parsed
        guard (0...1).contains(probability) else {
            throw error("rate must be from 0 to 1 (or 0% to 100%), got '\(value)'")
        }
        return probability
    }

    /// "20ms", "1.5s", "5..50ms" (the unit after the range applies to both ends), "5ms..1s".
    func latency() throws(FaultSpecError) -> ClosedRange<Double> {
        let ends = value.components(separatedBy: "..")
        guard ends.count <= 2 else { throw error("\(key) is DURATION or LOW..HIGH, got '\(value)'") }
        let high = try milliseconds(ends[ends.count - 1], defaultUnit: nil)
        let low = ends.count == 2 ? try milliseconds(ends[0], defaultUnit: unit(of: ends[1])) : high
        guard low <= high else { throw error("\(key) range is backwards: \(ends[0]) is more than \(ends[1])") }
        return low...high
    }

    private func unit(of text: String) -> String? {
        if text.hasSuffix("ms") { return "ms" }
        if text.hasSuffix("s") { return "s" }
        return nil
    }

    private func milliseconds(_ text: String, defaultUnit: String?) throws(FaultSpecError) -> Double {
        let unit = unit(of: text) ?? defaultUnit
        let number = unit == nil || !text.hasSuffix(unit!) ? text : String(text.dropLast(unit!.count))
        guard let unit else { throw error("\(key) needs a unit, ms or s: '\(text)'") }
        guard let value = Double(number), value.isFinite, value >= 0 else {
            throw error("\(key) must be a duration like 20ms or 1.5s, got '\(text)'")
        }
        return unit == "s" ? value * 1000 : value
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
