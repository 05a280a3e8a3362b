import Foundation
import LunetSandbox

/// Running SHA-256 and size of chunked uploads under way, so that the last
/// chunk does not read back (and base64-decode) every stored chunk to
/// describe the file: each chunk is hashed once, while its bytes are at hand.
///
/// Momentary and in memory: keyed by the random `digest_key` of a pending
/// upload, at most `capacity` uploads (the least recently used is dropped).
/// The state after n chunks is kept for the last two n, so a chunk sent
/// again (a client's retry, or a chunk whose transaction was rolled back) is
/// hashed from the state before it. Whatever the cache cannot answer (a
/// restarted sandbox on `--data`, a dropped entry, a chunk out of line)
/// gives nil, and `ChunkedUpload` hashes the stored chunks instead.
final class UploadDigests: @unchecked Sendable {
    static let shared = UploadDigests()

    init() {}
    static let capacity = 64

    private struct Progress {
        var chunks: Int64
        var size: Int64
        var hash: SandboxSHA256
    }

    private struct Entry {
        /// At most two: after `chunks - 1` and after `chunks` chunks.
        var states: [Progress]
        var used: UInt64
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0

    static func newKey() -> String { UUID().uuidString }

    /// Chunk `index` (from 1) of the upload `key` was stored with `bytes`.
    func add(_ key: String, index: Int64, _ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        clock += 1
        let before: Progress
        if index == 1 {
            before = Progress(chunks: 0, size: 0, hash: SandboxSHA256())
        } else if let found = entries[key]?.states.first(where: { $0.chunks == index - 1 }) {
            before = found
        } else {
            entries[key] = nil
            return
        }
        var after = before
        after.hash.update(bytes)
        after.size += Int64(bytes.count)
        after.chunks = index
        entries[key] = Entry(states: [before, after], used: clock)
        if entries.count > Self.capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[oldest] = nil
        }
    }

    /// Size and hex SHA-256 of the first `chunks` chunks, when known.
    func result(_ key: String, chunks: Int64) -> (size: Int64, sha256: String)? {
        lock.lock()
        defer { lock.unlock() }
        guard var progress = entries[key]?.states.first(where: { $0.chunks == chunks }) else { return nil }
        return (progress.size, SandboxSHA256.hex(progress.hash.finalize()))
    }

    func forget(_ key: String?) {
        guard let key else { return }
        lock.lock()
        defer { lock.unlock() }
        entries[key] = nil
    }
}
