import Foundation
import LunetJSON
import LunetSandbox
import Testing
@testable import LunetRuntime

@Suite("HTTP transfers")
struct TransferTests {
    @Test func requestsCarryStandardHeadersAndEncodings() async throws {
        try await withTestServer { server in
            let engine = makeEngine()
            let filter = "substringof('wien & co',tolower(Ort)) eq true"
            let response = try await engine.send(
                HTTPRequest(
                    .put, server.url("/test/echo?fixed=1"), query: [QueryItem("$filter", filter), QueryItem("n", "a+b=c")],
                    body: .json(["name": "Zoë"])))
            let echo = try response.json()
            #expect(echo["method"] == "PUT")
            #expect(echo["query"]?["$filter"] == .string(filter))
            #expect(echo["query"]?["n"] == "a+b=c")
            #expect(echo["query"]?["fixed"] == "1")
            #expect(echo["headers"]?["accept-encoding"] == "gzip, deflate")
            #expect(echo["headers"]?["content-type"] == "application/json; charset=utf-8")
            #expect(echo["json"] == ["name": "Zoë"])

            let form = try await engine.send(
                HTTPRequest(.post, server.url("/test/echo"), body: .form([QueryItem("a b", "c&d=e"), QueryItem("x", "ü")])))
            #expect(try form.json()["body"] == "a+b=c%26d%3De&x=%C3%BC")
            #expect(try form.json()["headers"]?["content-type"] == "application/x-www-form-urlencoded")
        }
    }

    @Test func gzipAndDeflateAreDecoded() async throws {
        try await withTestServer { server in
            let engine = makeEngine()
            let gzip = try await engine.send(HTTPRequest(.get, server.url("/test/gzip?items=300")))
            #expect(gzip.headers["Content-Encoding"] == "gzip")
            let raw = Int(gzip.headers["X-Uncompressed-Length"] ?? "") ?? 0
            let wire = Int(gzip.headers["Content-Length"] ?? "") ?? 0
            #expect(gzip.body.count == raw)
            #expect(wire * 4 < raw, "compressed \(wire) B, raw \(raw) B")
            #expect(try gzip.json()["items"]?.array?.count == 300)
            #expect(try gzip.json()["items"]?[299]?["name"] == "item 299")

            let deflate = try await engine.send(
                HTTPRequest(.get, server.url("/test/gzip"), headers: ["Accept-Encoding": "deflate"]))
            #expect(deflate.headers["Content-Encoding"] == "deflate")
            #expect(try deflate.json()["items"]?.array?.count == 200)
        }
    }

    @Test func redirectsDropCredentialsWhenTheHostChanges() async throws {
        try await withTestServer { server in
            let engine = makeEngine()
            let auth = HeaderCredential.apiKey(user: "u", key: "k-123456789", redactor: engine.redactor)
            let context = HTTPEngine.Context(api: .coredata, auth: auth)
            // Same server, other host name: like CoreData's 302 to storage.
            let storage = "http://localhost:\(server.port)/test/storage/report.pdf"
            let follow = HTTPRequest(
                .get, server.url("/test/redirect"), query: [QueryItem("to", storage)], redirects: .follow())
            let stored = try await engine.send(follow, context)
            #expect(stored.status == 200)
            #expect(try stored.json()["stored"] == true)
            #expect(stored.url.host == "localhost")

            // Had the credentials travelled, storage would refuse:
            let direct = await apiError {
                try await engine.send(HTTPRequest(.get, URL(string: storage)!), context)
            }
            #expect(direct?.status == 400)
            #expect(direct?.message == "storage refuses requests with an Authorization header")

            // Same host: credentials stay.
            let same = try await engine.send(
                HTTPRequest(.get, server.url("/test/redirect"), query: [QueryItem("to", "/test/echo")], redirects: .follow()),
                context)
            #expect(try same.json()["headers"]?["authorization"] == "apikey u:k-123456789")

            // Off by default: the 302 is the answer.
            let off = try await engine.send(HTTPRequest(.get, server.url("/test/redirect"), query: [QueryItem("to", storage)]), context)
            #expect(off.status == 302)
            #expect(off.headers["Location"] == storage)

            // A loop ends at the limit.
            var chain = "/test/echo"
            for _ in 0..<5 { chain = "/test/redirect?to=" + QueryItem.encode(chain) }
            let five = try await engine.send(HTTPRequest(.get, URL(string: server.base + chain)!, redirects: .follow(limit: 5)))
            #expect(try five.json()["path"] == "/test/echo")
            let tooMany = await apiError {
                try await engine.send(HTTPRequest(.get, URL(string: server.base + chain)!, redirects: .follow(limit: 3)))
            }
            #expect(tooMany?.message == "more than 3 redirects")
        }
    }

    @Test func downloadsStreamToDiskAndAppearWhole() async throws {
        try await withTestServer { server in
            let folder = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/data.bin"
            let size = 3_000_000
            let engine = makeEngine()
            let response = try await engine.download(HTTPRequest(.get, server.url("/test/download/\(size)")), to: path)
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            let data = try #require(FileManager.default.contents(atPath: path))
            #expect(data.count == size)
            let mismatches = data.enumerated().lazy.filter { $0.element != TestAPI.downloadByte($0.offset) }.count
            #expect(mismatches == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["data.bin"])
            #expect(engine.stats.snapshot.bytesReceived == Int64(size))

            // An error status leaves no file and reads like any other error.
            let missing = await apiError {
                try await engine.download(HTTPRequest(.get, server.url("/test/status/404")), to: folder + "/none.bin")
            }
            #expect(missing?.status == 404)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["data.bin"])
        }
    }

    @Test func a100MBDownloadHoldsLittleMemory() async throws {
        let size = 100 << 20
        let raw = try RawServer(.body(size: size))
        defer { raw.stop() }
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let engine = makeEngine()
        let url = URL(string: "http://127.0.0.1:\(raw.port)/big")!
        _ = try await engine.download(HTTPRequest(.get, url), to: folder + "/warmup.bin")  // pools, arenas
        let (response, growth, time) = try await measuringMemory {
            try await engine.download(HTTPRequest(.get, url), to: folder + "/big.bin")
        }
        print("download of 100 MiB: \(growth / 1024) KiB more resident memory in \(time)")
        #expect(response.status == 200)
        let handle = try #require(FileHandle(forReadingAtPath: folder + "/big.bin"))
        defer { try? handle.close() }
        #expect(try handle.seekToEnd() == UInt64(size))
        try handle.seek(toOffset: UInt64(size - 65536))
        #expect(Array(handle.readData(ofLength: 65536)) == RawServer.pattern)
        #expect(growth < 8 << 20, "a 100 MiB download grew resident memory by \(growth >> 20) MiB")
    }

    @Test func aDownloadCutOffMidwayLeavesNoPartialFile() async throws {
        let raw = try RawServer(.truncatedBody(declared: 1_000_000, sent: 100_000))
        defer { raw.stop() }
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/report.pdf"
        try Data("the previous version".utf8).write(to: URL(fileURLWithPath: path))
        let clock = VirtualClock()
        let engine = makeEngine(clock: clock.engineClock, maxAttempts: 2)
        let error = await apiError {
            try await engine.download(HTTPRequest(.get, URL(string: "http://127.0.0.1:\(raw.port)/file")!), to: path)
        }
        #expect(error?.transport == .reset)
        #expect(error?.attempts == 2)
        #expect(raw.connections == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.pdf"])
        #expect(FileManager.default.contents(atPath: path) == Data("the previous version".utf8))
    }

    /// Memory is measured twice: sending to a sink that keeps nothing (what
    /// the engine costs), then to the test API (engine and server in one
    /// process, both streaming), which also checks every byte arrived.
    @Test func multipartUploadOf50MBStreamsFromDisk() async throws {
        try await withTestServer { server in
            let folder = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/big.bin"
            let size = 50 * 1024 * 1024
            try writeDeterministicFile(path, size: size)
            let expected = try await sha256sum(path)
            let engine = makeEngine()
            let multipart = Multipart([
                .field(name: "title", value: "Quarterly report"),
                .file(name: "file", filename: "big.bin", contentType: "application/octet-stream", path: path),
                .data(name: "meta", filename: nil, contentType: "application/json", bytes: Array("{\"a\":1}".utf8)),
            ])

            let sink = try RawServer(.discardBody)
            defer { sink.stop() }
            let sinkURL = URL(string: "http://127.0.0.1:\(sink.port)/upload")!
            // Warm up first (connection pools, buffers, allocator arenas), so
            // the measure is what the upload's size costs.
            _ = try await engine.send(HTTPRequest(.post, sinkURL, body: .multipart(multipart)))
            let (sent, engineGrowth, engineTime) = try await measuringMemory {
                try await engine.send(HTTPRequest(.post, sinkURL, body: .multipart(multipart)))
            }
            #expect(try sent.json()["received"]?.integer ?? 0 > Int64(size))

            let (response, bothGrowth, bothTime) = try await measuringMemory {
                try await engine.send(HTTPRequest(.post, server.url("/test/upload?chunk_index=1"), body: .multipart(multipart)))
            }
            print("upload of 50 MiB: engine alone \(engineGrowth / 1024) KiB more resident memory in \(engineTime); "
                + "engine and test API together \(bothGrowth / 1024) KiB in \(bothTime)")

            let parts = try #require(try response.json()["parts"]?.array)
            #expect(parts.count == 3)
            #expect(parts[0]["name"] == "title")
            #expect(parts[0]["size"] == 16)
            #expect(parts[1]["filename"] == "big.bin")
            #expect(parts[1]["size"] == .integer(Int64(size)))
            #expect(parts[1]["sha256"] == .string(expected))
            #expect(parts[2]["content_type"] == "application/json")
            #expect(try response.json()["query"]?["chunk_index"] == "1")
            #expect(engineGrowth < 4 << 20, "the engine grew by \(engineGrowth >> 20) MiB for a 50 MiB upload")
            #expect(bothGrowth < 25 << 20, "engine and server grew by \(bothGrowth >> 20) MiB for a 50 MiB upload")
        }
    }

    @Test func uploadChunkOfAFileRange() async throws {
        try await withTestServer { server in
            let folder = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/f.bin"
            try writeDeterministicFile(path, size: 300_000)
            let bytes = Array(try #require(FileManager.default.contents(atPath: path)))
            let engine = makeEngine()
            let chunk = Multipart([.file(name: "file", filename: "f.bin", contentType: "application/octet-stream", path: path, range: 100_000..<250_000)])
            let response = try await engine.send(HTTPRequest(.post, server.url("/test/upload"), body: .multipart(chunk), retry: .safe))
            let part = try #require(try response.json()["parts"]?[0])
            #expect(part["size"] == 150_000)
            #expect(part["sha256"] == .string(SandboxSHA256.hash(Array(bytes[100_000..<250_000]))))

            let missing = await apiError {
                try await engine.send(HTTPRequest(.post, server.url("/test/upload"), body: .multipart(Multipart([
                    .file(name: "file", filename: "x", contentType: "text/plain", path: folder + "/absent"),
                ]))))
            }
            #expect(missing?.message.contains("absent") == true)
        }
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SandboxSHA256.hash([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SandboxSHA256.hash(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SandboxSHA256.hash(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}

/// The result of `body`, how far resident memory rose above where it was
/// at the start (sampled every 10 ms), and how long it took.
func measuringMemory<T: Sendable>(_ body: () async throws -> T) async throws -> (T, Int, Duration) {
    let baseline = residentBytes()
    let peak = LockedBox(baseline)
    let sampler = Task {
        while !Task.isCancelled {
            let now = residentBytes()
            if now > peak.value { peak.value = now }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
    let start = ContinuousClock.now
    let result = try await body()
    let elapsed = ContinuousClock.now - start
    sampler.cancel()
    _ = await sampler.value
    return (result, max(peak.value, residentBytes()) - baseline, elapsed)
}

/// Writes `size` bytes in 1 MiB pieces (never the whole file in memory):
/// one pattern, each piece stamped with its number so no two are alike.
/// Cheap on purpose: slow synchronous work here would starve the two
/// threads every concurrently running test shares.
func writeDeterministicFile(_ path: String, size: Int) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var piece = [UInt8](repeating: 0, count: 1 << 20)
    piece.withUnsafeMutableBufferPointer { p in
        for i in p.indices { p[i] = UInt8(truncatingIfNeeded: i &* 131 &+ i >> 11) }
    }
    var offset = 0
    var number: UInt64 = 0
    while offset < size {
        withUnsafeBytes(of: number.bigEndian) { stamp in
            for (i, b) in stamp.enumerated() { piece[i] = b }
        }
        let count = min(piece.count, size - offset)
        try handle.write(contentsOf: piece[0..<count])
        offset += count
        number += 1
    }
}

/// The digest by coreutils, independent of the sandbox's implementation.
func sha256sum(_ path: String) async throws -> String {
    let output = try await runProcess("/usr/bin/sha256sum", [path])
    return output.split(separator: " ").first.map(String.init) ?? ""
}

/// Run a program to its end without blocking a thread of the shared pool;
/// its standard output as text.
func runProcess(_ executable: String, _ arguments: [String]) async throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: output) }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
        process.terminationHandler = { _ in done.resume() }
        do { try process.run() } catch { done.resume(throwing: error) }
    }
    return String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self)
}
