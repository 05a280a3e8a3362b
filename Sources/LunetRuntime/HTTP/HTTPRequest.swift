import Foundation
import LunetJSON

/// What one API call says: method, URL, query, headers, body, and how it may
/// travel (retries, redirects, time). How it travels is `HTTPEngine`'s job.
public struct HTTPRequest: Sendable {
    public var method: Method
    /// Scheme, host, path, and optionally a query that `query` extends.
    public var url: URL
    public var query: [QueryItem]
    public var headers: HeaderFields
    public var body: HTTPBody
    public var retry: RetryMode
    public var redirects: RedirectPolicy
    /// Time allowed for one attempt, headers and body; nil: the engine's
    /// default (downloads and uploads usually want nil plus the deadline).
    public var timeout: Duration?
    /// Time allowed for all attempts and the waits between them; nil: the
    /// engine's default.
    public var deadline: Duration?
    /// Most attempts, the first included; nil: the engine's retry policy.
    public var maxAttempts: Int?

    public init(
        _ method: Method, _ url: URL, query: [QueryItem] = [], headers: HeaderFields = [:], body: HTTPBody = .none,
        retry: RetryMode = .automatic, redirects: RedirectPolicy = .none, timeout: Duration? = nil,
        deadline: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.query = query
        self.headers = headers
        self.body = body
        self.retry = retry
        self.redirects = redirects
        self.timeout = timeout
        self.deadline = deadline
    }

    /// The URL with `query` appended, percent-encoded.
    public var fullURL: URL {
        guard !query.isEmpty else { return url }
        let encoded = query.map { "\(QueryItem.encode($0.name))=\(QueryItem.encode($0.value))" }.joined(separator: "&")
        var text = url.absoluteString
        if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
        let separator = url.query == nil ? "?" : (text.hasSuffix("&") || text.hasSuffix("?") ? "" : "&")
        return URL(string: text + separator + encoded) ?? url
    }

    public struct Method: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
        public static let get = Method(rawValue: "GET")
        public static let post = Method(rawValue: "POST")
        public static let put = Method(rawValue: "PUT")
        public static let patch = Method(rawValue: "PATCH")
        public static let delete = Method(rawValue: "DELETE")
        public static let head = Method(rawValue: "HEAD")
        public static let options = Method(rawValue: "OPTIONS")

        /// RFC 9110 idempotent methods: sending twice has the effect of once.
        public var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(rawValue) }
        public var description: String { rawValue }
    }
}

public struct QueryItem: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// RFC 3986: everything but unreserved characters is escaped, so values
    /// holding '&', '=', '+' or '$' arrive as sent.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

/// Whether a request may be sent again after a failure.
public enum RetryMode: Sendable, Hashable {
    /// By method: idempotent methods on any retryable failure; others only
    /// when they provably never reached the server.
    case automatic
    /// The caller declares re-sending harmless (an upload chunk carries its
    /// index; a POST that only reads): retried like an idempotent request.
    case safe
    /// Never retried (auth retries after a 401 still happen).
    case never
}

public enum RedirectPolicy: Sendable, Hashable {
    /// A 3xx is returned as the response.
    case none
    /// Follow up to `limit` redirects. When the host (or scheme or port)
    /// changes, `Authorization` and `Cookie` are not sent there: a storage
    /// service behind CoreData's 302 must not see the API key.
    case follow(limit: Int = 5)
}

public enum HTTPBody: Sendable {
    case none
    /// Sent with `Content-Type: application/json; charset=utf-8`.
    case json([UInt8])
    /// `application/x-www-form-urlencoded`.
    case form([QueryItem])
    /// `multipart/form-data`, parts streamed from disk.
    case multipart(Multipart)
    case bytes([UInt8], contentType: String)
    /// A file (or a byte range of it) streamed from disk, never loaded.
    case file(path: String, range: Range<Int64>? = nil, contentType: String)

    public static func json(_ value: JSONValue) -> HTTPBody { .json(value.serialized()) }

    /// Form encoding: like the query encoding, with spaces as '+'.
    static func formEncoded(_ fields: [QueryItem]) -> [UInt8] {
        Array(fields.map { "\(formEscape($0.name))=\(formEscape($0.value))" }.joined(separator: "&").utf8)
    }

    private static func formEscape(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { QueryItem.encode(String($0)) }
            .joined(separator: "+")
    }

    var contentType: String? {
        switch self {
        case .none: nil
        case .json: "application/json; charset=utf-8"
        case .form: "application/x-www-form-urlencoded"
        case .multipart(let m): m.contentType
        case .bytes(_, let type), .file(_, _, let type): type
        }
    }
}
