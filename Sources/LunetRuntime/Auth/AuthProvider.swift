/// Puts credentials on requests. The engine calls `authorize` before every
/// attempt and, when the server answers 401, `invalidate` once: if it
/// returns true the request is sent one more time with fresh credentials.
public protocol AuthProvider: Sendable {
    func authorize(_ request: inout HTTPRequest) async throws
    /// `request` (as sent, credentials included) was answered 401. Return
    /// true when a renewal makes another attempt worthwhile.
    func invalidate(request: HTTPRequest, response: HTTPResponse) async -> Bool
}

/// A fixed header: `Authorization: Bearer TOKEN` for a ready token,
/// `Authorization: apikey USER:KEY` for CoreData, `X-Api-Key: …`. A 401 is
/// final: there is nothing to renew.
public struct HeaderCredential: AuthProvider {
    public let name: String
    public let value: String

    public init(name: String, value: String, redactor: Redactor = .shared) {
        self.name = name
        self.value = value
        redactor.register(secret: value)
    }

    public static func bearer(_ token: String, redactor: Redactor = .shared) -> HeaderCredential {
        redactor.register(secret: token)
        return HeaderCredential(name: "Authorization", value: "Bearer \(token)", redactor: redactor)
    }

    /// CoreData: `Authorization: apikey USER:KEY`.
    public static func apiKey(user: String, key: String, redactor: Redactor = .shared) -> HeaderCredential {
        redactor.register(secret: key)
        return HeaderCredential(name: "Authorization", value: "apikey \(user):\(key)", redactor: redactor)
    }

    public func authorize(_ request: inout HTTPRequest) async throws {
        request.headers[name] = value
    }

    public func invalidate(request: HTTPRequest, response: HTTPResponse) async -> Bool { false }
}
