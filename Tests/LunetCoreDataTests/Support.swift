import AsyncHTTPClient
import Foundation
import LunetCoreData
import LunetJSON
import LunetSandbox
import NIOCore
import NIOHTTP1
import Testing

/// A client that does not follow redirects: the tests look at each 301/302.
let rawClient = HTTPClient(
    eventLoopGroup: HTTPClient.defaultEventLoopGroup,
    configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

struct Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var bytes: [UInt8]
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var json: JSONValue { (try? JSONValue.parse(bytes)) ?? .null }
    var error: String? { json["error"]?.string }
    func header(_ name: String) -> String? { headers.first(name: name) }
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
        var request = HTTPClientRequest(url: url)
        request.method = method
        if authorized, let authorization { request.headers.add(name: "Authorization", value: authorization) }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let json {
            request.body = .bytes(ByteBuffer(bytes: json.serialized()))
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        } else if let body {
            request.body = body
        }
        let response = try await rawClient.execute(request, timeout: .seconds(120))
        let buffer = try await response.body.collect(upTo: 128 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers, bytes: Array(buffer.readableBytesView))
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
    let server = try await SandboxServer.start(options)
    do {
        let result = try await body(server, CoreDataClient(baseURL: server.baseURL))
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
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

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lunet-coredata-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func sha256(_ bytes: [UInt8]) -> String { SandboxSHA256.hash(bytes) }
