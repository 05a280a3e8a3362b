import AsyncHTTPClient
import Foundation
import LunetIntegrator
import LunetJSON
import LunetSandbox
import LunetTestSupport
import NIOCore
import NIOHTTP1
import Testing

typealias Reply = TestReply

extension TestReply {
    /// The first error of the `errors` envelope.
    var error: JSONValue? { json["errors"]?[0] }

    /// The `rel="next"` URL of the Link header.
    var next: String? { link("next") }

    func link(_ rel: String) -> String? {
        guard let header = header("Link") else { return nil }
        for part in header.split(separator: ",") where part.contains("rel=\"\(rel)\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">") else { continue }
            return String(part[part.index(after: open)..<close])
        }
        return nil
    }
}

/// Calls `<sandbox>/integrator/v1` as the binding would.
struct IntegratorClient: Sendable {
    let baseURL: String
    var token: String? = IntegratorEmulator.sandboxCredentials.token

    func with(token: String?) -> IntegratorClient { IntegratorClient(baseURL: baseURL, token: token) }

    /// `path` is below `/integrator/v1` unless it starts with `/integrator/` or `http`.
    func send(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, raw: String? = nil,
        headers: [(String, String)] = []
    )
        async throws -> Reply
    {
        let url =
            path.hasPrefix("http") ? path : baseURL + (path.hasPrefix("/integrator/") ? "" : "/integrator/v1") + path
        var all: [(String, String)] = token.map { [("Authorization", "Bearer \($0)")] } ?? []
        var body: HTTPClientRequest.Body?
        if let json {
            body = .bytes(ByteBuffer(bytes: json.serialized()))
            all.append(("Content-Type", "application/json; charset=utf-8"))
        } else if let raw {
            body = .bytes(ByteBuffer(string: raw))
            all.append(("Content-Type", "application/json"))
        }
        // The caller's headers win over the defaults, as before.
        return try await sendTestRequest(method, url: url, headers: all + headers, body: body)
    }

    func get(_ path: String) async throws -> Reply { try await send(.GET, path) }
    func post(_ path: String, _ json: JSONValue) async throws -> Reply { try await send(.POST, path, json: json) }
    func put(_ path: String, _ json: JSONValue) async throws -> Reply { try await send(.PUT, path, json: json) }
    func delete(_ path: String) async throws -> Reply { try await send(.DELETE, path) }

    /// Every item of a list, following Link rel="next".
    func all(_ path: String) async throws -> (items: [JSONValue], pages: Int) {
        var items: [JSONValue] = []
        var pages = 0
        var next: String? = path
        while let path = next {
            let reply = try await get(path)
            #expect(reply.status == 200, "\(path): \(reply.text.prefix(300))")
            items += reply.json.array ?? []
            pages += 1
            next = reply.next
        }
        return (items, pages)
    }

    func control(_ method: HTTPMethod, _ path: String, _ json: JSONValue? = nil) async throws -> Reply {
        try await with(token: nil).send(method, "/integrator/_control/" + path, json: json)
    }
}

/// Starts a sandbox with only the integrator.io emulator, runs `body`, stops it.
func withIntegrator<T>(
    seed: String? = "demo", data: String? = nil, _ body: (SandboxServer, IntegratorClient) async throws -> T
) async throws -> T {
    let options = SandboxOptions(
        dataDirectory: data, seed: seed,
        modules: { store in [IntegratorEmulator(store: store.namespaced("integrator"))] })
    return try await withSandboxServer(options) { server in
        try await body(server, IntegratorClient(baseURL: server.baseURL))
    }
}
