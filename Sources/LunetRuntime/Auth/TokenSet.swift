import Foundation
import LunetJSON

/// What a token endpoint issued.
public struct TokenSet: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    /// Single-use where the server rotates (iCONECT): the next refresh must
    /// use the one that came with this set.
    public var refreshToken: String?
    public var expiresAt: Date?
    /// `expires_in` when issued, for the renewal margin.
    public var lifetime: TimeInterval?
    public var scope: String?

    public init(
        accessToken: String, tokenType: String = "Bearer", refreshToken: String? = nil, expiresAt: Date? = nil,
        lifetime: TimeInterval? = nil, scope: String? = nil
    ) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.lifetime = lifetime
        self.scope = scope
    }

    /// The Authorization header value ("bearer" from a server is sent as
    /// "Bearer": some servers are picky about the case).
    public var authorization: String {
        (tokenType.lowercased() == "bearer" ? "Bearer" : tokenType) + " " + accessToken
    }

    /// Renew ahead of expiry: when less than max(30 s, 10 % of the
    /// lifetime) remains, so a request never sets out with a token that
    /// expires on the way or while waiting for a retry.
    public func needsRenewal(at now: Date) -> Bool {
        guard let expiresAt else { return false }
        let margin = max(30, 0.1 * (lifetime ?? 0))
        return expiresAt.timeIntervalSince(now) < margin
    }

    /// Read an RFC 6749 §5.1 token response.
    static func parse(_ json: JSONValue, issuedAt: Date) -> TokenSet? {
        guard let access = json["access_token"]?.string, !access.isEmpty else { return nil }
        let lifetime = json["expires_in"]?.double ?? json["expires_in"]?.string.flatMap(Double.init)
        return TokenSet(
            accessToken: access, tokenType: json["token_type"]?.string ?? "Bearer",
            refreshToken: json["refresh_token"]?.string.flatMap { $0.isEmpty ? nil : $0 },
            expiresAt: lifetime.map { issuedAt.addingTimeInterval($0) }, lifetime: lifetime,
            scope: json["scope"]?.string)
    }
}
