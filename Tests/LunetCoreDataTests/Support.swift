import AsyncHTTPClient
import Foundation
import LunetCoreData
import LunetJSON
import LunetSandbox
import LunetTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// A client that does not follow redirects: the tests look at each 301/302.
let rawClient = HTTPClient(
    eventLoopGroup: HTTPClient.defaultEventLoopGroup,
    configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

typealias Reply = TestReply

extension TestReply {
    var error: String? { json["error"]?.string }
}

/// Calls the emulator at `baseURL` (the sandbox root) as the binding would.
struct CoreDataClient: Sendable {
    let baseURL: String
    var authorization: String? = CoreDataEmulator.sandboxCredentials.authorization

    /// `path` is below `/coredata` unless it starts with `http`.
    func send(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, body: HTTPClientRequest.Body? = nil,
        headers: [(String, String)] = [], authorized: Bool = true
    ) async throws -> Reply {
        let url = path.hasPrefix("http") ? path : baseURL + (path.hasPrefix("/coredata") ? "" : "/coredata") + path
        var all: [(String, String)] = []
        if authorized, let authorization { all.append(("Authorization", authorization)) }
        var sent = body
        if let json {
            sent = .bytes(ByteBuffer(bytes: json.serialized()))
            all.append(("Content-Type", "application/json; charset=utf-8"))
        }
        return try await sendTestRequest(
            method, url: url, headers: all + headers, body: sent, client: rawClient, timeout: .seconds(120))
    }

    func get(_ path: String, authorized: Bool = true) async throws -> Reply {
        try await send(.GET, path, authorized: authorized)
    }
    func post(_ path: String, _ json: JSONValue) async throws -> Reply { try await send(.POST, path, json: json) }
    func patch(_ path: String, _ json: JSONValue) async throws -> Reply { try await send(.PATCH, path, json: json) }

    /// Every object of a list, following `meta.next` from the host root.
    func all(_ path: String) async throws -> [JSONValue] {
        var objects: [JSONValue] = []
        var next: String? = path
        while let path = next {
            let reply = try await get(path)
            #expect(reply.status == 200, "\(path): \(reply.text)")
            objects += reply.json["objects"]?.array ?? []
            next = reply.json["meta"]?["next"]?.string.map { baseURL + $0 }
        }
        return objects
    }

    func put(control path: String, _ json: JSONValue) async throws -> Reply {
        try await send(.PUT, "/_control/" + path, json: json, authorized: false)
    }
}

/// Starts a sandbox with only the CoreData emulator, runs `body`, stops it.
func withCoreData<T>(
    seed: String? = "demo", data: String? = nil, _ body: (SandboxServer, CoreDataClient) async throws -> T
) async throws -> T {
    let options = SandboxOptions(
        dataDirectory: data, seed: seed,
        modules: { store in [CoreDataEmulator(store: store.namespaced("coredata"))] })
    return try await withSandboxServer(options) { server in
        try await body(server, CoreDataClient(baseURL: server.baseURL))
    }
}

/// A multipart/form-data body: text fields, then an optional file part.
struct Multipart {
    let boundary = "lunet-test-\(UUID().uuidString)"
    var fields: [(String, String)] = []
    var file: (name: String, filename: String, type: String, bytes: [UInt8])?

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        for (name, value) in fields {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            out += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.type)\r\n\r\n"
                    .utf8)
            out += file.bytes + Array("\r\n".utf8)
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }
}

func sha256(_ bytes: [UInt8]) -> String { SandboxSHA256.hash(bytes) }
