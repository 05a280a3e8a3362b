import Foundation
import LunetJSON
import LunetSandbox
import LunetTestSupport
import Testing

@testable import LunetIConect
@testable import LunetRuntime

/// p.files and p.filestores (stdlib/lunet/iconect_files.lua) and the
/// chunked-upload engine, end to end against the emulator.
@Suite("iCONECT chunked uploads and files")
struct ChunkedUploadTests {
    static let filePath = "/iconect/api/v1/projects/1/records/5/files/9"

    @Test func emptyFileAndExactMultipleOfTheChunkSize() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let exact = testBytes(3000, seed: 1)
        try writeFile(home + "/empty.bin", [])
        try writeFile(home + "/exact.bin", exact)
        try await withIConect { server, client in
            let out = try await runLua(filesPrelude + """
                local result = {}
                local empty = files:upload{ record = 5, field = 9, path = H .. "/empty.bin", chunk_size = 1000 }
                result.empty = empty
                result.empty_download = files:download{ record = 5, field = 9, path = H .. "/empty.out" }
                local seen = {}
                local exact = files:upload{ record = 5, field = 9, path = H .. "/exact.bin", chunk_size = 1000,
                  progress = function(done, total) seen[#seen + 1] = { done, total } end }
                result.exact = exact
                result.progress = seen
                result.download = files:download{ record = 5, field = 9, path = H .. "/exact.out" }
                return json.encode(result)
                """, home: home, server: server)
            #expect(out["empty"]?["complete"] == true)
            #expect(out["empty"]?["size"] == 0)
            #expect(out["empty_download"]?["bytes"] == 0)
            #expect(FileManager.default.contents(atPath: home + "/empty.out") == Data())
            #expect(out["exact"]?["complete"] == true)
            #expect(out["exact"]?["chunk_count"] == 3)
            #expect(out["exact"]?["sha256"] == .string(SandboxSHA256.hash(exact)))
            #expect(out["progress"] == [[1000, 3000], [2000, 3000], [3000, 3000]])
            #expect(out["download"]?["bytes"] == 3000)
            #expect(Array(FileManager.default.contents(atPath: home + "/exact.out") ?? Data()) == exact)
            // One empty chunk, then three full ones and no empty fourth.
            #expect(try await chunkIndexes(server, path: Self.filePath) == [1, 1, 2, 3])
            _ = client
        }
    }

    @Test func aChunkThatFailsIsRetriedAlone() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let bytes = testBytes(2500, seed: 2)
        try writeFile(home + "/three.bin", bytes)
        try await withIConect { server, _ in
            // Rule requests 2, 3, 4 and 6 fail: chunk 2 fails three times,
            // chunk 3 once; each is sent again on its own.
            let out = try await runLua(filesPrelude + """
                faults("path=\(Self.filePath),503@2,503@3")
                local answer = files:upload{ record = 5, field = 9, path = H .. "/three.bin", chunk_size = 1000 }
                faults("")
                return json.encode(answer)
                """, home: home, server: server)
            #expect(out["complete"] == true)
            #expect(out["sha256"] == .string(SandboxSHA256.hash(bytes)))
            #expect(try await chunkIndexes(server, path: Self.filePath) == [1, 2, 2, 2, 2, 3, 3])
        }
    }

    @Test func resumeContinuesFromTheFirstUnacknowledgedChunk() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let bytes = testBytes(4500, seed: 3)
        try writeFile(home + "/five.bin", bytes)
        try await withIConect { server, _ in
            // Chunk 3 is refused (a 400 is final): the run stops after two.
            let out = try await runLua(filesPrelude + """
                local state = require "lunet.state"
                faults("path=\(Self.filePath),400@3")
                local ok, err = pcall(files.upload, files, { record = 5, field = 9, path = H .. "/five.bin", chunk_size = 1000 })
                faults("")
                local result = { failed = not ok, message = tostring(err), saved = {} }
                for _, k in ipairs(state.keys("iconect/upload/")) do result.saved[#result.saved + 1] = state.get(k) end
                local seen = {}
                result.answer = files:upload{ record = 5, field = 9, path = H .. "/five.bin", chunk_size = 1000, resume = true,
                  progress = function(done) seen[#seen + 1] = done end }
                result.progress = seen
                result.left = #state.keys("iconect/upload/")
                return json.encode(result)
                """, home: home, server: server)
            #expect(out["failed"] == true)
            #expect(out["message"]?.string?.contains("400") == true, "\(out["message"] ?? .null)")
            #expect(out["saved"]?.array?.count == 1)
            #expect(out["saved"]?[0]?["acknowledged"] == 2)
            #expect(out["saved"]?[0]?["count"] == 5)
            #expect(out["answer"]?["complete"] == true)
            #expect(out["answer"]?["sha256"] == .string(SandboxSHA256.hash(bytes)))
            #expect(out["progress"] == [3000, 4000, 4500])
            #expect(out["left"] == 0)
            // 1, 2, the refused 3; then the resumed run from 3.
            #expect(try await chunkIndexes(server, path: Self.filePath) == [1, 2, 3, 3, 4, 5])
        }
    }

    @Test func resumeStartsOverWhenTheFileChanged() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let bytes = testBytes(3500, seed: 4)
        try writeFile(home + "/f.bin", bytes)
        try await withIConect { server, _ in
            let out = try await runLua(filesPrelude + """
                faults("path=\(Self.filePath),400@3")
                local ok = pcall(files.upload, files, { record = 5, field = 9, path = H .. "/f.bin", chunk_size = 1000 })
                faults("")
                -- Same size, new content and modification time.
                local f = assert(io.open("\(home)/f.bin", "r+b")); f:write("X"); f:close()
                local t0 = os.time(); while os.time() == t0 do end
                f = assert(io.open("\(home)/f.bin", "r+b")); f:write("Y"); f:close()
                local answer = files:upload{ record = 5, field = 9, path = H .. "/f.bin", chunk_size = 1000, resume = true }
                return json.encode({ first_failed = not ok, answer = answer })
                """, home: home, server: server)
            var changed = bytes
            changed[0] = UInt8(ascii: "Y")
            #expect(out["first_failed"] == true)
            #expect(out["answer"]?["sha256"] == .string(SandboxSHA256.hash(changed)))
            #expect(try await chunkIndexes(server, path: Self.filePath) == [1, 2, 3, 1, 2, 3, 4])
        }
    }

    @Test func fileStoresListGetAndUpload() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let bytes = testBytes(2048, seed: 5)
        try writeFile(home + "/load.dat", bytes)
        try await withIConect { server, client in
            let out = try await runLua(filesPrelude + """
                local names = {}
                for s in stores:list() do names[#names + 1] = s.name end
                local one = stores:get(1)
                local answer = stores:upload{ filestore = 1, path = H .. "/load.dat", chunk_size = 1024 }
                local status = conn:_call("filestores.upload_status", { project_id = 1, filestore_id = 1 },
                  { query = { filename = "load.dat" } })
                return json.encode({ names = names, one = one.name, answer = answer, status = status })
                """, home: home, server: server)
            #expect(out["names"] == ["Native Uploads", "S3 Evidence Bucket"])
            #expect(out["one"] == "Native Uploads")
            #expect(out["answer"]?["complete"] == true)
            #expect(out["answer"]?["sha256"] == .string(SandboxSHA256.hash(bytes)))
            #expect(out["status"]?["size"] == 2048)
            _ = client
        }
    }

    @Test func badArgumentsAreRejectedBeforeAnythingIsSent() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        try writeFile(home + "/x.bin", [1, 2, 3])
        try await withIConect { server, _ in
            let out = try await runLua(filesPrelude + """
                local function msg(f, ...) local ok, e = pcall(f, ...); return ok and "no error" or tostring(e) end
                return json.encode({
                  msg(files.upload, files, { record = 5, path = H .. "/x.bin" }),
                  msg(files.upload, files, { record = 5, field = 9, path = H .. "/x.bin", chunksize = 10 }),
                  msg(files.upload, files, { record = 5, field = 9, path = H .. "/missing.bin" }),
                  msg(files.upload, files, { record = 5, field = 9, path = H .. "/x.bin", chunk_size = 0 }),
                  msg(files.upload, files, { record = 5, field = 9, path = H .. "/x.bin", progress = 3 }),
                  msg(files.download, files, { record = "five", field = 9, path = H .. "/o" }),
                  msg(files.delete, files, "5"),
                  msg(stores.upload, stores, { path = H .. "/x.bin" }),
                  msg(stores.get, stores, nil),
                })
                """, home: home, server: server)
            let messages = (out.array ?? []).compactMap(\.string)
            #expect(messages.count == 9)
            let expected = [
                "iconect files:upload(): field must be a positive integer id, got nil",
                "iconect files:upload(): unknown option 'chunksize' (known: chunk_size, field, filename, path, progress, progress_bar, record, resume)",
                "/missing.bin: No such file or directory",
                "iconect files:upload(): chunk_size must be a positive integer (bytes), got number",
                "iconect files:upload(): progress must be a function(done_bytes, total_bytes), got number",
                "iconect files:download(): record must be a positive integer id, got 'five'",
                "iconect files:delete(): options must be a table, got string",
                "iconect filestores:upload(): filestore must be a positive integer id, got nil",
                "iconect filestores:get(): filestore must be a positive integer id, got nil",
            ]
            for (got, want) in zip(messages, expected) { #expect(got.hasSuffix(want), "\(got)") }
            #expect(try await chunkIndexes(server, path: Self.filePath) == [])
        }
    }

    @Test func aFailedDownloadLeavesTheDestinationAsItWas() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        try writeFile(home + "/out.txt", Array("previous content".utf8))
        try await withIConect { server, _ in
            let out = try await runLua(filesPrelude + """
                faults("path=/iconect/api/v1/projects/1/records/1/files/9,404@1")
                local ok, err = pcall(files.download, files, { record = 1, field = 9, path = H .. "/out.txt" })
                faults("")
                local done = files:download{ record = 1, field = 9, path = H .. "/copy.txt" }
                return json.encode({ ok = ok, err = tostring(err), bytes = done.bytes })
                """, home: home, server: server)
            #expect(out["ok"] == false)
            #expect(String(decoding: FileManager.default.contents(atPath: home + "/out.txt") ?? Data(), as: UTF8.self) == "previous content")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: home).filter { $0.contains(".lunet-") }
            #expect(leftovers == [])
            #expect(String(decoding: FileManager.default.contents(atPath: home + "/copy.txt") ?? Data(), as: UTF8.self) == DemoData.nativeFileText)
        }
    }

    /// The engine never holds a chunk: a 256 MiB sparse file in 32 MiB
    /// chunks to the test API's discarding upload endpoint.
    @Test func memoryStaysBelowOneChunk() async throws {
        let home = try temporaryTestDirectory("lunet-iconect")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let path = home + "/sparse.bin"
        let size: Int64 = 256 << 20, chunk: Int64 = 32 << 20
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, off_t(size)) == 0)
        let server = try await SandboxServer.start(SandboxOptions(seed: nil, modules: { SandboxModules.all(store: $0) }))
        defer { Task { await server.stop() } }
        let engine = HTTPEngine()
        let client = APIClient(api: .iconect, baseURL: URL(string: server.baseURL)!, engine: engine)
        let upload = try ChunkedUpload(client: client, path: path, chunkSize: chunk) { index, count in
            client.request(.post, "/test/upload", query: [QueryItem("chunk_index", String(index)), QueryItem("chunk_count", String(count))])
        }
        #expect(upload.plan.count == 8)
        let before = residentBytes()
        var peak = before
        for index in 1...upload.plan.count {
            let response = try await upload.send(index)
            let part = try response.json()["parts"]?[0]
            #expect(part?["size"] == .integer(chunk))
            #expect(try response.json()["query"]?["chunk_index"] == .string(String(index)))
            peak = max(peak, residentBytes())
        }
        let growth = peak - before
        #expect(growth < Int(chunk) / 2, "resident memory grew by \(growth >> 20) MiB for 32 MiB chunks")
        await server.stop()
    }

    @Test func chunkPlans() {
        #expect(ChunkPlan(size: 0, chunkSize: 10).count == 1)
        #expect(ChunkPlan(size: 0, chunkSize: 10).range(1) == 0..<0)
        #expect(ChunkPlan(size: 30, chunkSize: 10).count == 3)
        #expect(ChunkPlan(size: 30, chunkSize: 10).range(3) == 20..<30)
        #expect(ChunkPlan(size: 31, chunkSize: 10).count == 4)
        #expect(ChunkPlan(size: 31, chunkSize: 10).range(4) == 30..<31)
        #expect(ChunkPlan(size: 31, chunkSize: 10).bytesThrough(2) == 20)
        #expect(ChunkPlan(size: 31, chunkSize: 10).bytesThrough(4) == 31)
        // The largest chunk size a script can give does not overflow.
        let huge = ChunkPlan(size: 5, chunkSize: Int64.max)
        #expect(huge.count == 1 && huge.range(1) == 0..<5 && huge.bytesThrough(1) == 5)
        #expect(ChunkPlan(size: Int64.max, chunkSize: Int64.max - 1).count == 2)
        #expect(ChunkPlan(size: Int64.max, chunkSize: Int64.max - 1).range(2) == (Int64.max - 1)..<Int64.max)
        #expect(ChunkUploadProgressText.sample == "big.pdf  [####--------------------] 18%  12.0 MiB / 64.0 MiB  6.0 MiB/s  ETA 0:09")
    }
}

enum ChunkUploadProgressText {
    static var sample: String {
        ChunkedUploadProgress.line(label: "big.pdf", done: 12 << 20, total: 64 << 20, sent: 12 << 20, elapsed: .seconds(2))
    }
}

/// Resident set size from /proc/self/statm (Linux), else 0.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
