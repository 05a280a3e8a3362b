import LunetJSON
import LunetSandbox

/// Jobs: delete records, delimited import, zip file extraction, native import.
extension IConectEmulator {
    func registerJobs(_ api: APIRoutes) {
        api.on("jobs.list") { call in
            let p = try call.id("project_id")
            let start = try call.query.int("start_row") ?? 0, count = try call.query.int("job_count") ?? 20
            let types = try call.query.ints("types")
            guard start >= 0 else { throw IConectError.badRequest("The start_row parameter must not be negative.") }
            guard count >= 0 else { throw IConectError.badRequest("The job_count parameter must not be negative.") }
            for type in types ?? [] where Enums.jobType[type] == nil {
                throw IConectError.badRequest("The value '\(type)' is not valid for types: use \(Enums.describe(Enums.jobType)).")
            }
            let jobs = try await call.store.write { tx -> [JSONValue] in
                _ = try tx.requireProject(p)
                let all = try tx.all(Coll.jobs(p)).filter { types?.contains($0.int("type")) ?? true }
                return try all.dropFirst(Int(start)).prefix(Int(count)).map {
                    try JobProgress.advance($0, project: p, tx).shaped(JobProgress.keys)
                }
            }
            return Reply.json(.array(jobs))
        }
        api.on("jobs.get") { call in
            let (p, j) = (try call.id("project_id"), try call.id("job_id"))
            return Reply.json(try await call.store.write { tx in try Self.currentJob(p, j, tx).shaped(JobProgress.keys) })
        }
        api.on("jobs.create") { call in
            let p = try call.id("project_id")
            let body = BodyFields(object: try await call.object())
            guard let type = try body.member("type", of: Enums.jobType) else {
                throw IConectError.badRequest("The type field is required.")
            }
            guard let details = try body.nested("details") else { throw IConectError.badRequest("The details field is required.") }
            let userID = call.user.id
            let job = try await call.store.write { tx in
                _ = try tx.requireProject(p)
                let id = try tx.nextID(Coll.jobs(p))
                let job: JSONObject = [
                    "id": .integer(id), "type": .integer(type),
                    "name": .string(try body.string("name") ?? "\(Enums.jobType[type]!) \(id)"),
                    "description": .string(try body.string("description") ?? ""), "created_date": .string(Clock.nowISO),
                    "last_run_utc": .null, "status_message": "Not started", "created_user_id": .integer(userID),
                    "status": .integer(JobStatus.notStarted), "state": .integer(JobState.stopped), "project_id": .integer(p),
                    "last_stop_utc": .null, "details": .object(details), "results": .null,
                ]
                try tx.put(Coll.jobs(p), id, job)
                return job
            }
            return Reply.created(job.shaped(JobProgress.keys))
        }
        api.on("jobs.update") { call in
            let (p, j) = (try call.id("project_id"), try call.id("job_id"))
            let body = BodyFields(object: try await call.object())
            return Reply.json(try await call.store.write { tx in
                var job = try Self.currentJob(p, j, tx)
                // The seed: only the name and description can be changed.
                if let name = try body.string("name") { job["name"] = .string(name) }
                if let description = try body.string("description") { job["description"] = .string(description) }
                if let details = try body.nested("details") { job["details"] = .object(details) }
                try tx.put(Coll.jobs(p), j, job)
                return job.shaped(JobProgress.keys)
            })
        }
        api.on("jobs.delete") { call in
            let (p, j) = (try call.id("project_id"), try call.id("job_id"))
            _ = try call.query.bool("delete_data")
            return Reply.json(try await call.store.write { tx in
                let job = try Self.currentJob(p, j, tx)
                if JobProgress.isRunning(job) { throw IConectError.badRequest("Job \(j) is running: stop it before deleting it") }
                try tx.delete(Coll.jobs(p), j)
                return job.shaped(JobProgress.keys)
            })
        }
        for name in ["jobs.start", "jobs.start.post"] {
            api.on(name) { call in
                let (p, j) = (try call.id("project_id"), try call.id("job_id"))
                let body = BodyFields(object: try await call.optionalBody()?.object ?? [:])
                let viewID = try body.int("view_id").flatMap { $0 == 0 ? nil : $0 }
                return Reply.json(try await call.store.write { tx in
                    var job = try Self.currentJob(p, j, tx)
                    if JobProgress.isRunning(job) { throw IConectError.badRequest("Job \(j) is already running") }
                    let view = viewID ?? job["details"]?["view_id"]?.integer
                    if let view {
                        _ = try ViewStore.recordIDs(p, view, tx)
                    } else if job.int("type") == JobProgress.massActionDelete {
                        throw IConectError.badRequest("A view_id is required to start a delete records job")
                    }
                    JobProgress.start(&job, viewID: view)
                    try tx.put(Coll.jobs(p), j, job)
                    return job.shaped(JobProgress.keys)
                })
            }
        }
        for name in ["jobs.stop", "jobs.stop.post"] {
            api.on(name) { call in
                let (p, j) = (try call.id("project_id"), try call.id("job_id"))
                return Reply.json(try await call.store.write { tx in
                    var job = try Self.currentJob(p, j, tx)
                    guard JobProgress.isRunning(job) else { throw IConectError.badRequest("Job \(j) is not running") }
                    JobProgress.stop(&job)
                    try tx.put(Coll.jobs(p), j, job)
                    return job.shaped(JobProgress.keys)
                })
            }
        }
    }

    /// The job as of now (advanced), after checking the project.
    static func currentJob(_ p: Int64, _ j: Int64, _ tx: any SandboxTransaction) throws -> JSONObject {
        _ = try tx.requireProject(p)
        return try JobProgress.advance(try tx.require(Coll.jobs(p), j, "Job"), project: p, tx)
    }
}
