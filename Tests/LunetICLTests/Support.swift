import AsyncHTTPClient
import Foundation
import LunetJSON
import LunetSandbox
import LunetTestSupport
import NIOCore
import NIOHTTP1
import Testing

@testable import LunetICL

/// Starts a sandbox serving only the iCL emulator, runs `body`, stops it.
@discardableResult
func withICL<T>(
    seed: String? = nil, data: String? = nil, _ body: (SandboxServer, ICLTestClient) async throws -> T
) async throws -> T {
    let options = SandboxOptions(
        dataDirectory: data, seed: seed,
        modules: { store in [ICLEmulator(store: store.namespaced("icl"))] })
    return try await withSandboxServer(options) { server in
        try await body(server, ICLTestClient(base: server.baseURL + "/icl"))
    }
}

typealias Reply = TestReply

extension TestReply {
    /// `result` of the ABP envelope.
    var result: JSONValue { json["result"] ?? .null }
    var errorMessage: String? { json["error"]?["message"]?.string }
}

/// Calls the emulator over HTTP, with a bearer token once `login()` ran.
struct ICLTestClient {
    let base: String
    var token: String?

    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String = "application/json",
              authorized: Bool = true) async throws -> Reply {
        var headers: [(String, String)] = []
        if body != nil { headers.append(("Content-Type", contentType)) }
        if authorized, let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try await sendTestRequest(method, url: base + path, headers: headers, body: body.map { .bytes(ByteBuffer(string: $0)) })
    }

    func get(_ path: String) async throws -> Reply { try await send(.GET, path) }
    func post(_ path: String, _ body: JSONValue) async throws -> Reply { try await send(.POST, path, body: body.serializedString()) }
    func put(_ path: String, _ body: JSONValue) async throws -> Reply { try await send(.PUT, path, body: body.serializedString()) }
    func delete(_ path: String) async throws -> Reply { try await send(.DELETE, path) }

    func token(_ form: String) async throws -> Reply {
        try await send(.POST, "/token", body: form, contentType: "application/x-www-form-urlencoded", authorized: false)
    }

    /// A client holding a token from the client-credentials grant.
    func login() async throws -> ICLTestClient {
        let c = ICLEmulator.sandboxCredentials
        let reply = try await token("grant_type=client_credentials&client_id=\(c.clientID)&client_secret=\(c.clientSecret)")
        #expect(reply.status == 200)
        var client = self
        client.token = try #require(reply.json["access_token"]?.string)
        return client
    }
}

/// Percent-encodes a query value (OData expressions have quotes, spaces, commas).
func q(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}

/// A small content type for tests: `thing` with a required title field.
let thingType: JSONValue = [
    "id": "0f8e6a3c-0000-4000-8000-000000000001", "name": "thing", "displayName": "Thing", "titleFieldName": "name",
    "fields": [
        ["type": "ShortText", "name": "name", "displayName": "Name", "isRequired": true],
        ["type": "Number", "name": "size", "displayName": "Size"],
        ["type": "ShortText", "name": "color", "displayName": "Color"],
    ],
]

func results(_ reply: Reply) -> [JSONValue] { reply.result["results"]?.array ?? [] }

func strings(_ values: [JSONValue], _ key: String) -> [String] { values.compactMap { $0[key]?.string } }
