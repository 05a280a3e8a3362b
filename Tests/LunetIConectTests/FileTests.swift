import LunetJSON
import LunetSandbox
import Testing

@testable import LunetIConect

@Suite("iCONECT native files and file stores")
struct FileTests {
    static let file = "/projects/1/records/5/files/9"

    @Test func demoFileDownloads() async throws {
        try await withIConect { _, client in
            let reply = try await client.get("/projects/1/records/1/files/9")
            #expect(reply.status == 200)
            #expect(reply.text == DemoData.nativeFileText)
            #expect(reply.headers.first(name: "Content-Type") == "text/plain")
            #expect(reply.headers.first(name: "Content-Disposition") == "attachment; filename=\"memo-0001.txt\"")
            #expect(try await client.get("/projects/1/records/1").json["field_data"]?["9"] == "memo-0001.txt")
        }
    }

    @Test func singleChunkUploadAndDelete() async throws {
        try await withIConect { _, client in
            let bytes = testBytes(100_000)
            let reply = try await client.upload(Self.file, bytes, filename: "scan.pdf")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.json["iconect_ok"] == "File 'scan.pdf' uploaded (100000 bytes)")
            #expect(reply.json["complete"] == true)
            #expect(reply.json["sha256"] == .string(SandboxSHA256.hash(bytes)))
            let record = try await client.get("/projects/1/records/5").json
            #expect(record["field_data"]?["9"] == "scan.pdf")
            #expect(record["version"] == 2)
            #expect(try await client.get(Self.file).bytes == bytes)

            #expect(try await client.delete(Self.file).json == ["iconect_ok": "Native file deleted from record 5"])
            #expect(try await client.get(Self.file).status == 404)
            #expect(try await client.get("/projects/1/records/5").json["field_data"]?["9"] == .null)
            #expect(try await client.delete(Self.file).status == 404)
        }
    }

    @Test func chunksInOrderWithResendAndStatus() async throws {
        try await withIConect { _, client in
            let bytes = testBytes(250_000, seed: 3)
            let chunks = [Array(bytes[0..<100_000]), Array(bytes[100_000..<200_000]), Array(bytes[200_000...])]
            let path = { (i: Int) in Self.file + "?chunk_index=\(i)&chunk_count=3" }

            let first = try await client.upload(path(1), chunks[0], filename: "big.bin")
            #expect(first.json["iconect_ok"] == "Chunk 1 of 3 received")
            #expect(first.json["chunks_received"] == 1)
            #expect(first.json["complete"] == false)

            // Out of order: 400 naming the chunk expected.
            let skipped = try await client.upload(path(3), chunks[2], filename: "big.bin")
            #expect(skipped.status == 400)
            #expect(skipped.error == "Chunk 3 was sent out of order: expected chunk_index 2")
            #expect(skipped.json["expected_chunk_index"] == 2)

            // A resumed upload asks how far it got.
            let status = try await client.get(Self.file + "/upload")
            #expect(status.json["in_progress"] == true)
            #expect(status.json["chunks_received"] == 1)
            #expect(status.json["next_chunk_index"] == 2)

            #expect(try await client.upload(path(2), chunks[1], filename: "big.bin").status == 200)
            // The same chunk again (a retry after a lost answer) is fine.
            let again = try await client.upload(path(2), chunks[1], filename: "big.bin")
            #expect(again.status == 200)
            #expect(again.json["chunks_received"] == 2)
            // Not yet assembled: nothing to download.
            #expect(try await client.get(Self.file).status == 404)
            let mismatch = try await client.upload(Self.file + "?chunk_index=3&chunk_count=4", chunks[2], filename: "big.bin")
            #expect(mismatch.status == 400)

            let last = try await client.upload(path(3), chunks[2], filename: "big.bin")
            #expect(last.json["complete"] == true)
            #expect(last.json["size"] == 250_000)
            // From the running digest (chunk 2 hashed again from the state before it)…
            #expect(last.json["sha256"] == .string(SandboxSHA256.hash(bytes)))
            #expect(try await client.get(Self.file).bytes == bytes)
            // The last chunk re-sent after assembly is accepted, too.
            let resent = try await client.upload(path(3), chunks[2], filename: "big.bin")
            #expect(resent.status == 200)
            #expect(resent.json["complete"] == true)
            // …and, with no running digest left, from the stored chunks.
            #expect(resent.json["sha256"] == .string(SandboxSHA256.hash(bytes)))
            #expect(try await client.get(Self.file).bytes == bytes)
            let done = try await client.get(Self.file + "/upload").json
            #expect(done["complete"] == true)
            #expect(done["in_progress"] == false)
            // A chunk 2 now has no upload to belong to.
            #expect(try await client.upload(path(2), chunks[1]).json["expected_chunk_index"] == 1)
        }
    }

    @Test func chunkOneRestartsAndTheOldFileStaysUntilTheNewOneIsComplete() async throws {
        try await withIConect { _, client in
            let old = testBytes(1000, seed: 1), new = testBytes(2000, seed: 2)
            _ = try await client.upload(Self.file, old, filename: "old.bin")
            _ = try await client.upload(Self.file + "?chunk_index=1&chunk_count=2", Array(new[..<1000]), filename: "new.bin")
            #expect(try await client.get(Self.file).bytes == old)
            _ = try await client.upload(Self.file + "?chunk_index=1&chunk_count=2", Array(new[..<1000]), filename: "new.bin")
            _ = try await client.upload(Self.file + "?chunk_index=2&chunk_count=2", Array(new[1000...]), filename: "new.bin")
            #expect(try await client.get(Self.file).bytes == new)
            #expect(try await client.get("/projects/1/records/5").json["field_data"]?["9"] == "new.bin")
        }
    }

    @Test func uploadRules() async throws {
        try await withIConect { _, client in
            let notNative = try await client.upload("/projects/1/records/5/files/3", [1, 2, 3])
            #expect(notNative.status == 400)
            #expect(notNative.error?.contains("not a native file field") == true)
            #expect(try await client.upload("/projects/1/records/9999/files/9", [1]).status == 404)
            #expect(try await client.upload("/projects/1/records/5/files/99", [1]).status == 404)
            #expect(try await client.upload(Self.file + "?chunk_index=0&chunk_count=2", [1]).status == 400)
            #expect(try await client.upload(Self.file + "?chunk_index=3&chunk_count=2", [1]).status == 400)
            #expect(try await client.upload(Self.file, [1], partName: "document").error == "The request must contain a part named 'file'")
            let json = try await client.post(Self.file, ["file": "AAAA"])
            #expect(json.status == 415)
            // Without a Native File Upload file store the endpoint refuses.
            let project = try await client.post("/projects", ["name": "Bare"]).json["id"]!.integer!
            _ = try await client.post("/projects/\(project)/fields", [["name": "Native", "type": 4]])
            _ = try await client.post("/projects/\(project)/records", ["records": [["field_data": [:]]]])
            let noStore = try await client.upload("/projects/\(project)/records/1/files/1", [1])
            #expect(noStore.status == 400)
            #expect(noStore.error?.contains("Native File Upload File Store") == true)
        }
    }

    @Test func fileStores() async throws {
        try await withIConect { _, client in
            let stores = try await client.get("/projects/1/filestores")
            #expect(stores.json.ids == [1, 2])
            #expect(stores.json[0]?.object?.keys == IConectEmulator.fileStoreKeys)
            #expect(try await client.get("/projects/1/filestores/2").json["name"] == "S3 Evidence Bucket")
            #expect(try await client.get("/projects/1/filestores/5").error == "File store 5 was not found")

            let path = "/projects/1/filestores/1/upload"
            let bytes = testBytes(30_000)
            let one = try await client.upload(path + "?chunk_index=1&chunk_count=2", Array(bytes[..<20_000]), filename: "load.dat")
            #expect(one.json["iconect_ok"] == "Chunk 1 of 2 received")
            #expect(try await client.get(path + "?filename=load.dat").json["next_chunk_index"] == 2)
            #expect(try await client.get(path + "?filename=other.dat").json["chunks_received"] == 0)
            #expect(try await client.get(path).status == 400)
            let bad = try await client.upload(path + "?chunk_index=3&chunk_count=2", Array(bytes[20_000...]), filename: "load.dat")
            #expect(bad.status == 400)
            let two = try await client.upload(path + "?chunk_index=2&chunk_count=2", Array(bytes[20_000...]), filename: "load.dat")
            #expect(two.json["complete"] == true)
            #expect(two.json["sha256"] == .string(SandboxSHA256.hash(bytes)))
            #expect(try await client.upload("/projects/1/filestores/9/upload", [1]).status == 404)
        }
    }
}
