import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Bodies streamed from disk go through async-http-client's delegate API,
/// whose writer reports when each chunk has been written: at most
/// `window` chunks are in flight, so an upload holds a few hundred
/// kilobytes however fast the disk and however slow the network. (The async
/// API pulls its body sequence while the channel merely looks writable, and
/// was measured queueing 10–50 MB on a fast link.)
extension HTTPTransport {
    /// Chunks written but not yet confirmed (64 KiB each).
    static let uploadWindow = 4

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
                while let chunk = try await chunks.next() {
                    inFlight.append(writer.write(.byteBuffer(chunk)))
                    if inFlight.count >= Self.uploadWindow { try await inFlight.removeFirst().get() }
                }
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
