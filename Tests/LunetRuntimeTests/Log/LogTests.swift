import Foundation
import LunetBridge
import LunetJSON
@testable import LunetRuntime
import Testing

/// Keeps every record and the lines a format makes of them.
final class CapturingSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var _records: [LogRecord] = []
    var records: [LogRecord] { lock.withLock { _records } }
    func write(_ record: LogRecord) { lock.withLock { _records.append(record) } }
}

@Suite("lunet.log")
struct LogTests {
    // 2026-11-24T12:04:05.123Z
    let time = Date(timeIntervalSince1970: 1_795_521_845.123)

    func runtime(_ environment: [String: String] = [:]) -> (Runtime, CapturingSink) {
        let runtime = Runtime(environment: environment)
        let sink = CapturingSink()
        runtime.log.sink = sink
        return (runtime, sink)
    }

    @Test func jsonLines() {
        let record = LogRecord(
            time: time, level: .info, message: "synced 120 items", fields: ["feed": "buildings", "count": 120],
            context: ["run_id": "r-1", "script": "sync.lua"])
        #expect(
            LogFormat.json.render(record)
                == #"{"ts":"2026-11-24T12:04:05.123Z","level":"info","msg":"synced 120 items","run_id":"r-1","script":"sync.lua","count":120,"feed":"buildings"}"#
        )
    }

    @Test func jsonFieldsNeverOverwriteTheFixedMembers() {
        let record = LogRecord(time: time, level: .warn, message: "m", fields: ["msg": "x", "level": 1, "run_id": "mine"], context: ["run_id": "r"])
        #expect(
            LogFormat.json.render(record)
                == #"{"ts":"2026-11-24T12:04:05.123Z","level":"warn","msg":"m","run_id":"r","level_":1,"msg_":"x","run_id_":"mine"}"#)
    }

    @Test func humanLines() {
        let record = LogRecord(
            time: time, level: .info, message: "synced 120 items",
            fields: ["feed": "buildings", "count": 120, "note": "two words", "empty": "", "list": [1, "a"]])
        let line = LogFormat.text(color: false).render(record)
        #expect(line == Timestamp.clock(time) + #" INFO  synced 120 items  count=120 empty="" feed=buildings list=[1,"a"] note="two words""#)
        #expect(LogFormat.text(color: false).render(LogRecord(time: time, level: .error, message: "x")) == Timestamp.clock(time) + " ERROR x")
    }

    @Test func colourMarksTheLevel() {
        let line = LogFormat.text(color: true).render(LogRecord(time: time, level: .warn, message: "careful"))
        #expect(line.contains("\u{1B}[33mWARN \u{1B}[0m careful"))
    }

    @Test func secretLookingFieldsAreRedactedAtAnyDepth() {
        #expect(Redactor.isSecretField("password"))
        #expect(Redactor.isSecretField("client_secret"))
        #expect(Redactor.isSecretField("Authorization"))
        #expect(Redactor.isSecretField("access_token"))
        #expect(Redactor.isSecretField("x_refresh_token"))
        #expect(Redactor.isSecretField("apiKey"))
        #expect(Redactor.isSecretField("key"))
        #expect(!Redactor.isSecretField("keys"))
        #expect(!Redactor.isSecretField("feed"))
        // positions and error codes are not secrets
        #expect(!Redactor.isSecretField("changeToken"))
        #expect(!Redactor.isSecretField("NextChangeToken"))
        #expect(!Redactor.isSecretField("code"))
        let redacted = Redactor().json(["user": "ann", "password": "pw", "req": ["headers": ["Authorization": "Bearer x"]], "token": nil])
        #expect(redacted == ["user": "ann", "password": "••••", "req": ["headers": ["Authorization": "••••"]], "token": nil])
    }

    @Test func luaCallsReachTheSinkRedacted() throws {
        let (runtime, sink) = runtime()
        try runtime.lua.run(#"""
            local log = require "lunet.log"
            log.info("synced", { feed = "buildings", count = 120, token = "abc" })
            log.warn(42)
            log.error(setmetatable({}, { __tostring = function() return "custom error" end }))
            log.debug("hidden at the default level")
            log.info("no fields")
            """#)
        let records = sink.records
        #expect(records.map(\.message) == ["synced", "42", "custom error", "no fields"])
        #expect(records.map(\.level) == [.info, .warn, .error, .info])
        #expect(records[0].fields == ["feed": "buildings", "count": 120, "token": "••••"])
        #expect(records[0].context["run_id"]?.string?.count == 12)
    }

    @Test func thresholdFromTheEnvironment() throws {
        let (runtime, sink) = runtime(["LUNET_LOG_LEVEL": "debug"])
        try runtime.lua.run(#"require("lunet.log").debug("shown")"#)
        #expect(sink.records.map(\.message) == ["shown"])
        let (quiet, quietSink) = self.runtime(["LUNET_LOG_LEVEL": "error"])
        try quiet.lua.run(#"local log = require("lunet.log"); log.warn("no"); log.error("yes")"#)
        #expect(quietSink.records.map(\.message) == ["yes"])
    }

    @Test func unknownLevelInTheEnvironmentWarnsAndUsesInfo() {
        let sink = CapturingSink()
        let service = LogService(environment: ["LUNET_LOG_LEVEL": "verbose"], sink: sink)
        #expect(service.level == .info)
        #expect(sink.records.map(\.message) == ["LUNET_LOG_LEVEL: unknown level 'verbose' (known: debug, info, warn, error); using info"])
        #expect(sink.records.map(\.level) == [.warn])
    }

    @Test func runContextIsSetByTheHost() throws {
        let (runtime, sink) = runtime()
        runtime.log.runID = "run-7"
        runtime.log.script = "jobs/sync.lua"
        try runtime.lua.run(#"require("lunet.log").info("x")"#)
        #expect(sink.records.first?.context == ["run_id": "run-7", "script": "jobs/sync.lua"])
    }

    @Test func swiftServicesLogThroughTheSameService() {
        let (runtime, sink) = runtime()
        runtime.log.log(.warn, "retrying", fields: ["attempt": 2, "authorization": "Bearer t"])
        #expect(sink.records.first?.fields == ["attempt": 2, "authorization": "••••"])
    }

    @Test func timestamps() {
        #expect(Timestamp.iso8601(time) == "2026-11-24T12:04:05.123Z")
        #expect(abs(Timestamp.parse("2026-11-24T12:04:05.123Z")!.timeIntervalSince(time)) < 0.0005)
        #expect(Timestamp.parse("2026-11-24T12:04:05Z") == Date(timeIntervalSince1970: 1_795_521_845))
        #expect(Timestamp.iso8601(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }
}
