import Hummingbird

/// The sandbox's API user and key (`Authorization: apikey USER:KEY`).
public struct CoreDataCredentials: Sendable, Equatable {
    public var user: String
    public var key: String

    public init(user: String, key: String) {
        self.user = user
        self.key = key
    }

    /// The header value API v2 expects.
    public var authorization: String { "apikey \(user):\(key)" }
}

/// `Authorization: apikey USER:KEY` on every API request. API v3 examples
/// send `apikey KEY` without the user, so v3 routes accept that form too.
enum CoreDataAuth {
    static func check(_ request: Request, allowKeyOnly: Bool = false) throws(CoreDataError) {
        guard let header = request.headers[.authorization] else {
            throw unauthorized("Authentication credentials were not provided: send 'Authorization: apikey USER:KEY'.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "apikey" else {
            throw unauthorized("Unsupported authorization scheme: send 'Authorization: apikey USER:KEY'.")
        }
        let credentials = parts[1].trimmingPrefix(" ")
        let expected = CoreDataEmulator.sandboxCredentials
        if let colon = credentials.firstIndex(of: ":") {
            let user = credentials[..<colon]
            let key = credentials[credentials.index(after: colon)...]
            if user == expected.user && key == expected.key { return }
        } else if allowKeyOnly && credentials == expected.key {
            return
        }
        throw unauthorized("Invalid API user or key.")
    }

    private static func unauthorized(_ message: String) -> CoreDataError {
        CoreDataError(status: .unauthorized, message: message)
    }
}

/// Django's APPEND_SLASH: a path without its trailing slash is answered with
/// a permanent redirect to the slashed path (query kept), whatever the
/// method, before authentication. A client that follows a 301 for a POST
/// with a GET loses its body: the reason the binding adds the slash itself.
struct CoreDataTrailingSlash: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        guard !path.hasSuffix("/") else { return try await next(request, context) }
        var target = path + "/"
        if let query = request.uri.query, !query.isEmpty { target += "?" + query }
        return Response(status: .movedPermanently, headers: [.location: target, .contentLength: "0"])
    }
}
