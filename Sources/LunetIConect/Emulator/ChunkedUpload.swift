import Foundation
import LunetJSON
import LunetSandbox

/// Chunked uploads, shared by native files and file stores. Each target (a
/// record's native file field, or a file name in a file store) has one
/// manifest in `p{id}/uploads`: `pending`, the upload under way, and
/// `current`, the last complete file. Chunks are stored one document each
/// and never concatenated, so a file is served chunk by chunk.
///
/// Rules: chunk 1 starts a new upload (dropping any unfinished one); chunk
/// k > 1 must follow the last accepted one; re-sending the last accepted
/// chunk (also the final chunk after assembly) is accepted again, since a
/// client cannot know whether a timed-out chunk arrived. Anything else is a
/// 400 naming `expected_chunk_index`. The file is assembled, and replaces
/// the previous one, when the last chunk arrives.
enum ChunkedUpload {
    struct Outcome {
        var message: String
        var details: JSONObject
        /// The completed file when this chunk finished it.
        var completed: JSONObject?
    }

    static func accept(
        _ part: UploadedPart, index: Int64, count: Int64, target: String, project p: Int64, _ tx: any SandboxTransaction
    ) throws -> Outcome {
        guard count >= 1 else { throw IConectError.badRequest("chunk_count must be 1 or more.") }
        guard (1...count).contains(index) else {
            throw IConectError.badRequest("chunk_index must be between 1 and chunk_count (\(count)); got \(index).")
        }
        var manifest = try tx.get(Coll.uploads(p), id: target)?.object ?? ["target": .string(target)]
        var pending = manifest["pending"]?.object
        if index == 1 {
            if let pending {
                try tx.removeAll(collectionPrefix: Coll.chunksPrefix(p, pending.int("upload_id")))
                UploadDigests.shared.forget(pending["digest_key"]?.string)
            }
            pending = [
                "upload_id": .integer(try tx.nextID(Coll.uploadIDs(p))), "chunk_count": .integer(count),
                "digest_key": .string(UploadDigests.newKey()),
                "chunks_received": 0, "filename": .string(part.filename ?? "upload.bin"),
                "content_type": .string(part.contentType ?? "application/octet-stream"),
            ]
        }
        if var upload = pending {
            let received = upload.int("chunks_received")
            guard upload.int("chunk_count") == count else {
                throw IConectError.badRequest(
                    "chunk_count \(count) does not match the upload in progress (\(upload.int("chunk_count")) chunks).",
                    expected(received + 1, received))
            }
            guard index == received + 1 || index == received else { throw outOfOrder(index, received) }
            try storeChunk(part.bytes, index, upload.int("upload_id"), p, tx)
            if let key = upload["digest_key"]?.string { UploadDigests.shared.add(key, index: index, part.bytes) }
            upload["chunks_received"] = .integer(max(received, index))
            pending = upload
        } else if var current = manifest["current"]?.object, current.int("chunk_count") == count, index == count {
            // The final chunk again, after the file was assembled.
            try storeChunk(part.bytes, index, current.int("upload_id"), p, tx)
            current = try assembled(current, p, tx)
            manifest["current"] = .object(current)
            try tx.put(Coll.uploads(p), id: target, .object(manifest))
            return Outcome(message: "Chunk \(index) of \(count) received again; the file is complete", details: done(current, count))
        } else {
            throw outOfOrder(index, 0)
        }
        guard let upload = pending else { preconditionFailure("pending upload set above") }
        var outcome = Outcome(
            message: "Chunk \(index) of \(count) received",
            details: [
                "chunk_index": .integer(index), "chunk_count": .integer(count),
                "chunks_received": .integer(upload.int("chunks_received")), "complete": false,
            ])
        if upload.int("chunks_received") == count {
            if let old = manifest["current"]?.object {
                try tx.removeAll(collectionPrefix: Coll.chunksPrefix(p, old.int("upload_id")))
            }
            let current = try assembled(upload, p, tx)
            manifest["current"] = .object(current)
            manifest["pending"] = nil
            outcome = Outcome(
                message: "File '\(current.str("filename"))' uploaded (\(current.int("size")) bytes)",
                details: done(current, count), completed: current)
        } else {
            manifest["pending"] = .object(upload)
        }
        try tx.put(Coll.uploads(p), id: target, .object(manifest))
        return outcome
    }

    /// How far the target's upload has come, for resuming (the sandbox's
    /// upload-status routes).
    static func status(target: String, project p: Int64, _ tx: any SandboxTransaction) throws -> JSONObject {
        let manifest = try tx.get(Coll.uploads(p), id: target)?.object ?? [:]
        if let pending = manifest["pending"]?.object {
            let received = pending.int("chunks_received")
            return [
                "in_progress": true, "complete": false, "filename": pending["filename"] ?? .null,
                "chunk_count": .integer(pending.int("chunk_count")), "chunks_received": .integer(received),
                "next_chunk_index": .integer(received + 1),
            ]
        }
        if let current = manifest["current"]?.object {
            var status: JSONObject = ["in_progress": false, "filename": current["filename"] ?? .null]
            for (key, value) in done(current, current.int("chunk_count")) { status[key] = value }
            status["next_chunk_index"] = 1
            return status
        }
        return ["in_progress": false, "complete": false, "chunk_count": 0, "chunks_received": 0, "next_chunk_index": 1]
    }

    /// The complete file of a target, if any.
    static func current(target: String, project p: Int64, _ tx: any SandboxTransaction) throws -> JSONObject? {
        try tx.get(Coll.uploads(p), id: target)?["current"]?.object
    }

    /// Chunk `index` (from 1) of a complete file.
    static func chunk(_ file: JSONObject, _ index: Int64, project p: Int64, _ tx: any SandboxTransaction) throws -> [UInt8] {
        let encoded = try tx.object(Coll.chunks(p, file.int("upload_id")), index)?.str("data") ?? ""
        return Array(Data(base64Encoded: encoded) ?? Data())
    }

    /// Forgets a target: its file, any unfinished upload, their chunks.
    @discardableResult
    static func remove(target: String, project p: Int64, _ tx: any SandboxTransaction) throws -> Bool {
        guard let manifest = try tx.get(Coll.uploads(p), id: target)?.object else { return false }
        for key in ["pending", "current"] {
            if let upload = manifest[key]?.object {
                try tx.removeAll(collectionPrefix: Coll.chunksPrefix(p, upload.int("upload_id")))
                UploadDigests.shared.forget(upload["digest_key"]?.string)
            }
        }
        try tx.delete(Coll.uploads(p), id: target)
        return manifest["current"] != nil
    }

    private static func storeChunk(_ bytes: [UInt8], _ index: Int64, _ upload: Int64, _ p: Int64, _ tx: any SandboxTransaction) throws {
        try tx.put(
            Coll.chunks(p, upload), index,
            ["size": .integer(Int64(bytes.count)), "data": .string(Data(bytes).base64EncodedString())])
    }

    /// The upload as a complete file: size and SHA-256 over its chunks (from
    /// the running digest when it has them all, else read back).
    private static func assembled(_ upload: JSONObject, _ p: Int64, _ tx: any SandboxTransaction) throws -> JSONObject {
        let count = max(1, upload.int("chunk_count"))
        let size: Int64, sha256: String
        if let key = upload["digest_key"]?.string, let known = UploadDigests.shared.result(key, chunks: count) {
            (size, sha256) = known
            UploadDigests.shared.forget(key)
        } else {
            var hash = SandboxSHA256()
            var total: Int64 = 0
            for index in 1...count {
                let bytes = try chunk(upload, index, project: p, tx)
                hash.update(bytes)
                total += Int64(bytes.count)
            }
            (size, sha256) = (total, SandboxSHA256.hex(hash.finalize()))
        }
        return [
            "upload_id": .integer(upload.int("upload_id")), "chunk_count": .integer(upload.int("chunk_count")),
            "filename": upload["filename"] ?? "upload.bin", "content_type": upload["content_type"] ?? "application/octet-stream",
            "size": .integer(size), "sha256": .string(sha256), "uploaded_at": .string(Clock.nowISO),
        ]
    }

    private static func done(_ file: JSONObject, _ count: Int64) -> JSONObject {
        [
            "chunk_index": .integer(count), "chunk_count": .integer(count), "chunks_received": .integer(count),
            "complete": true, "size": .integer(file.int("size")), "sha256": .string(file.str("sha256")),
        ]
    }

    private static func expected(_ next: Int64, _ received: Int64) -> JSONObject {
        ["expected_chunk_index": .integer(next), "chunks_received": .integer(received)]
    }

    private static func outOfOrder(_ index: Int64, _ received: Int64) -> IConectError {
        .badRequest(
            "Chunk \(index) was sent out of order: expected chunk_index \(received + 1)", expected(received + 1, received))
    }
}
