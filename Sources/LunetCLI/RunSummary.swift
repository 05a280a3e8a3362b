import CLuaShim
import Foundation
import LunetJSON
import LunetRuntime

/// What `lunet run` reports when the script ends: its exit status, how long
/// it ran, the HTTP counters and the items lunet.paging counted (read: items
/// cursors and change feeds handed to the script; written: items stored by
/// acknowledged batch writes). Always one JSON record with
/// `--log-format json` (whatever LUNET_LOG_LEVEL), one human line with --stats.
struct RunSummary {
    var stats: RunStats.Snapshot
    var status: Int32
    var duration: Duration

    var fields: JSONObject {
        [
            "status": .integer(Int64(status)), "duration_s": .double(Self.rounded(duration.inSeconds)),
            "requests": .integer(Int64(stats.requests)), "retries": .integer(Int64(stats.retries)),
            "failures": .integer(Int64(stats.failures)), "items_read": .integer(Int64(stats.itemsRead)),
            "items_written": .integer(Int64(stats.itemsWritten)), "bytes_sent": .integer(stats.bytesSent),
            "bytes_received": .integer(stats.bytesReceived),
        ]
    }

    /// `run: exit 0 after 1.2 s, 20000 items read, 20000 written`
    var line: String {
        "run: exit \(status) after " + String(format: "%.1f s", duration.inSeconds)
            + ", \(stats.itemsRead) item\(stats.itemsRead == 1 ? "" : "s") read, \(stats.itemsWritten) written"
    }

    func report(to log: LogService, human: Bool) {
        if log.format == .json {
            log.always(status == ExitStatus.success ? .info : .error, "run finished", fields: fields)
        }
        if human { lunet_write_stderr("lunet: \(line)\n") }
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
