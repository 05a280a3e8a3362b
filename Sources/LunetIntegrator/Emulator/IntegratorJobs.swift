import LunetJSON

/// A flow job as stored (its plan under `__sandbox`) and as answered (its
/// status and counts at the moment it is read).
enum IntegratorJobs {
    static func make(
        id: String, flow: JSONObject, createdAt: Int64, startAt: Int64, endAt: Int64, outcome: String, records: Int
    ) -> JSONObject {
        [
            "_id": .string(id), "type": "flow", "_flowId": flow["_id"] ?? .null,
            "_integrationId": flow["_integrationId"] ?? .null, "createdAt": .string(IntegratorTime.format(createdAt)),
            IntegratorEmulator.internalKey: [
                "startAt": .integer(startAt), "endAt": .integer(endAt), "outcome": .string(outcome),
                "records": .integer(Int64(records)),
            ],
        ]
    }

    static func view(_ job: JSONObject, now: Int64) -> JSONValue {
        var out = job
        out[IntegratorEmulator.internalKey] = nil
        let plan = job[IntegratorEmulator.internalKey] ?? [:]
        let startAt = plan["startAt"]?.integer ?? 0
        let endAt = plan["endAt"]?.integer ?? 0
        let records = plan["records"]?.integer ?? 0
        let failed = plan["outcome"]?.string == "failed"
        // A failed run stops part-way with errors; a completed one may have
        // ignored a few records.
        let finalSuccess = failed ? records / 2 : records
        let finalError = failed ? max(1, records - finalSuccess) : 0
        var status = "queued"
        var success: Int64 = 0
        var error: Int64 = 0
        var pages: Int64 = 0
        var lastModified = job["createdAt"] ?? .null
        if now >= endAt {
            status = failed ? "failed" : "completed"
            (success, error, pages) = (finalSuccess, finalError, max(1, (records + 19) / 20))
            lastModified = .string(IntegratorTime.format(endAt))
            out["startedAt"] = .string(IntegratorTime.format(startAt))
            out["endedAt"] = .string(IntegratorTime.format(endAt))
        } else if now >= startAt {
            status = "running"
            let share = Double(now - startAt) / Double(max(1, endAt - startAt))
            success = Int64(Double(finalSuccess) * share)
            pages = Int64(Double(max(1, (records + 19) / 20)) * share)
            lastModified = .string(IntegratorTime.format(now))
            out["startedAt"] = .string(IntegratorTime.format(startAt))
        }
        out["status"] = .string(status)
        out["numSuccess"] = .integer(success)
        out["numError"] = .integer(error)
        out["numIgnore"] = 0
        out["numPagesGenerated"] = .integer(pages)
        out["numPagesProcessed"] = .integer(pages)
        out["doneExporting"] = .bool(status != "queued" && status != "running")
        out["retriable"] = .bool(failed && status == "failed")
        out["lastModified"] = lastModified
        return .object(out)
    }
}
