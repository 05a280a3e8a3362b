import AsyncHTTPClient
import Foundation
import LunetJSON
import LunetSandbox
import NIOCore
import Testing

@testable import LunetCoreData

@Suite("CoreData file content: 302 to storage, upload")
struct FileTests {
    @Test func contentRedirectsToStorageThatRefusesCredentials() async throws {
        try await withCoreData { server, client in
            let id = CoreDataDemo.id(.files, 7)
            let redirect = try await client.get("/api/v2/files/\(id)/content/")
            #expect(redirect.status == 302)
            let location = try #require(redirect.header("Location"))
            #expect(location.hasPrefix(server.baseURL + "/coredata/storage/laika/"))
            #expect(location.contains("Expires=") && location.contains("Signature="))

            let withKey = try await client.get(location)
            #expect(withKey.status == 400)
            #expect(withKey.text.contains("<Code>InvalidArgument</Code>"))

            let download = try await client.get(location, authorized: false)
            #expect(download.status == 200)
            let expected = CoreDataDemo.content(7)
            #expect(download.bytes == expected.bytes)
            #expect(download.header("Content-Type") == expected.type)
            #expect(download.header("Content-Length") == String(expected.bytes.count))
            #expect(download.header("Content-Disposition")?.contains("filename=\"\(expected.filename)\"") == true)
            // The file object describes the same content.
            let file = try await client.get("/api/v2/files/\(id)/").json
            #expect(file["size"] == .integer(Int64(expected.bytes.count)))
            #expect(file["filename"]?.string == expected.filename)

            #expect(try await client.get("/api/v2/files/nope/content/").status == 404)
            #expect(try await client.get("/api/v2/files/\(id)/content/", authorized: false).status == 401)
        }
    }

    @Test func storageRejectsTamperedAndExpiredLinks() async throws {
        try await withCoreData { _, client in
            let location = try #require(
                try await client.get("/api/v2/files/\(CoreDataDemo.id(.files, 3))/content/").header("Location"))
            let tampered = location.replacingOccurrences(of: "Expires=", with: "Expires=9")
            let forged = try await client.get(tampered, authorized: false)
            #expect(forged.status == 403)
            #expect(forged.text.contains("SignatureDoesNotMatch"))
            let otherBlob = location.replacingOccurrences(of: "/laika/demo0003", with: "/laika/demo0004")
            #expect(try await client.get(otherBlob, authorized: false).status == 403)
            let unsigned = String(location.prefix { $0 != "?" })
            #expect(try await client.get(unsigned, authorized: false).status == 403)

            #expect(try await client.get(location, authorized: false).status == 200)
            _ = try await client.put(control: "clock", ["advance": 301])
            let expired = try await client.get(location, authorized: false)
            #expect(expired.status == 403)
            #expect(expired.text.contains("Request has expired"))

            // A shorter lifetime applies to links handed out afterwards.
            #expect(try await client.put(control: "links", ["lifetime": 0]).status == 200)
            let short = try #require(
                try await client.get("/api/v2/files/\(CoreDataDemo.id(.files, 3))/content/").header("Location"))
            _ = try await client.put(control: "clock", ["advance": 1])
            #expect(try await client.get(short, authorized: false).status == 403)
        }
    }

    @Test func uploadCreatesAFileWhoseContentDownloads() async throws {
        try await withCoreData { _, client in
            let project = CoreDataDemo.id(.projects, 4)
            let bytes = Array("hello from lunet\r\n--not-a-boundary\r\n".utf8) + (0..<3000).map { UInt8($0 % 251) }
            var form = Multipart()
            form.fields = [("filename", "report.bin"), ("title", "Quarterly report"), ("project", project)]
            form.file = ("content", "report.bin", "application/octet-stream", bytes)
            let reply = try await upload(client, form)
            #expect(reply.status == 201, "\(reply.text)")
            let file = reply.json
            let id = try #require(file["id"]?.string)
            #expect(file["title"] == "Quarterly report")
            #expect(file["filename"] == "report.bin")
            #expect(file["size"] == .integer(Int64(bytes.count)))
            #expect(file["parent"]?.string == project)
            #expect(file["project"]?.string == project)
            #expect(file["type"] == "File")
            #expect(reply.header("Location") == "/coredata/api/v2/files/\(id)/")
            let listed = try await client.all("/api/v2/files/?parent=\(project)")
            #expect(listed.contains { $0["id"]?.string == id })
            let location = try #require(try await client.get("/api/v2/files/\(id)/content/").header("Location"))
            #expect(try await client.get(location, authorized: false).bytes == bytes)

            // v3 also takes the key alone; a folder or a space may be the parent.
            let folder = CoreDataDemo.id(.folders, 0)
            var inFolder = Multipart()
            inFolder.fields = [("folder", folder), ("filename", "a.txt")]
            inFolder.file = ("content", "a.txt", "text/plain", Array("a".utf8))
            let keyOnly = try await upload(client, inFolder, authorization: "apikey coredata-sandbox-key")
            #expect(keyOnly.status == 201)
            #expect(keyOnly.json["parent"]?.string == folder)
            #expect(keyOnly.json["title"] == "a.txt")
            #expect(keyOnly.json["project"]?.string == CoreDataDemo.id(.projects, 0))
            var inSpace = Multipart()
            inSpace.fields = [("filename", "empty.txt"), ("filespace", CoreDataDemo.id(.spaces, 1))]
            inSpace.file = ("content", "empty.txt", "text/plain", [])
            let empty = try await upload(client, inSpace)
            #expect(empty.status == 201)
            #expect(empty.json["size"] == 0)
            let emptyLocation = try #require(
                try await client.get("/api/v2/files/\(empty.json["id"]!.string!)/content/").header("Location"))
            let emptyDownload = try await client.get(emptyLocation, authorized: false)
            #expect(emptyDownload.status == 200)
            #expect(emptyDownload.bytes.isEmpty)
        }
    }

    @Test func invalidUploadsAre400AndLeaveNothingBehind() async throws {
        try await withCoreData { server, client in
            let store = server.store.namespaced("coredata")
            let blobsBefore = try await store.count(CoreDataBlobs.chunks)
            let project = CoreDataDemo.id(.projects, 4)
            let folder = CoreDataDemo.id(.folders, 1)
            let file = ("content", "x.txt", "text/plain", Array(repeating: UInt8(ascii: "x"), count: 10_000))
            let cases: [([(String, String)], Bool, String)] = [
                ([("project", project)], true, "filename"),
                ([("filename", "x.txt")], true, "Exactly one of the parent fields"),
                ([("filename", "x.txt"), ("project", project), ("folder", folder)], true, "Exactly one"),
                ([("filename", "x.txt"), ("folder", "nope")], true, "folder: No Folder with id 'nope'"),
                ([("filename", "x.txt"), ("project", project)], false, "content"),
            ]
            for (fields, withFile, message) in cases {
                var form = Multipart()
                form.fields = fields
                if withFile { form.file = file }
                let reply = try await upload(client, form)
                #expect(reply.status == 400, "\(fields)")
                #expect(reply.error?.contains(message) == true, "\(fields): \(reply.text)")
            }
            #expect(try await store.count(CoreDataBlobs.chunks) == blobsBefore)

            let notMultipart = try await client.send(
                .POST, "/api/v3/files/", body: .bytes(.init(string: "{}")),
                headers: [("Content-Type", "application/json")])
            #expect(notMultipart.status == 400)
            var truncated = Multipart()
            truncated.fields = [("filename", "x"), ("project", project)]
            let cut = Array(truncated.bytes.dropLast(12))
            let broken = try await client.send(
                .POST, "/api/v3/files/", body: .bytes(ByteBuffer(bytes: cut)),
                headers: [("Content-Type", truncated.contentType)])
            #expect(broken.status == 400)
            var form = Multipart()
            form.fields = [("filename", "x"), ("project", project)]
            form.file = file
            #expect(try await upload(client, form, authorization: "apikey lunet:bad").status == 401)
            let redirected = try await client.send(
                .POST, "/api/v3/files", body: .bytes(ByteBuffer(bytes: form.bytes)),
                headers: [("Content-Type", form.contentType)])
            #expect(redirected.status == 301)
        }
    }

    /// 50 MB streamed up in 256 KiB pieces and back down.
    @Test func largeUploadStreams() async throws {
        try await withCoreData { _, client in
            let size = 50 * 1024 * 1024
            var content = [UInt8](repeating: 0, count: size)
            for i in 0..<size { content[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 9) }
            let expected = content
            let boundary = "lunet-large-upload"
            let head = Array(
                ("--\(boundary)\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\nbig.bin\r\n"
                    + "--\(boundary)\r\nContent-Disposition: form-data; name=\"project\"\r\n\r\n\(CoreDataDemo.id(.projects, 9))\r\n"
                    + "--\(boundary)\r\nContent-Disposition: form-data; name=\"content\"; filename=\"big.bin\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").utf8)
            let tail = Array("\r\n--\(boundary)--\r\n".utf8)
            let piece = 256 * 1024
            let pieces = AsyncStream<ByteBuffer> { continuation in
                continuation.yield(ByteBuffer(bytes: head))
                var offset = 0
                while offset < size {
                    let count = min(piece, size - offset)
                    continuation.yield(ByteBuffer(bytes: expected[offset..<offset + count]))
                    offset += count
                }
                continuation.yield(ByteBuffer(bytes: tail))
                continuation.finish()
            }
            let reply = try await client.send(
                .POST, "/api/v3/files/", body: .stream(pieces, length: .known(Int64(head.count + size + tail.count))),
                headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")])
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.json["size"] == .integer(Int64(size)))
            let id = try #require(reply.json["id"]?.string)
            let location = try #require(try await client.get("/api/v2/files/\(id)/content/").header("Location"))
            let download = try await client.get(location, authorized: false)
            #expect(download.status == 200)
            #expect(download.bytes.count == size)
            #expect(download.bytes == expected)
        }
    }

    private func upload(_ client: CoreDataClient, _ form: Multipart, authorization: String? = nil) async throws -> Reply
    {
        var headers = [("Content-Type", form.contentType)]
        if let authorization { headers.append(("Authorization", authorization)) }
        return try await client.send(
            .POST, "/api/v3/files/", body: .bytes(ByteBuffer(bytes: form.bytes)), headers: headers)
    }
}
