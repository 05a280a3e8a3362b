import AsyncHTTPClient
import Foundation
import LunetJSON
import LunetSandbox
import NIOCore
import NIOHTTP1

/// Runs `body` with a started server and stops it whether `body` returns or throws.
public func withStopping<Server, T>(
    _ server: Server, stop: (Server) async -> Void, _ body: (Server) async throws -> T
) async throws -> T {
    do {
        let result = try await body(server)
        await stop(server)
        return result
    } catch {
        await stop(server)
        throw error
    }
}

/// Starts an in-process sandbox with `options`, runs `body`, and stops the
/// sandbox whether `body` returns or throws. Each API's test module wraps it
/// with its emulator and a client of its own (`withICL`, `withIConect`, …).
@discardableResult
public func withSandboxServer<T>(_ options: SandboxOptions, _ body: (SandboxServer) async throws -> T) async throws -> T {
    try await withStopping(try await SandboxServer.start(options), stop: { await $0.stop() }, body)
}

/// One HTTP answer as the tests look at it. Each test module adds what its
/// API's envelope needs (`result`, `error`, `next`, …) in an extension.
public struct TestReply: Sendable, CustomStringConvertible {
    public var status: Int
    public var headers: HTTPHeaders
    public var bytes: [UInt8]

    public var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The body parsed as JSON; `.null` when it is not JSON.
    public var json: JSONValue { (try? JSONValue.parse(bytes)) ?? .null }
    public func header(_ name: String) -> String? { headers.first(name: name) }
    public var description: String { "\(status) \(text.prefix(500))" }
}

/// Sends one request and collects its whole answer (up to `limit` bytes).
public func sendTestRequest(
    _ method: HTTPMethod, url: String, headers: [(String, String)] = [], body: HTTPClientRequest.Body? = nil,
    client: HTTPClient = .shared, timeout: TimeAmount = .seconds(60), limit: Int = 128 << 20
) async throws -> TestReply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
    if let body { request.body = body }
    let response = try await client.execute(request, timeout: timeout)
    let buffer = try await response.body.collect(upTo: limit)
    return TestReply(status: Int(response.status.code), headers: response.headers, bytes: Array(buffer.readableBytesView))
}

/// A new empty directory under the system's temporary directory.
public func temporaryTestDirectory(_ prefix: String = "lunet-test") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
