import LunetJSON
import LunetSandbox

/// A started job moves on by itself: Scheduled (state Starting), then
/// WaitingForWorker, then Working (state Running), then a terminal status
/// (state Stopped), one step every `job_step_seconds`. Its status is worked
/// out from the time it was started whenever the job is read, and written
/// back, so a finished job's effects happen exactly once.
enum JobProgress {
    static let keys = [
        "id", "type", "name", "description", "created_date", "last_run_utc", "status_message", "created_user_id",
        "status", "state", "project_id", "last_stop_utc",
    ]

    static let massActionDelete: Int64 = 50006, nativeImport: Int64 = 50035

    static func isRunning(_ job: JSONObject) -> Bool { job["started_at"]?.double != nil }

    /// The job as of now; writes it back when it changed.
    static func advance(_ job: JSONObject, project p: Int64, _ tx: any SandboxTransaction) throws -> JSONObject {
        guard let started = job["started_at"]?.double else { return job }
        let step = try SandboxSettings.load(tx).jobStepSeconds
        let phase = step <= 0 ? 3 : Int((Clock.now - started) / step)
        var next = job
        switch phase {
        case 0: set(&next, JobStatus.scheduled, JobState.starting, "Scheduled")
        case 1: set(&next, JobStatus.waitingForWorker, JobState.starting, "Waiting for a worker")
        case 2: set(&next, JobStatus.working, JobState.running, "Working")
        default: try finish(&next, at: started + 3 * step, project: p, tx)
        }
        if next != job { try tx.put(Coll.jobs(p), next.int("id"), next) }
        return next
    }

    static func start(_ job: inout JSONObject, viewID: Int64?) {
        job["started_at"] = .double(Clock.now)
        job["view_id"] = viewID.map { .integer($0) } ?? .null
        job["last_run_utc"] = .string(Clock.nowISO)
        job["last_stop_utc"] = .null
        job["results"] = .null
        set(&job, JobStatus.scheduled, JobState.starting, "Scheduled")
    }

    static func stop(_ job: inout JSONObject) {
        job["started_at"] = nil
        job["last_stop_utc"] = .string(Clock.nowISO)
        set(&job, JobStatus.cancelled, JobState.stopped, "Cancelled by the user")
    }

    private static func set(_ job: inout JSONObject, _ status: Int64, _ state: Int64, _ message: String) {
        job["status"] = .integer(status)
        job["state"] = .integer(state)
        job["status_message"] = .string(message)
    }

    /// The terminal status: a native import ends CompletedWithErrors (some
    /// files are always refused), the other kinds Completed. A delete
    /// records job deletes the records of its view.
    private static func finish(_ job: inout JSONObject, at time: Double, project p: Int64, _ tx: any SandboxTransaction) throws {
        job["started_at"] = nil
        job["last_stop_utc"] = .string(Clock.iso(time))
        switch job.int("type") {
        case massActionDelete:
            var deleted: Int64 = 0
            if let view = job["view_id"]?.integer, let ids = try? ViewStore.recordIDs(p, view, tx) {
                for r in ids where try tx.object(Coll.records(p), r) != nil {
                    try IConectEmulator.deleteRecord(p, r, tx)
                    deleted += 1
                }
            }
            job["results"] = ["deleted_records": .integer(deleted)]
            set(&job, JobStatus.completed, JobState.stopped, "Deleted \(deleted) record(s)")
        case nativeImport:
            job["results"] = ["imported": 0, "errors": 2]
            set(&job, JobStatus.completedWithErrors, JobState.stopped, "Completed with errors: 2 file(s) could not be imported")
        default:
            job["results"] = [:]
            set(&job, JobStatus.completed, JobState.stopped, "Completed")
        }
    }
}
