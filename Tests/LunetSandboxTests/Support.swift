import AsyncHTTPClient
import Foundation
import Hummingbird
import LunetJSON
import LunetTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

@testable import LunetSandbox

/// What the dummy module was asked to do, for checking that control endpoints reach modules.
final class ModuleCalls: Sendable {
    private let calls = NIOLockedValueBox<[String]>([])
    var all: [String] { calls.withLockedValue { $0 } }
    func record(_ call: String) { calls.withLockedValue { $0.append(call) } }
}

/// A module as an emulator would be written: routes over the shared store.
///   GET /dummy/ping            → "pong"
///   PUT /dummy/items/{id}      → stores the JSON body
///   GET /dummy/items/{id}      → the document, 404 when absent
///   GET /dummy/items           → {"items": [{id, body}…]} in id order
///   POST /dummy/batch          → [{id, body}…] stored all-or-nothing; 400 if one lacks an id
struct DummyModule: SandboxModule {
    var prefix = "dummy"
    let store: any SandboxStore
    var calls = ModuleCalls()

    func register(on group: RouterGroup<SandboxContext>) {
        let store = self.store
        group.get("ping") { _, _ in "pong" }
        group.put("items/:id") { request, context in
            let id = try context.parameters.require("id")
            try await store.put("items", id: id, try await SandboxJSON.body(of: request))
            return SandboxJSON.response(["id": .string(id)])
        }
        group.get("items/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let document = try await store.get("items", id: id) else {
                return SandboxJSON.error("no item \(id)", status: .notFound)
            }
            return SandboxJSON.response(document)
        }
        group.get("items") { _, _ in
            let documents = try await store.scan("items")
            return SandboxJSON.response([
                "items": .array(documents.map { ["id": .string($0.id), "body": $0.body] })
            ])
        }
        group.post("batch") { request, _ in
            let items = try await SandboxJSON.body(of: request).array ?? []
            do {
                try await store.write { tx in
                    for item in items {
                        guard let id = item["id"]?.string else { throw HTTPError(.badRequest, message: "item without id") }
                        try tx.put("items", id: id, item["body"] ?? .null)
                    }
                }
            } catch let error as HTTPError {
                return SandboxJSON.error(error.body ?? "bad batch", status: error.status)
            }
            return SandboxJSON.response(["stored": .integer(Int64(items.count))])
        }
    }

    func reset() async {
        calls.record("reset")
        try? await store.removeAll()
    }

    func seed(_ name: String) async throws {
        guard name == "demo" else { throw UnknownSeed(name) }
        calls.record("seed demo")
        try await store.put("items", id: "seeded", ["from": "demo"])
    }
}

/// Starts a server with the dummy module (plus `extraModules`), runs `body`, stops it.
@discardableResult
func withSandbox<T>(
    faults: String = "", data: String? = nil, seed: String? = nil, calls: ModuleCalls = ModuleCalls(),
    extraModules: @escaping @Sendable (any SandboxStore) -> [any SandboxModule] = { _ in [] },
    _ body: (SandboxServer, SandboxClient) async throws -> T
) async throws -> T {
    let options = SandboxOptions(
        dataDirectory: data, seed: seed, faults: try FaultSpec(parsing: faults),
        modules: { store in [DummyModule(store: store.namespaced("dummy"), calls: calls)] + extraModules(store) })
    return try await withSandboxServer(options) { server in
        try await body(server, SandboxClient(baseURL: server.baseURL))
    }
}

typealias Reply = TestReply

struct SandboxClient {
    let baseURL: String

    func send(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> Reply {
        try await sendTestRequest(
            method, url: baseURL + path, headers: body == nil ? [] : [("Content-Type", "application/json")],
            body: body.map { .bytes(ByteBuffer(string: $0)) }, timeout: .seconds(30))
    }

    func get(_ path: String) async throws -> Reply { try await send(.GET, path) }
    func put(_ path: String, _ body: String) async throws -> Reply { try await send(.PUT, path, body: body) }
    func post(_ path: String, _ body: String? = nil) async throws -> Reply { try await send(.POST, path, body: body) }
    func delete(_ path: String) async throws -> Reply { try await send(.DELETE, path) }

    /// Statuses of `count` sequential GETs of `path`.
    func statuses(_ path: String, count: Int) async throws -> [Int] {
        var statuses: [Int] = []
        for _ in 0..<count { statuses.append(try await get(path).status) }
        return statuses
    }
}
