import LunetIntegrator
import LunetJSON
import NIOHTTP1
import Testing

@testable import LunetIntegrator

@Suite("integrator.io route table")
struct RouteTableTests {
    /// Every route the binding will call is served (answered by the
    /// emulator, not the router's "no such route").
    @Test func everyRouteExists() async throws {
        try await withIntegrator { _, client in
            for (name, route) in IntegratorRoutes.table where route.method != "DELETE" {
                let id =
                    route.path.hasPrefix("/flows")
                    ? IntegratorDemo.flowID(0)
                    : route.path.hasPrefix("/jobs") ? IntegratorDemo.jobID(0) : IntegratorDemo.slack
                let path =
                    route.path.replacingOccurrences(of: "{id}", with: id).replacingOccurrences(
                        of: "{key}", with: "banana")
                    + (name == "jobs.list" ? "?_flowId=\(IntegratorDemo.flowID(0))" : "")
                let reply = try await client.send(
                    HTTPMethod(rawValue: route.method), path, json: route.method == "GET" ? nil : [:])
                #expect(
                    ![404, 405].contains(reply.status),
                    "\(name): \(route.method) \(path) → \(reply.status) \(reply.text.prefix(200))")
            }
            for (name, route) in IntegratorRoutes.table.sorted(by: { $0.key < $1.key }) where route.method == "DELETE" {
                let path = route.path.replacingOccurrences(of: "{id}", with: IntegratorDemo.connectionID(9))
                    .replacingOccurrences(of: "{key}", with: "lastSync")
                #expect(try await client.delete(path).status == 204, "\(name)")
            }
        }
    }
}
