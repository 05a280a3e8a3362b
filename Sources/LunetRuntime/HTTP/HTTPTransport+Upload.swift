import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Bodies streamed from disk go through async-http-client's delegate API,
/// whose writer reports when each write has been done: at most
/// `uploadWindow` writes of up to `uploadWrite` bytes are in flight, so an
/// upload holds about 2 MiB however fast the disk and however slow the
/// network. (The async API pulls its body sequence while the channel merely
/// looks writable, and was measured queueing 10–50 MB on a fast link.)
/// The body's 64 KiB reads are gathered into writes of 512 KiB: each write
/// and its confirmation cost a hop between threads, and with 64 KiB writes
/// those hops, not the network or the disk, bounded bench/upload.
extension HTTPTransport {
    /// Writes done but not yet confirmed.
    static let uploadWindow = 4
    /// Bytes gathered into one write.
    static let uploadWrite = 512 * 1024

    func upload(_ request: HTTPRequest, url: URL, stream: StreamedBody, limit: Int) async throws -> Result {
        var headers = HTTPHeaders()
        for field in request.headers { headers.add(name: field.name, value: field.value) }
        // A streamed upload uses its connection once. When the server's
        // answer ends before the body's last write is confirmed (common: the
        // server reads the final bytes and answers at once), the delegate API
        // never hands the connection back to the pool; after a dozen uploads
        // every request, GETs included, timed out waiting for a connection
        // (reproduced: 10–25 uploads of 100 kB to the sandbox). Closing costs
        // one connection setup per upload or chunk; chunks are megabytes.
        headers.replaceOrAdd(name: "Connection", value: "close")
        let body = HTTPClient.Body.stream(contentLength: stream.length) { writer in
            client.eventLoopGroup.any().makeFutureWithTask {
                var chunks = stream.makeAsyncIterator()
                var inFlight: [EventLoopFuture<Void>] = []
                func send(_ buffer: ByteBuffer) async throws {
                    inFlight.append(writer.write(.byteBuffer(buffer)))
                    if inFlight.count >= Self.uploadWindow { try await inFlight.removeFirst().get() }
                }
                // One buffer per write, filled by copying the reads in (never
                // grown while another reference to it exists).
                var gathered: ByteBuffer?
                while var chunk = try await chunks.next() {
                    var buffer = gathered.take() ?? ByteBufferAllocator().buffer(capacity: Self.uploadWrite)
                    buffer.writeBuffer(&chunk)
                    if buffer.readableBytes >= Self.uploadWrite {
                        try await send(buffer)
                    } else {
                        gathered = buffer
                    }
                }
                if let last = gathered { try await send(last) }
                for write in inFlight { try await write.get() }
            }
        }
        let outgoing = try HTTPClient.Request(
            url: url.absoluteString, method: HTTPMethod(rawValue: request.method.rawValue), headers: headers, body: body)
        let task = client.execute(request: outgoing, delegate: ResponseAccumulator(request: outgoing, maxBodySize: limit))
        let response: HTTPClient.Response
        do {
            response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw TransportFailure(.other, "response body larger than \(TraceLog.size(limit))")
        }
        var fields = HeaderFields()
        for (name, value) in response.headers { fields.add(name, value) }
        let bytes = response.body.map { Array($0.readableBytesView) } ?? []
        let result = HTTPResponse(status: Int(response.status.code), headers: fields, body: bytes, url: url)
        return Result(response: result, bytesSent: stream.length, bytesReceived: Int64(bytes.count))
    }
}
