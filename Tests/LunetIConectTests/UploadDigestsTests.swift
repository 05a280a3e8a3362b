import LunetSandbox
import Testing

@testable import LunetIConect

@Suite("iCONECT emulator: running digests of chunked uploads")
struct UploadDigestsTests {
    let chunks: [[UInt8]] = [Array("first ".utf8), Array("second ".utf8), Array("third".utf8)]

    func expected(_ parts: [[UInt8]]) -> (Int64, String) {
        let all = parts.flatMap { $0 }
        return (Int64(all.count), SandboxSHA256.hash(all))
    }

    @Test func hashesEachChunkOnceAndAnswersForTheLastTwoCounts() throws {
        let digests = UploadDigests(), key = UploadDigests.newKey()
        for (i, bytes) in chunks.enumerated() { digests.add(key, index: Int64(i + 1), bytes) }
        #expect(digests.result(key, chunks: 2)! == expected(Array(chunks[0..<2])))
        #expect(digests.result(key, chunks: 1) == nil)
        let whole = try #require(digests.result(key, chunks: 3))
        #expect(whole == expected(chunks))
        digests.forget(key)
        #expect(digests.result(key, chunks: 3) == nil)
    }

    @Test func aChunkSentAgainIsHashedFromTheStateBeforeIt() {
        let digests = UploadDigests(), key = UploadDigests.newKey()
        digests.add(key, index: 1, chunks[0])
        digests.add(key, index: 2, Array("garbled".utf8))
        // The same index again (a retry, or a rolled-back transaction): replaces it.
        digests.add(key, index: 2, chunks[1])
        digests.add(key, index: 3, chunks[2])
        #expect(digests.result(key, chunks: 3)! == expected(chunks))
    }

    @Test func aGapOrAnUnknownUploadGivesNoAnswer() {
        let digests = UploadDigests(), key = UploadDigests.newKey()
        digests.add(key, index: 1, chunks[0])
        digests.add(key, index: 3, chunks[2])  // chunk 2 never seen here
        #expect(digests.result(key, chunks: 3) == nil)
        digests.add("unknown", index: 2, chunks[1])
        #expect(digests.result("unknown", chunks: 2) == nil)
    }

    @Test func keepsAtMostCapacityUploads() {
        let digests = UploadDigests()
        let keys = (0...UploadDigests.capacity).map { _ in UploadDigests.newKey() }
        for key in keys { digests.add(key, index: 1, chunks[0]) }
        #expect(digests.result(keys[0], chunks: 1) == nil)
        #expect(digests.result(keys.last!, chunks: 1)! == expected([chunks[0]]))
    }
}
