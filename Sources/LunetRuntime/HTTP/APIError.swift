import Foundation
import LunetJSON

/// Which API a connection talks to; `http` for raw requests.
public struct APIName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let icl = APIName(rawValue: "icl")
    public static let iconect = APIName(rawValue: "iconect")
    public static let coredata = APIName(rawValue: "coredata")
    public static let integrator = APIName(rawValue: "integrator")
    public static let http = APIName(rawValue: "http")
    public var description: String { rawValue }
}

/// Every failed request, as one value: what was asked, what the server said,
/// and whether trying again could help. In Lua it is a `lunet.Error` table
/// (APIError+Lua.swift) with the same fields.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var api: APIName
    public var method: String
    /// The full URL, secrets redacted.
    public var url: String
    /// nil when no response arrived (transport failure).
    public var status: Int?
    /// The server's error code: ABP `error.code`, integrator.io
    /// `errors[1].code`, OAuth `error`.
    public var code: String?
    /// The server's message, or what went wrong in transport (redacted).
    public var message: String
    /// The response body: decoded JSON (redacted), or its text.
    public var body: JSONValue?
    /// Whether the same request could succeed later (the engine has already
    /// retried what it was allowed to).
    public var retryable: Bool
    public var attempts: Int
    public var requestID: String?
    /// Set for transport failures.
    public var transport: TransportFailure.Kind?

    public init(
        api: APIName, method: String, url: String, status: Int? = nil, code: String? = nil, message: String,
        body: JSONValue? = nil, retryable: Bool = false, attempts: Int = 1, requestID: String? = nil,
        transport: TransportFailure.Kind? = nil
    ) {
        self.api = api
        self.method = method
        self.url = url
        self.status = status
        self.code = code
        self.message = message
        self.body = body
        self.retryable = retryable
        self.attempts = attempts
        self.requestID = requestID
        self.transport = transport
    }

    /// `icl: PUT /api/content/building/batch: 400 Bad Request: The field 'strasse' is required`
    public var description: String {
        Self.line(api: api.rawValue, method: method, url: url, status: status, message: message, attempts: attempts)
    }

    /// The one-line form, shared with Lua's `__tostring`: path only (the host
    /// is in `url`), status with its reason, message; the attempt count when
    /// retries were made.
    static func line(api: String, method: String, url: String, status: Int?, message: String, attempts: Int) -> String {
        var parts = ["\(api): \(method) \(path(of: url))"]
        if let status { parts.append(HTTPStatusText.line(status)) }
        // "404 Not Found: Not Found" says nothing twice.
        let redundant = status.map { [HTTPStatusText.line($0).lowercased(), HTTPStatusText.reason($0).lowercased()] } ?? []
        if !message.isEmpty && !redundant.contains(message.lowercased()) { parts.append(message) }
        var line = parts.joined(separator: ": ")
        if attempts > 1 { line += " (after \(attempts) attempts)" }
        return line
    }

    /// By hand rather than with URLComponents, which rejects the "••••" a
    /// redacted query holds.
    static func path(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return "/" }
            rest = rest[slash...]
        }
        let end = rest.firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        return String(rest[..<end])
    }
}

extension APIError {
    /// The error for a response with a failure status, its message and code
    /// taken from the body by `shape`.
    static func from(
        response: HTTPResponse, api: APIName, method: String, shape: ErrorShape, redactor: Redactor,
        retryable: Bool
    ) -> APIError {
        var body: JSONValue?
        var code: String?
        var message: String?
        if let json = try? JSONValue.parse(response.body) {
            let extracted = shape.extract(json) ?? ErrorShape.generic.extract(json)
            code = extracted?.code
            message = extracted?.message
            body = redactor.json(json)
        } else if !response.body.isEmpty {
            let text = String(decoding: response.body.prefix(4096), as: UTF8.self)
            body = .string(redactor.scrub(text))
            message = plainTextMessage(text)
        }
        return APIError(
            api: api, method: method, url: redactor.url(response.url), status: response.status, code: code,
            message: redactor.scrub(message ?? HTTPStatusText.line(response.status)), body: body,
            retryable: retryable, attempts: response.attempts, requestID: response.requestID)
    }

    /// The first line of a short text body; nothing for HTML error pages,
    /// which say no more than the status does.
    private static func plainTextMessage(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("<") else { return nil }
        let first = trimmed.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? trimmed
        return first.count > 300 ? String(first.prefix(300)) + "…" : first
    }
}
