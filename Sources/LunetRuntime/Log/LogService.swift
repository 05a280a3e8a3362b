import Foundation
import LunetBridge
import LunetJSON

/// The logger of one runtime: threshold, sink and per-run context.
/// Thread-safe, so Swift services (HTTP tracing) log through it too.
public final class LogService: @unchecked Sendable {
    private let lock = NSLock()
    private var _level: LogLevel
    private var _sink: any LogSink
    private var _context: JSONObject = [:]
    private var _format: LogFormat?

    /// Threshold from `LUNET_LOG_LEVEL` (default info); `sink` defaults to
    /// human lines on stderr, coloured when stderr is a terminal and
    /// `NO_COLOR` is unset.
    public init(environment: [String: String], sink: (any LogSink)? = nil) {
        _level = .info
        _sink = sink ?? StderrLogSink(format: .text(color: Self.colorAllowed(environment)))
        _context = ["run_id": .string(Self.newRunID())]
        if let name = environment["LUNET_LOG_LEVEL"], !name.isEmpty {
            if let level = LogLevel(name: name) {
                _level = level
            } else {
                log(.warn, "LUNET_LOG_LEVEL: unknown level '\(name)' (known: \(LogLevel.knownNames)); using info")
            }
        }
    }

    public var level: LogLevel {
        get { locked { _level } }
        set { locked { _level = newValue } }
    }

    public var sink: any LogSink {
        get { locked { _sink } }
        set { locked { _sink = newValue } }
    }

    /// Use `--log-format text|json` on stderr.
    public func useFormat(_ format: LogFormat) {
        locked {
            _sink = StderrLogSink(format: format)
            _format = format
        }
    }

    /// The format chosen with `useFormat`, nil while the default sink is used.
    public var format: LogFormat? { locked { _format } }

    /// A random id per run unless the CLI sets one.
    public var runID: String? {
        get { locked { _context["run_id"]?.string } }
        set { locked { _context["run_id"] = newValue.map { .string($0) } } }
    }

    public var script: String? {
        get { locked { _context["script"]?.string } }
        set { locked { _context["script"] = newValue.map { .string($0) } } }
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Log `message` with `fields` (redacted here, before any sink sees them).
    public func log(_ level: LogLevel, _ message: String, fields: JSONObject = [:]) {
        let (threshold, sink, context) = locked { (_level, _sink, _context) }
        guard level >= threshold else { return }
        guard case .object(let redacted) = Redactor.shared.json(.object(fields)) else { return }
        sink.write(LogRecord(level: level, message: message, fields: redacted, context: context))
    }

    /// Log a record whatever the threshold: the run summary, which a
    /// scheduler's log collector needs even when only warnings are shown.
    public func always(_ level: LogLevel, _ message: String, fields: JSONObject = [:]) {
        let (sink, context) = locked { (_sink, _context) }
        guard case .object(let redacted) = Redactor.shared.json(.object(fields)) else { return }
        sink.write(LogRecord(level: level, message: message, fields: redacted, context: context))
    }

    public static func colorAllowed(_ environment: [String: String]) -> Bool {
        isatty(STDERR_FILENO) != 0 && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    private static func newRunID() -> String {
        (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

extension LuaState {
    /// The logger the runtime attached.
    public var logService: LogService? { extension_(LogService.self) }
}
