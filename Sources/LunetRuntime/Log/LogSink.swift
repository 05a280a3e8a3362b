import CLuaShim
import Foundation
import LunetJSON

/// One log line before formatting. Fields are already redacted.
public struct LogRecord: Sendable, Equatable {
    public var time: Date
    public var level: LogLevel
    public var message: String
    public var fields: JSONObject
    /// Per-run fields (run_id, script) that JSON lines carry.
    public var context: JSONObject

    public init(time: Date = Date(), level: LogLevel, message: String, fields: JSONObject = [:], context: JSONObject = [:]) {
        self.time = time
        self.level = level
        self.message = message
        self.fields = fields
        self.context = context
    }
}

/// Where log records go. The runtime's default writes to stderr; tests
/// and embedders supply their own.
public protocol LogSink: Sendable {
    func write(_ record: LogRecord)
}

/// Writes each record as one line to stderr, after flushing stdout so a
/// script's prints and its log lines stay in order on a shared terminal.
public struct StderrLogSink: LogSink {
    public let format: LogFormat

    public init(format: LogFormat) { self.format = format }

    public func write(_ record: LogRecord) {
        let line = format.render(record) + "\n"
        lunet_flush_stdout()
        lunet_write_stderr(line)
    }
}
