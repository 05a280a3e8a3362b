import AsyncHTTPClient
import Foundation
import LunetJSON
import LunetSandbox
import LunetTestSupport
import NIOCore
import NIOHTTP1
import Testing

@testable import LunetIConect

/// A sandbox with only the iCONECT emulator, seeded with "demo" unless told
/// otherwise; `body` gets a client already signed in as the administrator.
@discardableResult
func withIConect<T>(
    seed: String? = "demo", data: String? = nil, _ body: (SandboxServer, IConectClient) async throws -> T
) async throws -> T {
    let options = SandboxOptions(
        dataDirectory: data, seed: seed,
        modules: { store in [IConectEmulator(store: store.namespaced("iconect"))] })
    return try await withSandboxServer(options) { server in
        var client = IConectClient(base: server.baseURL + "/iconect")
        try await client.signIn()
        return try await body(server, client)
    }
}

typealias Reply = TestReply

extension TestReply {
    var error: String? { json["iconect_error"]?.string }
}

/// Talks to the emulator over HTTP, as a binding would. Redirects are not
/// followed, so the authorize endpoint's 302 can be inspected.
struct IConectClient {
    static let http = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    let base: String
    var token: String?

    var api: String { base + "/api/v1" }
    var identity: String { base + "/identity" }

    mutating func signIn(_ credentials: IConectSandboxCredentials = IConectEmulator.sandboxCredentials) async throws {
        let reply = try await form(
            "/openid/token",
            ["grant_type": "password", "username": credentials.username, "password": credentials.password,
             "client_id": credentials.clientID, "scope": credentials.scope])
        try #require(reply.status == 200, "sign-in failed: \(reply)")
        token = reply.json["access_token"]?.string
    }

    /// A raw request to `url`.
    func send(
        _ method: HTTPMethod, url: String, body: [UInt8]? = nil, contentType: String? = nil, bearer: String?? = nil
    ) async throws -> Reply {
        var headers: [(String, String)] = []
        if let token = bearer ?? token { headers.append(("Authorization", "Bearer \(token)")) }
        if body != nil { headers.append(("Content-Type", contentType ?? "application/json; charset=utf-8")) }
        return try await sendTestRequest(
            method, url: url, headers: headers, body: body.map { .bytes(ByteBuffer(bytes: $0)) }, client: Self.http,
            timeout: .seconds(30), limit: 256 << 20)
    }

    func get(_ path: String) async throws -> Reply { try await send(.GET, url: api + path) }
    func delete(_ path: String, _ body: JSONValue? = nil) async throws -> Reply {
        try await send(.DELETE, url: api + path, body: body?.serialized())
    }
    func post(_ path: String, _ body: JSONValue? = nil) async throws -> Reply {
        try await send(.POST, url: api + path, body: body?.serialized())
    }
    func put(_ path: String, _ body: JSONValue? = nil) async throws -> Reply {
        try await send(.PUT, url: api + path, body: body?.serialized())
    }

    /// A form POST to the identity provider.
    func form(_ path: String, _ fields: [String: String]) async throws -> Reply {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let text = fields.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return try await send(
            .POST, url: identity + path, body: Array(text.utf8), contentType: "application/x-www-form-urlencoded",
            bearer: .some(nil))
    }

    /// One chunk as multipart/form-data with a part named `file`.
    func upload(_ path: String, _ bytes: [UInt8], filename: String = "file.bin", partName: String = "file") async throws -> Reply {
        let boundary = "lunet-\(UUID().uuidString)"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(partName)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return try await send(.POST, url: api + path, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// PUT /iconect/_sandbox/settings.
    func settings(_ changes: JSONValue) async throws -> Reply {
        try await send(.PUT, url: base + "/_sandbox/settings", body: changes.serialized())
    }
}

extension JSONValue {
    var count: Int { array?.count ?? object?.count ?? 0 }
    var ids: [Int64] { array?.compactMap { $0["id"]?.integer } ?? [] }
}

/// Bytes that differ at every position, for upload round trips.
func testBytes(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 31) &+ ($0 >> 8) &+ seed) }
}
