import Hummingbird
import LunetJSON
import LunetSandbox

/// Flows (list, get, run) and the jobs a run makes. A job's status is
/// worked out when it is read, from when it was queued: `queued`, then
/// `running` (counts growing), then `completed` or `failed`, after the
/// times `PUT /integrator/_control/jobs` sets.
extension IntegratorEmulator {
    static let flows = "flows"
    static let jobs = "jobs"
    static let internalKey = "__sandbox"

    func registerFlows(on v1: RouterGroup<SandboxContext>) {
        let store = self.store
        v1.get("flows") { request, _ in
            await Self.answer {
                let page = try IntegratorPage(request)
                let all = try await store.scan(Self.flows).map { Self.visible($0.body) }
                // The flows list answers 204 when there are none.
                return all.isEmpty ? Response(status: .noContent) : page.response(request, all)
            }
        }
        v1.get("flows/:id") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                SandboxJSON.response(Self.visible(.object(try await store.read { try Self.flow($0, id) })))
            }
        }
        v1.post("flows/:id/run") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                _ = try await request.body.collect(upTo: 1 << 20)
                let job = try await store.write { tx in try Self.run(tx, id) }
                return SandboxJSON.response(["_jobId": .string(job)], status: .created)
            }
        }
        v1.get("jobs") { request, _ in
            await Self.answer { try await Self.listJobs(request, store) }
        }
        v1.get("jobs/:id") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                guard let job = try await store.get(Self.jobs, id: id)?.object else {
                    throw IntegratorError.notFound("Job", id)
                }
                return SandboxJSON.response(IntegratorJobs.view(job, now: IntegratorHTTP.nowMilliseconds()))
            }
        }
    }

    static func flow(_ tx: any SandboxTransaction, _ id: String) throws -> JSONObject {
        guard let flow = try tx.get(flows, id: id)?.object else { throw IntegratorError.notFound("Flow", id) }
        return flow
    }

    static func visible(_ value: JSONValue) -> JSONValue {
        guard var object = value.object else { return value }
        object[internalKey] = nil
        return .object(object)
    }

    /// Queue a job for the flow; a disabled flow cannot run (422).
    static func run(_ tx: any SandboxTransaction, _ id: String) throws -> String {
        var flow = try flow(tx, id)
        if flow["disabled"]?.bool == true {
            throw IntegratorError(
                status: .unprocessableContent, code: "flow_disabled", message: "Flow '\(id)' is disabled.")
        }
        let now = IntegratorHTTP.nowMilliseconds()
        let timing = try IntegratorSettings.jobTiming(tx)
        let plan = flow[internalKey] ?? [:]
        let job = IntegratorJobs.make(
            id: IntegratorHTTP.newID(), flow: flow, createdAt: now,
            startAt: now + Int64(timing.queuedSeconds * 1000),
            endAt: now + Int64((timing.queuedSeconds + timing.runningSeconds) * 1000),
            outcome: plan["outcome"]?.string ?? "completed", records: Int(plan["records"]?.integer ?? 10))
        try tx.put(jobs, id: job["_id"]!.string!, .object(job))
        flow["lastExecutedAt"] = .string(IntegratorTime.format(now))
        try tx.put(flows, id: id, .object(flow))
        return job["_id"]!.string!
    }

    /// Parent jobs need an id or date filter (integrator.io answers 400
    /// otherwise); newest first; `limit`/`skip` with a Link header.
    static func listJobs(_ request: Request, _ store: any SandboxStore) async throws -> Response {
        let query = IntegratorHTTP.query(request)
        let filterNames: Set<String> = [
            "_integrationId", "_flowId", "_exportId", "_importId", "_flowJobId", "createdAt_gte", "createdAt_lte",
        ]
        guard query.contains(where: { filterNames.contains($0.name) }) else {
            throw IntegratorError.badQuery(
                "For parent jobs, query parameters must contain either \"_integrationId\" or \"_jobId\" or \"createdAt\""
            )
        }
        func time(_ name: String) throws -> Int64? {
            guard let text = IntegratorHTTP.query(request, name) else { return nil }
            guard let value = IntegratorTime.parse(text) else {
                throw IntegratorError.badQuery("`\(name)` must be an ISO 8601 date or epoch milliseconds.", field: name)
            }
            return value
        }
        let lowest = try time("createdAt_gte")
        let highest = try time("createdAt_lte")
        let page = try IntegratorPage(request)
        let now = IntegratorHTTP.nowMilliseconds()
        let all = try await store.scan(jobs).compactMap { $0.body.object }.filter { job in
            for (name, value) in query where filterNames.contains(name) && name.hasPrefix("_") {
                if job[name]?.string != value { return false }
            }
            let created = job["createdAt"]?.string.flatMap(IntegratorTime.parse) ?? 0
            if let lowest, created < lowest { return false }
            if let highest, created > highest { return false }
            return true
        }
        let views = all.map { IntegratorJobs.view($0, now: now) }.filter { view in
            guard let status = IntegratorHTTP.query(request, "status") else { return true }
            return view["status"]?.string == status
        }.sorted {
            let a = $0["createdAt"]?.string ?? ""
            let b = $1["createdAt"]?.string ?? ""
            return a != b ? a > b : ($0["_id"]?.string ?? "") > ($1["_id"]?.string ?? "")
        }
        return page.response(request, views)
    }
}
