import Foundation
import Testing

/// Issue 9, item 4: JSON log lines carry run id, script, level, message and
/// fields; every run ends with a summary record (always with
/// `--log-format json`, a human line with --stats); `--timeout` stops a run
/// waiting on the network with exit code 124.
@Suite("lunet run: JSON log lines and the run summary")
struct RunSummaryTests {
    /// The JSON objects among stderr's lines.
    static func records(_ stderr: String) -> [[String: Any]] {
        stderr.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    static let work = """
        local icl = require "lunet.icl"
        local log = require "lunet.log"
        local p = icl.connect()
        p:type("meter"):create{ id = "b3c1e0a2-0000-4000-8000-00000000a11a", name = "meter", displayName = "Meter",
          titleFieldName = "name", fields = { { type = "ShortText", name = "name", displayName = "Name", isRequired = true } } }
        local items = {}
        for i = 1, 30 do items[i] = { externalId = "M" .. i, name = "m" .. i } end
        items[31] = { externalId = "BAD" } -- rejected: name is required
        local r = p:content("meter"):upsert(items, { batch_size = 10, atomic = false })
        local listed = 0
        for _ in p:content("meter"):list{ page_size = 7 } do listed = listed + 1 end
        local changed = 0
        for _ in p:changes{ type = "meter" } do changed = changed + 1 end
        log.info("done", { stored = #r.succeeded, listed = listed, changed = changed })
        """

    @Test func jsonLinesAndTheSummaryRecord() async throws {
        let r = try await LunetProcess.run(["run", "--sandbox", "--log-format", "json", "-e", Self.work])
        #expect(r.status == 0, "\(r.stderr)")
        let records = Self.records(r.stderr)
        #expect(records.count == 2, "\(r.stderr)")
        let done = try #require(records.first)
        #expect(done["msg"] as? String == "done")
        #expect(done["level"] as? String == "info")
        #expect(done["script"] as? String == "-e")
        #expect((done["run_id"] as? String)?.count == 12)
        #expect(done["stored"] as? Int == 30)
        #expect(done["listed"] as? Int == 30)
        #expect(done["changed"] as? Int == 30)
        #expect(done["ts"] as? String != nil)

        let summary = try #require(records.last)
        #expect(summary["msg"] as? String == "run finished")
        #expect(summary["level"] as? String == "info")
        #expect(summary["run_id"] as? String == done["run_id"] as? String)
        #expect(summary["status"] as? Int == 0)
        #expect(summary["items_written"] as? Int == 30)  // the rejected item is not counted
        #expect(summary["items_read"] as? Int == 60)  // 30 listed + 30 from the feed
        // 1 token, 1 type, 4 batches, 5 list pages, 2 feed pages (the second empty)
        #expect(summary["requests"] as? Int == 13, "\(summary)")
        #expect(summary["retries"] as? Int == 0)
        #expect(summary["failures"] as? Int == 0)
        let seconds = try #require(summary["duration_s"] as? Double)
        #expect(seconds > 0 && seconds < 60)
    }

    @Test func aFailedRunSummarisesAtAnyLogLevelAndWithStats() async throws {
        let r = try await LunetProcess.run(
            ["run", "--log-format", "json", "--stats", "-e", "require('lunet.log').warn('dropped'); error('boom')"],
            environment: ["LUNET_LOG_LEVEL": "error"])
        #expect(r.status == 1)
        let records = Self.records(r.stderr)
        #expect(records.count == 1, "\(r.stderr)")  // the warning is below the threshold; the summary is not
        #expect(records.first?["msg"] as? String == "run finished")
        #expect(records.first?["level"] as? String == "error")
        #expect(records.first?["status"] as? Int == 1)
        #expect(r.stderr.contains("lunet: (command line):1: boom"))
        #expect(r.stderr.contains("lunet: run: exit 1 after "))
        #expect(r.stderr.contains(", 0 items read, 0 written"))
    }

    @Test func textFormatHasNoSummaryWithoutStats() async throws {
        let r = try await LunetProcess.run(["run", "-e", "require('lunet.log').info('hello', { n = 1 })"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("INFO  hello  n=1"))
        #expect(!r.stderr.contains("run finished") && !r.stderr.contains("lunet: run:"))
    }

    @Test func timeoutStopsARunWaitingOnTheNetwork() async throws {
        let script = """
            local lunet, http = require "lunet", require "lunet.http"
            http.connect{ url = lunet.sandbox .. "/test" }:request{ path = "/slow", query = { ms = 5000 } }
            print("not reached")
            """
        let started = Date()
        let r = try await LunetProcess.run(["run", "--sandbox", "--timeout", "0.5", "--log-format", "json", "-e", script])
        #expect(r.status == 124, "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 4.9)  // before the 5 s request could have answered
        #expect(!r.stdout.contains("not reached"))
        #expect(r.stderr.contains("timeout: stopped after 0.5 s (--timeout 0.5)"))
        let summary = try #require(Self.records(r.stderr).last)
        #expect(summary["status"] as? Int == 124)
        #expect(summary["level"] as? String == "error")
    }
}
