import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with the S256 method: a random
/// verifier kept by the client and its SHA-256 challenge sent with the
/// authorization request, so a stolen code is useless without the verifier.
public struct PKCE: Sendable, Equatable {
    public let verifier: String
    public let challenge: String
    public let method = "S256"

    /// A fresh pair: 32 random bytes, base64url (43 characters, §4.1).
    public init() {
        self.init(verifier: Self.randomToken(bytes: 32))
    }

    public init(verifier: String) {
        self.verifier = verifier
        challenge = Self.challenge(for: verifier)
    }

    /// BASE64URL(SHA256(ASCII(verifier))), §4.2.
    public static func challenge(for verifier: String) -> String {
        base64url(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// Unpadded base64url of `bytes` random bytes from the system's CSPRNG:
    /// verifiers and `state` values.
    public static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64url((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
