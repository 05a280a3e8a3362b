import Crypto

/// SHA-256 for the emulators (upload checksums, token hashes, signatures),
/// from swift-crypto; the interface the emulators use, in one place.
public struct SandboxSHA256 {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
    public mutating func update(_ buffer: UnsafeRawBufferPointer) { hasher.update(bufferPointer: buffer) }

    public mutating func finalize() -> [UInt8] { Array(hasher.finalize()) }

    public static func hex(_ digest: [UInt8]) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// Hex SHA-256 of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> String { hex(Array(SHA256.hash(data: bytes))) }
}

/// HMAC-SHA256 signatures for what an emulator hands out and must get back
/// unchanged (storage links, pagedExportState).
public enum SandboxSigning {
    /// Hex HMAC-SHA256 of `message` under `key`.
    public static func hmac(key: [UInt8], _ message: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key))
        return SandboxSHA256.hex(Array(code))
    }

    /// Comparison whose time does not depend on where the strings differ.
    public static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
