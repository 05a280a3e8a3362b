import LunetCoreData
import LunetJSON
import NIOHTTP1
import Testing

@testable import LunetCoreData

@Suite("CoreData route table")
struct RouteTableTests {
    /// Every route the binding will call is served (answered by the
    /// emulator, not the router's "no such route").
    @Test func everyRouteExists() async throws {
        try await withCoreData { _, client in
            for (name, route) in CoreDataRoutes.table {
                let resource = CoreDataResource(rawValue: String(route.path.split(separator: "/")[2])) ?? .contacts
                let path = route.path.replacingOccurrences(of: "{id}", with: CoreDataDemo.id(resource, 1))
                #expect(path.hasSuffix("/"), "\(name)")
                let reply = try await client.send(
                    HTTPMethod(rawValue: route.method), path, json: route.method == "GET" ? nil : [:])
                #expect(![404, 405].contains(reply.status), "\(name): \(route.method) \(path) → \(reply.status)")
                #expect(
                    reply.status == 302 || reply.header("Content-Type")?.hasPrefix("application/json") == true,
                    "\(name)")
            }
        }
    }
}
