import Foundation
import LunetJSON
@testable import LunetRuntime

/// Time that passes only when the engine sleeps: waits are recorded, not
/// waited, so backoff and Retry-After tests are instant and exact.
final class VirtualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var elapsed: Duration = .zero
    private var recorded: [Duration] = []
    /// Runs during each sleep (before time advances): e.g. start a server.
    var onSleep: (@Sendable (Int) async -> Void)?
    let origin = Date(timeIntervalSince1970: 1_700_000_000)

    var sleeps: [Duration] { lock.withLock { recorded } }
    var now: Duration { lock.withLock { elapsed } }
    var date: Date { origin.addingTimeInterval(now.inSeconds) }

    func advance(_ d: Duration) { lock.withLock { elapsed += d } }

    var engineClock: EngineClock {
        EngineClock(
            now: { [self] in now },
            date: { [self] in date },
            sleep: { [self] d in
                let n = lock.withLock { recorded.append(d); return recorded.count }
                await onSleep?(n)
                advance(d)
            })
    }
}

/// Collects trace lines.
final class TraceCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var captured: [String] = []
    var lines: [String] { lock.withLock { captured } }
    var text: String { lines.joined(separator: "\n") }
    func log(redactor: Redactor = Redactor()) -> TraceLog {
        TraceLog(redactor: redactor) { [self] line in lock.withLock { captured.append(line) } }
    }
}

func makeEngine(
    clock: EngineClock = .system, random: Double = 0.5, maxAttempts: Int = 5, budget: RetryBudget = RetryBudget(),
    redactor: Redactor = Redactor(), trace: TraceLog? = nil, configure: (inout HTTPEngine.Configuration) -> Void = { _ in }
) -> HTTPEngine {
    var configuration = HTTPEngine.Configuration()
    // Tests start and stop servers whose ports the system hands out again:
    // a pool of its own per engine keeps a test from reusing a connection
    // kept alive to an earlier test's server on the same port.
    configuration.pool = UUID().uuidString
    configuration.retry = RetryPolicy(maxAttempts: maxAttempts, base: .milliseconds(500), cap: .seconds(30))
    configure(&configuration)
    return HTTPEngine(
        configuration: configuration, clock: clock, random: .constant(random), budget: budget, redactor: redactor,
        trace: trace)
}

/// The APIError `body` threw, or nil (and a recorded issue) when it did not.
func apiError(_ body: () async throws -> Any) async -> APIError? {
    do {
        _ = try await body()
        return nil
    } catch let error as APIError {
        return error
    } catch {
        return nil
    }
}

/// Resident memory of this process, in bytes (Linux: /proc/self/statm).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "lunet-http-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
