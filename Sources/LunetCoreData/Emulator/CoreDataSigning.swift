import LunetSandbox

/// HMAC-SHA256 over the sandbox's SHA-256, for the storage links the
/// content redirect hands out (the real service uses pre-signed S3 URLs).
enum CoreDataSigning {
    static func hmac(key: [UInt8], _ message: String) -> String {
        var key = key
        if key.count > 64 { key = sha256(key) }
        key += [UInt8](repeating: 0, count: 64 - key.count)
        let inner = sha256(key.map { $0 ^ 0x36 } + Array(message.utf8))
        return SandboxSHA256.hex(sha256(key.map { $0 ^ 0x5c } + inner))
    }

    private static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SandboxSHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Comparison whose time does not depend on where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
