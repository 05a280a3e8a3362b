import CLuaShim
import Foundation
import LunetBridge

/// A chunked upload as Lua sees it (userdata "lunet.ChunkedUpload", made by
/// `conn:_upload_chunks`). The Lua side drives the loop, one chunk per
/// call, so that between chunks it can record the position in lunet.state
/// and call a script's progress function (Swift never calls Lua here):
///
///     local up = conn:_upload_chunks(route, params, path, { chunk_size = n })
///     for i = first, up.count do local body, status = up:send(i) … end
///     up:finish()
///
/// Properties: size, chunk_size, count, modified (ns since the epoch),
/// filename; `up:bytes_through(i)` is the byte count of chunks 1...i.
public final class ChunkedUploadHandle {
    let upload: ChunkedUpload
    let progress: ChunkedUploadProgress

    init(upload: ChunkedUpload, progress: ChunkedUploadProgress) {
        self.upload = upload
        self.progress = progress
    }

    public static let luaClass = LuaClass<ChunkedUploadHandle>("lunet.ChunkedUpload", display: "chunked upload") { c in
        c.method("send") { handle, call in try handle.send(call) }
        c.method("finish") { handle, _ in
            handle.progress.finish()
            return 0
        }
        c.method("bytes_through") { handle, call in
            call.pushInteger(handle.upload.plan.bytesThrough(try call.integer(1)))
            return 1
        }
        c.property("size") { .integer($0.upload.plan.size) }
        c.property("chunk_size") { .integer($0.upload.plan.chunkSize) }
        c.property("count") { .integer($0.upload.plan.count) }
        c.property("modified") { .integer($0.upload.identity.modified) }
        c.property("filename") { .string(LuaString($0.upload.filename)) }
        c.tostring { "<chunked upload \($0.upload.path): \($0.upload.plan.count) chunks>" }
    }

    /// up:send(index) → decoded body, status (after the engine's retries).
    func send(_ call: LuaCall) throws -> Int32 {
        let index = try call.integer(1)
        guard (1...upload.plan.count).contains(index) else {
            throw call.error("chunk index \(index) is outside 1...\(upload.plan.count)")
        }
        let upload = self.upload, progress = self.progress
        if index == 1 || upload.plan.count == 1 { progress.update(done: upload.plan.bytesThrough(index - 1)) }
        return try call.await({
            do {
                return try await upload.send(index)
            } catch let error as ChunkedUploadError {
                progress.finish()
                throw APIError(api: upload.client.api, method: "POST", url: "", message: error.description)
            } catch {
                progress.finish()
                throw error
            }
        }) { call, response in
            progress.update(done: upload.plan.bytesThrough(index), final: index == upload.plan.count)
            try APIConnection.pushBody(call, response, raw: false)
            call.pushInteger(Int64(response.status))
            return 2
        }
    }
}
