import Foundation

/// A file sent in numbered pieces, one request per chunk (iCONECT's native
/// files and file stores): chunk `i` (from 1) of `count` is the byte range
/// `(i-1)*chunkSize ..< min(i*chunkSize, size)`, sent as the multipart part
/// `file`. A 0-byte file is one empty chunk; a file that is an exact
/// multiple of the chunk size has no empty last chunk.
///
/// Memory: a chunk is never loaded; its range streams from disk 64 KiB at a
/// time (`Multipart`), gathered into at most 4 writes of 512 KiB in flight
/// (`HTTPTransport.upload`), so an upload holds about 2 MiB whatever the
/// chunk and file sizes. Failures: each chunk is its own request marked
/// safe to re-send (its index makes a repeat harmless), so the engine
/// retries a failed chunk alone. Before each chunk the file is checked
/// against the size and modification time it had when the upload started.
public final class ChunkedUpload: Sendable {
    public let client: APIClient
    public let path: String
    public let filename: String
    public let contentType: String
    public let plan: ChunkPlan
    public let identity: FileIdentity
    /// The request for chunk `index` of `count` (method, URL, query), body
    /// and retry mode are filled in here.
    private let request: @Sendable (_ index: Int64, _ count: Int64) -> HTTPRequest

    public init(
        client: APIClient, path: String, chunkSize: Int64, filename: String? = nil,
        contentType: String = "application/octet-stream",
        request: @escaping @Sendable (_ index: Int64, _ count: Int64) -> HTTPRequest
    ) throws {
        guard chunkSize > 0 else { throw ChunkedUploadError("chunk_size must be a positive number of bytes, got \(chunkSize)") }
        self.client = client
        self.path = path
        self.filename = filename ?? (path as NSString).lastPathComponent
        self.contentType = contentType
        identity = try FileIdentity(path: path)
        plan = ChunkPlan(size: identity.size, chunkSize: chunkSize)
        self.request = request
    }

    /// Send chunk `index` (1...count). Throws `APIError` after the
    /// engine's retries, or `ChunkedUploadError` when the file changed.
    public func send(_ index: Int64) async throws -> HTTPResponse {
        guard (1...plan.count).contains(index) else {
            throw ChunkedUploadError("chunk \(index) is outside 1...\(plan.count)")
        }
        let now = try FileIdentity(path: path)
        guard now == identity else {
            throw ChunkedUploadError(
                "\(path) changed while it was being uploaded (size or modification time differs); start the upload again")
        }
        var outgoing = request(index, plan.count)
        outgoing.body = .multipart(Multipart([
            .file(name: "file", filename: filename, contentType: contentType, path: path, range: plan.range(index))
        ]))
        outgoing.retry = .safe
        outgoing.timeout = nil
        return try await client.send(outgoing)
    }
}

/// How a file of `size` bytes is cut.
public struct ChunkPlan: Sendable, Equatable {
    public let size: Int64
    public let chunkSize: Int64

    public init(size: Int64, chunkSize: Int64) {
        self.size = size
        self.chunkSize = chunkSize
    }

    /// At least 1: an empty file is sent as one empty chunk.
    /// (Written so that no chunk size, up to `Int64.max`, overflows.)
    public var count: Int64 { size == 0 ? 1 : (size - 1) / chunkSize + 1 }

    /// The bytes of chunk `index` (from 1).
    public func range(_ index: Int64) -> Range<Int64> {
        let start = index - 1 >= count ? size : (index - 1) * chunkSize
        return start..<(start + min(chunkSize, size - start))
    }

    /// Bytes in chunks 1...index.
    public func bytesThrough(_ index: Int64) -> Int64 { index < 1 ? 0 : range(min(index, count)).upperBound }
}

/// What identifies a file's content cheaply: size and modification time
/// (nanoseconds), checked before each chunk and before resuming.
public struct FileIdentity: Sendable, Equatable {
    public let size: Int64
    public let modified: Int64

    public init(size: Int64, modified: Int64) {
        self.size = size
        self.modified = modified
    }

    public init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ChunkedUploadError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ChunkedUploadError("\(path) is not a regular file") }
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
    }
}

public struct ChunkedUploadError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
