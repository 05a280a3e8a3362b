import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// One attempt of one request over async-http-client: no retries, no auth,
/// no redirects (the engine does those). Clients are shared per process, so
/// connections are pooled and kept alive across every connection a script
/// opens.
struct HTTPTransport: Sendable {
    let client: HTTPClient

    /// Where a response body goes.
    enum Sink: Sendable {
        /// Collected in memory, up to `limit` bytes.
        case memory(limit: Int)
        /// A successful (2xx) body is streamed to the file; other bodies
        /// (errors, redirects) are collected in memory for their message.
        case file(path: String)
    }

    struct Result: Sendable {
        var response: HTTPResponse
        var bytesSent: Int64
        var bytesReceived: Int64
    }

    /// - timeout: for the whole exchange, body included (async-http-client's
    ///   own deadline ends with the response head); nil: only the idle read
    ///   timeout applies.
    func send(_ request: HTTPRequest, url: URL, timeout: Duration?, sink: Sink) async throws -> Result {
        guard let timeout else { return try await exchange(request, url: url, timeout: nil, sink: sink) }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await exchange(request, url: url, timeout: timeout, sink: sink) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            // Our timer or async-http-client's own deadline may fire first;
            // either way the user sees one message naming the limit.
            let timedOut = TransportFailure(.timeout, "no complete response within \(Self.seconds(timeout))")
            do {
                guard let first = try await group.next(), let result = first else { throw timedOut }
                return result
            } catch let error where TransportFailure.classify(error).kind == .timeout {
                throw timedOut
            }
        }
    }

    static func seconds(_ d: Duration) -> String {
        let s = d.inSeconds
        return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }

    private func exchange(_ request: HTTPRequest, url: URL, timeout: Duration?, sink: Sink) async throws -> Result {
        if case .memory(let limit) = sink, let stream = try Self.diskStream(request.body) {
            return try await upload(request, url: url, stream: stream, limit: limit)
        }
        var outgoing = HTTPClientRequest(url: url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers { outgoing.headers.add(name: field.name, value: field.value) }
        let (body, length) = try Self.body(request.body)
        outgoing.body = body

        let far = Duration.seconds(86400 * 365)  // our own race (in `send`) bounds the attempt
        let response = try await client.execute(outgoing, deadline: .now() + .nanoseconds(Self.nanoseconds(timeout ?? far)))
        var headers = HeaderFields()
        for (name, value) in response.headers { headers.add(name, value) }
        let head = HTTPResponse(status: Int(response.status.code), headers: headers, url: url)
        switch sink {
        case .file(let path) where head.isSuccess:
            return try await save(response.body, head: head, to: path, sent: length)
        case .file:
            return try await collect(response.body, head: head, limit: 1 << 20, sent: length)
        case .memory(let limit):
            return try await collect(response.body, head: head, limit: limit, sent: length)
        }
    }

    private func save(_ body: HTTPClientResponse.Body, head: HTTPResponse, to path: String, sent: Int64) async throws -> Result {
        let file = try DownloadFile(destination: path)
        do {
            for try await chunk in body { try file.write(chunk) }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
        return Result(response: head, bytesSent: sent, bytesReceived: file.written)
    }

    private func collect(_ body: HTTPClientResponse.Body, head: HTTPResponse, limit: Int, sent: Int64) async throws -> Result {
        var collected: [UInt8] = []
        for try await chunk in body {
            guard collected.count + chunk.readableBytes <= limit else {
                throw TransportFailure(
                    .other, "response body larger than \(TraceLog.size(limit)); download it to a file instead")
            }
            collected.append(contentsOf: chunk.readableBytesView)
        }
        var response = head
        response.body = collected
        return Result(response: response, bytesSent: sent, bytesReceived: Int64(collected.count))
    }

    /// The body as chunks read from disk, when it has any file in it.
    static func diskStream(_ body: HTTPBody) throws -> StreamedBody? {
        guard body.isStreamedFromDisk else { return nil }
        switch body {
        case .multipart(let multipart): return StreamedBody(segments: try multipart.segments())
        case .file(let path, let range, _):
            return StreamedBody(segments: [.file(path: path, range: try BodySegment.checkedRange(path, range))])
        default: return nil
        }
    }

    private static func body(_ body: HTTPBody) throws -> (HTTPClientRequest.Body?, Int64) {
        switch body {
        case .none: return (nil, 0)
        case .json(let bytes), .bytes(let bytes, _): return (.bytes(bytes), Int64(bytes.count))
        case .form(let fields):
            let bytes = HTTPBody.formEncoded(fields)
            return (.bytes(bytes), Int64(bytes.count))
        case .multipart(let multipart):
            let stream = StreamedBody(segments: try multipart.segments())
            return (.stream(stream, length: .known(stream.length)), stream.length)
        case .file(let path, let range, _):
            let stream = StreamedBody(segments: [.file(path: path, range: try BodySegment.checkedRange(path, range))])
            return (.stream(stream, length: .known(stream.length)), stream.length)
        }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s.multipliedReportingOverflow(by: 1_000_000_000).overflow ? Int64.max / 2 : s * 1_000_000_000 + atto / 1_000_000_000
    }

    // MARK: Shared clients

    private static let clients = LockedValue<[String: HTTPClient]>([:])

    /// The process's client for this pool and these timeouts (normally
    /// there is one).
    static func shared(pool: String, connectTimeout: Duration, readTimeout: Duration) -> HTTPTransport {
        let key = "\(pool)/\(connectTimeout)/\(readTimeout)"
        let client = clients.withLock { cache -> HTTPClient in
            if let existing = cache[key] { return existing }
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.timeout = .init(
                connect: .nanoseconds(nanoseconds(connectTimeout)), read: .nanoseconds(nanoseconds(readTimeout)))
            // Fail at once on a refused connection; RetryPolicy decides.
            configuration.connectionPool.retryConnectionEstablishment = false
            // The engine caps buffered bodies itself; downloads may be large.
            configuration.decompression = .enabled(limit: .none)
            // Never shut down: it lives as long as the process.
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            cache[key] = client
            return client
        }
        return HTTPTransport(client: client)
    }
}
