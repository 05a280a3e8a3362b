import LunetJSON
import Testing

@testable import LunetIConect

@Suite("iCONECT jobs")
struct JobTests {
    /// Polls until the job reaches a terminal status; returns every status seen.
    func statuses(_ client: IConectClient, _ path: String) async throws -> [Int64] {
        var seen: [Int64] = []
        for _ in 0..<100 {
            let status = try await client.get(path).json["status"]?.integer ?? -1
            if seen.last != status { seen.append(status) }
            if JobStatus.terminal.contains(status) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return seen
    }

    @Test func listWithPagingAndTypes() async throws {
        try await withIConect { _, client in
            let all = try await client.get("/projects/1/jobs")
            #expect(all.json.ids == [1, 2, 3, 4])
            #expect(all.json[0]?.object?.keys == JobProgress.keys)
            #expect(try await client.get("/projects/1/jobs?start_row=1&job_count=2").json.ids == [2, 3])
            #expect(try await client.get("/projects/1/jobs?types=50006").json.ids == [2])
            #expect(try await client.get("/projects/1/jobs?types=50006&types=50035").json.ids == [2, 3])
            #expect(try await client.get("/projects/1/jobs?types=50006,50020").json.ids == [2, 4])
            #expect(try await client.get("/projects/1/jobs?types=1").status == 400)
            #expect(try await client.get("/projects/1/jobs?start_row=-1").status == 400)
            #expect(try await client.get("/projects/1/jobs/3").json["status"] == 8)
            #expect(try await client.get("/projects/1/jobs/9").error == "Job 9 was not found")
        }
    }

    @Test func createUpdateDelete() async throws {
        try await withIConect { _, client in
            let created = try await client.post(
                "/projects/1/jobs", ["type": 50007, "name": "Load volume 2", "details": ["delimiter": "|"], "status": 5])
            #expect(created.status == 201)
            #expect(created.json["id"] == 5)
            #expect(created.json["status"] == 0)  // the server decides the status
            #expect(created.json["state"] == 0)
            #expect(created.json["project_id"] == 1)
            #expect(created.json["created_user_id"] == 1)
            #expect(try await client.post("/projects/1/jobs", ["type": 50007]).error == "The details field is required.")
            #expect(try await client.post("/projects/1/jobs", ["type": 1, "details": [:]]).status == 400)
            #expect(try await client.post("/projects/1/jobs", ["details": [:]]).status == 400)

            let updated = try await client.put("/projects/1/jobs/5", ["name": "Renamed", "description": "Second volume", "type": 50006])
            #expect(updated.json["name"] == "Renamed")
            #expect(updated.json["description"] == "Second volume")
            #expect(updated.json["type"] == 50007)

            let deleted = try await client.delete("/projects/1/jobs/5?delete_data=true")
            #expect(deleted.json["name"] == "Renamed")
            #expect(try await client.get("/projects/1/jobs/5").status == 404)
            #expect(try await client.delete("/projects/1/jobs/4?delete_data=maybe").status == 400)
        }
    }

    @Test func startedJobProgressesToCompleted() async throws {
        try await withIConect { _, client in
            _ = try await client.settings(["job_step_seconds": 0.3])
            let started = try await client.put("/projects/1/jobs/4/start", [:])
            #expect(started.status == 200)
            #expect(started.json["status"] == 1)  // Scheduled
            #expect(started.json["state"] == 1)  // Starting
            #expect(started.json["last_run_utc"]?.string != nil)
            #expect(try await client.put("/projects/1/jobs/4/start").error == "Job 4 is already running")
            let seen = try await statuses(client, "/projects/1/jobs/4")
            #expect(seen.first == 1)
            #expect(seen.last == 5)
            #expect(seen.contains(6))  // Working on the way
            let job = try await client.get("/projects/1/jobs/4").json
            #expect(job["state"] == 0)
            #expect(job["last_stop_utc"]?.string != nil)
        }
    }

    @Test func nativeImportEndsWithErrors() async throws {
        try await withIConect { _, client in
            _ = try await client.settings(["job_step_seconds": 0])
            #expect(try await client.post("/projects/1/jobs/3/start").status == 200)  // POST works too
            let job = try await client.get("/projects/1/jobs/3").json
            #expect(job["status"] == 8)
            #expect(job["status_message"]?.string?.contains("errors") == true)
        }
    }

    @Test func deleteRecordsJobDeletesItsView() async throws {
        try await withIConect { _, client in
            _ = try await client.settings(["job_step_seconds": 0.05])
            let missing = try await client.put("/projects/1/jobs/2/start", ["view_id": 42])
            #expect(missing.status == 404)
            let view = try await client.post("/projects/1/views", ["selected_ids": [20, 21, 22]]).json["id"]!.integer!
            #expect(try await client.put("/projects/1/jobs/2/start", ["view_id": .integer(view)]).status == 200)
            #expect(try await statuses(client, "/projects/1/jobs/2").last == 5)
            #expect(try await client.get("/projects/1/records/count").json == 597)
            #expect(try await client.get("/projects/1/records/21").status == 404)
            #expect(try await client.get("/projects/1/jobs").json[1]?["status_message"] == "Deleted 3 record(s)")
            // Without a view a delete records job cannot start.
            let job = try await client.post("/projects/1/jobs", ["type": 50006, "details": [:]]).json["id"]!.integer!
            #expect(try await client.put("/projects/1/jobs/\(job)/start").error == "A view_id is required to start a delete records job")
        }
    }

    @Test func stopCancels() async throws {
        try await withIConect { _, client in
            _ = try await client.settings(["job_step_seconds": 30])
            #expect(try await client.put("/projects/1/jobs/4/stop").error == "Job 4 is not running")
            _ = try await client.put("/projects/1/jobs/4/start")
            #expect(try await client.delete("/projects/1/jobs/4").status == 400)
            let stopped = try await client.post("/projects/1/jobs/4/stop")
            #expect(stopped.status == 200)
            #expect(stopped.json["status"] == 4)
            #expect(stopped.json["state"] == 0)
            #expect(try await client.get("/projects/1/jobs/4").json["status"] == 4)
            #expect(try await client.delete("/projects/1/jobs/4").status == 200)
            #expect(try await client.put("/projects/1/jobs/9/stop").status == 404)
        }
    }
}
