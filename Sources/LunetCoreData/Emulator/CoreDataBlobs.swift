import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// File content in the store: 1 MiB chunks (base64 in JSON documents) under
/// `blobs`, and one `blob_meta` document per blob. Chunks are written as an
/// upload streams in and read one at a time as a download streams out, so
/// neither holds a whole file in memory.
enum CoreDataBlobs {
    static let chunkSize = 1 << 20
    static let chunks = "blobs"
    static let meta = "blob_meta"

    static func chunkID(_ blob: String, _ index: Int) -> String { blob + "/" + orderedKey(Int64(index)) }

    static func newName() -> String { CoreDataIDs.random().replacingOccurrences(of: "-", with: "") }

    /// A small blob written in one transaction (demo data).
    static func put(
        _ tx: any SandboxTransaction, _ blob: String, _ bytes: [UInt8], filename: String, contentType: String
    )
        throws
    {
        var index = 0
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + chunkSize)
            try tx.put(
                chunks, id: chunkID(blob, index), ["data": .string(Data(bytes[offset..<end]).base64EncodedString())])
            index += 1
            offset = end
        } while offset < bytes.count
        try tx.put(
            meta, id: blob, describe(size: bytes.count, chunks: index, filename: filename, contentType: contentType))
    }

    static func describe(size: Int, chunks: Int, filename: String, contentType: String) -> JSONValue {
        [
            "size": .integer(Int64(size)), "chunks": .integer(Int64(chunks)), "filename": .string(filename),
            "content_type": .string(contentType),
        ]
    }

    /// Forget a blob's chunks (an upload that failed validation).
    static func delete(_ store: any SandboxStore, _ blob: String, chunks count: Int) async {
        _ = try? await store.write { tx in
            for index in 0..<count { try tx.delete(chunks, id: chunkID(blob, index)) }
            try tx.delete(meta, id: blob)
        }
    }

    /// The blob's bytes as a streamed response body.
    static func body(_ store: any SandboxStore, _ blob: String, size: Int, chunks count: Int) -> ResponseBody {
        ResponseBody(contentLength: size) { writer in
            for index in 0..<count {
                guard let text = try await store.get(chunks, id: chunkID(blob, index))?["data"]?.string,
                    let data = Data(base64Encoded: text)
                else { throw HTTPError(.internalServerError, message: "blob \(blob) lost chunk \(index)") }
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
    }
}

/// Writes an upload's bytes to the store as they arrive.
struct CoreDataBlobWriter: Sendable {
    let store: any SandboxStore
    let blob = CoreDataBlobs.newName()
    private var buffer: [UInt8] = []
    private(set) var size = 0
    private(set) var chunks = 0

    init(store: any SandboxStore) { self.store = store }

    mutating func append(_ bytes: [UInt8]) async throws {
        buffer += bytes
        size += bytes.count
        while buffer.count >= CoreDataBlobs.chunkSize {
            try await flush(Array(buffer[..<CoreDataBlobs.chunkSize]))
            buffer.removeFirst(CoreDataBlobs.chunkSize)
        }
    }

    /// Writes what is left; an empty file still gets one (empty) chunk.
    mutating func finish() async throws {
        if !buffer.isEmpty || chunks == 0 { try await flush(buffer) }
        buffer = []
    }

    private mutating func flush(_ bytes: [UInt8]) async throws {
        let document: JSONValue = ["data": .string(Data(bytes).base64EncodedString())]
        try await store.put(CoreDataBlobs.chunks, id: CoreDataBlobs.chunkID(blob, chunks), document)
        chunks += 1
    }
}
