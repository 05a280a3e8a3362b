import Testing

@testable import LunetSandbox

@Suite("fault spec parsing")
struct FaultSpecTests {
    @Test func emptySpecInjectsNothing() throws {
        #expect(try FaultSpec(parsing: "") == .none)
        #expect(try FaultSpec(parsing: " , ; ") == .none)
        #expect(FaultSpec.none.description == "")
    }

    @Test func theExampleFromTheBrief() throws {
        let spec = try FaultSpec(parsing: "seed=42,429=0.1,500=0.05,503=0.05,reset=0.02,latency=20ms,retry-after=1")
        #expect(spec.seed == 42)
        #expect(spec.rules == [
            FaultRule(
                rates: [
                    FaultRate(.status(429), 0.1), FaultRate(.status(500), 0.05), FaultRate(.status(503), 0.05),
                    FaultRate(.reset, 0.02),
                ],
                latency: 20...20)
        ])
    }

    @Test func everyKindOfPart() throws {
        let spec = try FaultSpec(
            parsing: " seed = 7 , path=/icl/api, 503@5, 429@3, reset-after=5%, 401=0.25, latency=5..50ms, retry-after=30 ;path=/icl/token;latency=1.5s")
        #expect(spec.seed == 7)
        #expect(spec.rules.count == 3)
        #expect(spec.rules[0] == FaultRule(
            path: "/icl/api",
            every: [FaultEvery(.status(503), every: 5), FaultEvery(.status(429), every: 3)],
            rates: [FaultRate(.resetAfter, 0.05), FaultRate(.status(401), 0.25)],
            latency: 5...50, retryAfter: .seconds(30)))
        #expect(spec.rules[1] == FaultRule(path: "/icl/token"))
        #expect(spec.rules[2] == FaultRule(latency: 1500...1500))
    }

    @Test func latencyForms() throws {
        #expect(try FaultSpec(parsing: "latency=5ms..1s").rules[0].latency == 5...1000)
        #expect(try FaultSpec(parsing: "latency=0.5s..2s").rules[0].latency == 500...2000)
        #expect(try FaultSpec(parsing: "latency=0ms").rules[0].latency == 0...0)
        #expect(try FaultSpec(parsing: "slow=1,slow-latency=1..3s").rules[0].slowLatency == 1000...3000)
        #expect(try FaultSpec(parsing: "slow=1").rules[0].slowLatency == 2000...2000)
    }

    @Test func canonicalTextRoundTrips() throws {
        let text = "seed=9,path=/a,503@5,429=0.1,reset=0.02,latency=5..50ms,retry-after=3;path=/b;slow=0.1,slow-latency=1000..3000ms;429@2,retry-after=date+4"
        let spec = try FaultSpec(parsing: text)
        #expect(spec.description == text)
        #expect(try FaultSpec(parsing: spec.description) == spec)
        #expect(try FaultSpec(parsing: "503=10%").description == "seed=0,503=0.1")
        #expect(try FaultSpec(parsing: "seed=3").description == "seed=3")
    }

    @Test func pathScopeMatchesWholeSegments() {
        let rule = FaultRule(path: "/icl/api")
        #expect(rule.matches(path: "/icl/api"))
        #expect(rule.matches(path: "/icl/api/content"))
        #expect(!rule.matches(path: "/icl/apix"))
        #expect(!rule.matches(path: "/icl"))
        #expect(FaultRule(path: "/icl/").matches(path: "/icl/x"))
        #expect(FaultRule().matches(path: "/anything"))
    }

    @Test func firstMatchingRuleGoverns() throws {
        let spec = try FaultSpec(parsing: "path=/icl/token;500=1")
        #expect(spec.ruleIndex(for: "/icl/token") == 0)
        #expect(spec.ruleIndex(for: "/icl/api") == 1)
        #expect(spec.decision(rule: 0, request: 1).fault == nil)
        #expect(spec.decision(rule: 1, request: 1).fault == .status(500))
    }

    @Test(arguments: [
        ("5o3=0.1", "5o3=0.1", "unknown fault '5o3'"),
        ("bogus", "bogus", "expected NAME=VALUE or FAULT@N"),
        ("timeout=0.1", "timeout=0.1", "unknown fault 'timeout'"),
        ("200=0.1", "200=0.1", "status 200 is not an error status (use 400 to 599)"),
        ("600@2", "600@2", "status 600 is not an error status (use 400 to 599)"),
        ("5031=0.1", "5031=0.1", "unknown fault '5031'"),
        ("503=", "503=", "missing value after '='"),
        ("=0.1", "=0.1", "missing name before '='"),
        ("503=1.5", "503=1.5", "rate must be from 0 to 1 (or 0% to 100%), got '1.5'"),
        ("503=-0.1", "503=-0.1", "rate must be from 0 to 1 (or 0% to 100%), got '-0.1'"),
        ("503=150%", "503=150%", "rate must be from 0 to 1 (or 0% to 100%), got '150%'"),
        ("503=lots", "503=lots", "rate must be a probability from 0 to 1 (or a percentage like 5%), got 'lots'"),
        ("503=nan", "503=nan", "rate must be a probability from 0 to 1 (or a percentage like 5%), got 'nan'"),
        ("500=0.6,503=0.6", "503=0.6", "the rates in one rule add up to 1.2, more than 1"),
        ("503=0.1,503=0.2", "503=0.2", "503 given twice in one rule"),
        ("503@0", "503@0", "'@N' needs a whole number N of 1 or more, got '0'"),
        ("503@x", "503@x", "'@N' needs a whole number N of 1 or more, got 'x'"),
        ("seed=-1", "seed=-1", "seed must be a whole number from 0 to 2^64-1, got '-1'"),
        ("seed=1;seed=2", "seed=2", "seed given twice"),
        ("seed@3", "seed@3", "seed takes '=', not '@' ('@N' is for faults)"),
        ("latency=20", "latency=20", "latency needs a unit, ms or s: '20'"),
        ("latency=fast", "latency=fast", "latency needs a unit, ms or s: 'fast'"),
        ("latency=xms", "latency=xms", "latency must be a duration like 20ms or 1.5s, got 'xms'"),
        ("latency=50..5ms", "latency=50..5ms", "latency range is backwards: 50 is more than 5ms"),
        ("latency=1..2..3ms", "latency=1..2..3ms", "latency is DURATION or LOW..HIGH, got '1..2..3ms'"),
        ("latency=5ms,latency=6ms", "latency=6ms", "latency given twice in one rule"),
        ("path=icl", "path=icl", "path must start with '/', got 'icl'"),
        ("path=/a,path=/b", "path=/b", "path given twice in one rule (separate rules with ';')"),
        ("retry-after=soon", "retry-after=soon", "retry-after must be whole seconds (0 or more) or date+SECONDS, got 'soon'"),
        ("retry-after=-1", "retry-after=-1", "retry-after must be whole seconds (0 or more) or date+SECONDS, got '-1'"),
        ("retry-after=date+x", "retry-after=date+x", "retry-after must be whole seconds (0 or more) or date+SECONDS, got 'date+x'"),
        ("slow-latency=3", "slow-latency=3", "slow-latency needs a unit, ms or s: '3'"),
        ("slow-latency@3", "slow-latency@3", "slow-latency takes '=', not '@' ('@N' is for faults)"),
    ])
    func badSpecsNameTheBadPart(spec: String, part: String, reason: String) {
        #expect(throws: FaultSpecError(part: part, reason: reason)) { try FaultSpec(parsing: spec) }
    }

    @Test func errorMessageFormat() {
        let error = FaultSpecError(part: "5o3=0.1", reason: "unknown fault '5o3'")
        #expect(error.description == "bad fault spec part '5o3=0.1': unknown fault '5o3'")
    }
}

@Suite("fault decisions")
struct FaultDecisionTests {
    @Test func decisionsArePureFunctionsOfSeedAndCount() throws {
        let spec = try FaultSpec(parsing: "seed=42,429=0.2,500=0.1,latency=5..50ms")
        let first = (1...500).map { spec.decision(rule: 0, request: $0) }
        let second = (1...500).map { spec.decision(rule: 0, request: $0) }
        #expect(first == second)
        let other = try FaultSpec(parsing: "seed=43,429=0.2,500=0.1,latency=5..50ms")
        #expect((1...500).map { other.decision(rule: 0, request: $0) } != first)
    }

    @Test func ratesAreRoughlyHonoured() throws {
        let spec = try FaultSpec(parsing: "seed=1,429=0.2,500=0.1")
        let faults = (1...10_000).map { spec.decision(rule: 0, request: $0).fault }
        let share429 = Double(faults.filter { $0 == .status(429) }.count) / 10_000
        let share500 = Double(faults.filter { $0 == .status(500) }.count) / 10_000
        #expect(abs(share429 - 0.2) < 0.02)
        #expect(abs(share500 - 0.1) < 0.02)
    }

    @Test func everyNthIsExactAndDoesNotShiftTheRandomDraws() throws {
        let withEvery = try FaultSpec(parsing: "seed=5,503@4,429=0.3")
        let without = try FaultSpec(parsing: "seed=5,429=0.3")
        for n in 1...100 {
            let decision = withEvery.decision(rule: 0, request: n)
            if n % 4 == 0 {
                #expect(decision.fault == .status(503))
            } else {
                #expect(decision.fault == without.decision(rule: 0, request: n).fault)
            }
        }
    }

    @Test func slowRequestsAreDelayedBySlowLatencyOnTopOfLatency() throws {
        let spec = try FaultSpec(parsing: "slow@2,slow-latency=100ms,latency=10ms")
        #expect(spec.decision(rule: 0, request: 1) == FaultDecision(fault: nil, delayMilliseconds: 10))
        #expect(spec.decision(rule: 0, request: 2) == FaultDecision(fault: .slow, delayMilliseconds: 110))
    }

    @Test func latencyStaysInItsRange() throws {
        let spec = try FaultSpec(parsing: "latency=5..50ms")
        let delays = (1...1000).map { spec.decision(rule: 0, request: $0).delayMilliseconds }
        #expect(delays.allSatisfy { (5...50).contains($0) })
        #expect(Set(delays.map { Int($0) }).count > 20)
    }

    @Test func injectorCountsPerRuleAndRestarts() throws {
        let injector = FaultInjector(try FaultSpec(parsing: "path=/a,503@2;path=/b,429@3"))
        #expect(injector.decide(path: "/c") == nil)
        #expect(injector.decide(path: "/a")?.fault == nil)
        #expect(injector.decide(path: "/b")?.fault == nil)
        #expect(injector.decide(path: "/a")?.fault == .status(503))
        #expect(injector.decide(path: "/b")?.fault == nil)
        #expect(injector.decide(path: "/b")?.fault == .status(429))
        injector.restart()
        #expect(injector.decide(path: "/a")?.fault == nil)
        #expect(injector.decide(path: "/a")?.fault == .status(503))
    }
}
