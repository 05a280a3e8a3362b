import Foundation
import LunetJSON

/// An API binding's view of the engine: one base URL, one API name, one
/// credential, one error shape. Bindings build requests from routes and
/// send them; auth, retries, tracing and errors come with it.
///
///     let icl = APIClient(api: .icl, baseURL: url, engine: engine, auth: oauth)
///     let items = try await icl.json(.get, "/api/content/building", query: [.init("$top", "100")])
///     try await icl.send(icl.request(.put, "/api/content/building/batch", json: batch))
public struct APIClient: Sendable {
    public let api: APIName
    public let baseURL: URL
    public let engine: HTTPEngine
    public let auth: (any AuthProvider)?
    public let errors: ErrorShape
    /// Sent with every request unless the request sets them.
    public var headers: HeaderFields
    /// The connection's `timeout` option: time for one attempt of a request
    /// whose body is in memory (transfers to and from disk are bounded by
    /// the read timeout and the transfer deadline instead); nil: the
    /// engine's default.
    public var timeout: Duration?
    /// The connection's `retries` option: retries after the first attempt.
    public var retries: Int?

    public init(
        api: APIName, baseURL: URL, engine: HTTPEngine, auth: (any AuthProvider)? = nil, errors: ErrorShape? = nil,
        headers: HeaderFields = [:]
    ) {
        self.api = api
        self.baseURL = baseURL
        self.engine = engine
        self.auth = auth
        self.errors = errors ?? .standard(for: api)
        self.headers = headers
    }

    public var context: HTTPEngine.Context { .init(api: api, auth: auth, errors: errors) }

    /// `path` below the base URL ("/projects/3" under "https://h/api/v1"),
    /// or an absolute URL as given (a `Link: rel=next`, a `meta.next`).
    public func url(_ path: String) -> URL {
        if path.hasPrefix("http://") || path.hasPrefix("https://"), let absolute = URL(string: path) { return absolute }
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let tail = path.hasPrefix("/") ? path : "/" + path
        return URL(string: base + tail) ?? baseURL
    }

    public func request(
        _ method: HTTPRequest.Method, _ path: String, query: [QueryItem] = [], body: HTTPBody = .none,
        headers extra: HeaderFields = [:]
    ) -> HTTPRequest {
        var all = headers
        for field in extra { all[field.name] = field.value }
        return HTTPRequest(method, url(path), query: query, headers: all, body: body)
    }

    public func request(
        _ method: HTTPRequest.Method, _ path: String, query: [QueryItem] = [], json: JSONValue
    ) -> HTTPRequest {
        request(method, path, query: query, body: .json(json))
    }

    /// Throws `APIError` (failure status after retries, transport failure).
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await engine.send(applyingLimits(request), context)
    }

    /// The connection's `timeout` and `retries`, where the request sets none.
    /// `timeout` bounds a whole attempt, so it is not given to a transfer
    /// streamed from or to disk (`streamed`: a download), which the read
    /// silence and the transfer deadline bound instead (docs/config.md).
    func applyingLimits(_ request: HTTPRequest, streamed: Bool = false) -> HTTPRequest {
        var request = request
        if request.timeout == nil, !streamed, !request.body.isStreamedFromDisk { request.timeout = timeout }
        if request.maxAttempts == nil, let retries { request.maxAttempts = retries + 1 }
        return request
    }

    /// The response as JSON (`null` for an empty body).
    public func json(
        _ method: HTTPRequest.Method, _ path: String, query: [QueryItem] = [], body: JSONValue? = nil
    ) async throws -> JSONValue {
        let request = self.request(method, path, query: query, body: body.map { .json($0) } ?? .none)
        let response = try await send(request)
        return try decode(response, request: request)
    }

    /// The body of a successful response as JSON; an `APIError` naming the
    /// request when it is not JSON.
    public func decode(_ response: HTTPResponse, request: HTTPRequest) throws -> JSONValue {
        if response.body.isEmpty { return .null }
        do {
            return try response.json()
        } catch {
            throw APIError(
                api: api, method: request.method.rawValue, url: engine.redactor.url(response.url),
                status: response.status, message: "response is not JSON: \(error)",
                body: .string(String(decoding: response.body.prefix(512), as: UTF8.self)),
                attempts: response.attempts, requestID: response.requestID)
        }
    }

    /// Stream a response body to `path` (atomically; see `DownloadFile`).
    public func download(_ request: HTTPRequest, to path: String) async throws -> HTTPResponse {
        try await engine.download(applyingLimits(request, streamed: true), to: path, context)
    }
}
