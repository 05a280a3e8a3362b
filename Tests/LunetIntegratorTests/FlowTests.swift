import Foundation
import LunetJSON
import Testing

@testable import LunetIntegrator

@Suite("integrator.io flows and jobs")
struct FlowTests {
    @Test func flowsListAndGet() async throws {
        try await withIntegrator { _, client in
            let list = try await client.get("/flows?limit=2")
            #expect(list.json.array?.count == 2)
            #expect(list.next != nil)
            #expect(try await client.all("/flows?limit=2").items.count == 5)
            let flow = try await client.get("/flows/\(IntegratorDemo.flowID(0))")
            #expect(flow.json["name"] == "Orders to NetSuite")
            #expect(flow.json["__sandbox"] == nil)
            #expect(try await client.get("/flows/000000000000000000000000").status == 404)
        }
        try await withIntegrator(seed: nil) { _, client in
            let empty = try await client.get("/flows")
            #expect(empty.status == 204)
        }
    }

    @Test func runQueuesAJobThatRunsAndCompletes() async throws {
        try await withIntegrator { _, client in
            _ = try await client.control(.PUT, "jobs", ["queuedSeconds": 1, "runningSeconds": 2])
            let run = try await client.post("/flows/\(IntegratorDemo.flowID(0))/run", [:])
            #expect(run.status == 201)
            let job = try #require(run.json["_jobId"]?.string)
            #expect(run.json.object?.keys == ["_jobId"])
            let queued = try await client.get("/jobs/\(job)").json
            #expect(queued["status"] == "queued")
            #expect(queued["_flowId"]?.string == IntegratorDemo.flowID(0))
            #expect(queued["type"] == "flow")
            #expect(queued["numSuccess"] == 0)
            try await Task.sleep(for: .milliseconds(1500))
            let running = try await client.get("/jobs/\(job)").json
            #expect(running["status"] == "running")
            #expect(running["startedAt"] != nil)
            try await Task.sleep(for: .milliseconds(2000))
            let done = try await client.get("/jobs/\(job)").json
            #expect(done["status"] == "completed")
            #expect(done["numSuccess"] == 120)
            #expect(done["numError"] == 0)
            #expect(done["endedAt"] != nil)
            #expect(done["__sandbox"] == nil)
            let listed = try await client.get("/jobs?_flowId=\(IntegratorDemo.flowID(0))&limit=1")
            #expect(listed.json[0]?["_id"]?.string == job)  // newest first
        }
    }

    @Test func aFailingFlowAndADisabledOne() async throws {
        try await withIntegrator { _, client in
            _ = try await client.control(.PUT, "jobs", ["queuedSeconds": 0, "runningSeconds": 0])
            let job = try await client.post("/flows/\(IntegratorDemo.flowID(2))/run", [:]).json["_jobId"]!.string!
            let failed = try await client.get("/jobs/\(job)").json
            #expect(failed["status"] == "failed")
            #expect((failed["numError"]?.integer ?? 0) > 0)
            #expect(failed["retriable"] == true)
            let disabled = try await client.post("/flows/\(IntegratorDemo.flowID(4))/run", [:])
            #expect(disabled.status == 422)
            #expect(disabled.error?["code"] == "flow_disabled")
            #expect(try await client.post("/flows/000000000000000000000000/run", [:]).status == 404)
            #expect(try await client.get("/jobs/000000000000000000000000").status == 404)
        }
    }

    @Test func jobsListNeedsAFilterAndPages() async throws {
        try await withIntegrator { _, client in
            let unfiltered = try await client.get("/jobs")
            #expect(unfiltered.status == 400)
            #expect(unfiltered.error?["code"] == "invalid_query")
            let flow = IntegratorDemo.flowID(1)
            let (jobs, pages) = try await client.all("/jobs?_flowId=\(flow)&limit=4")
            #expect(jobs.count == 10)
            #expect(pages == 3)
            #expect(jobs.allSatisfy { $0["_flowId"]?.string == flow && $0["status"] == "completed" })
            let created = jobs.compactMap { $0["createdAt"]?.string }
            #expect(created == created.sorted(by: >))
            // The documented way to page: createdAt_lte = last createdAt minus 1 ms.
            let firstFour = Array(jobs.prefix(4))
            let lastTime = IntegratorTime.parse(firstFour.last!["createdAt"]!.string!)! - 1
            let older = try await client.get(
                "/jobs?_flowId=\(flow)&createdAt_lte=\(IntegratorTime.format(lastTime))&limit=4")
            #expect(older.json.array == Array(jobs[4..<8]))
            let byEpoch = try await client.get("/jobs?_flowId=\(flow)&createdAt_lte=\(lastTime)&limit=4")
            #expect(byEpoch.json == older.json)
            let all = try await client.all("/jobs?createdAt_gte=2024-01-01&limit=100").items
            #expect(all.count == 40)
            #expect(try await client.get("/jobs?createdAt_gte=2024-01-01&status=failed").json.array?.count == 10)
            let bad = try await client.get("/jobs?createdAt_lte=yesterday")
            #expect(bad.status == 400)
            #expect(bad.error?["field"] == "createdAt_lte")
            #expect(try await client.get("/jobs?_exportId=nope").json == [])
        }
    }
}
