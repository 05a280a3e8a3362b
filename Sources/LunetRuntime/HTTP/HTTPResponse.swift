import Foundation
import LunetJSON

/// What came back: status, headers, and the body bytes (already decoded
/// from gzip or deflate; the headers still say how they travelled).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HeaderFields
    /// Empty for a download: the body went to the file.
    public var body: [UInt8]
    /// The URL that answered (after redirects).
    public var url: URL
    /// Attempts made, including the one that answered.
    public var attempts: Int

    public init(status: Int, headers: HeaderFields = [:], body: [UInt8] = [], url: URL, attempts: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.attempts = attempts
    }

    public var reason: String { HTTPStatusText.reason(status) }
    public var isSuccess: Bool { (200..<300).contains(status) }
    public var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }

    /// The request id a server or gateway sent, for support tickets.
    public var requestID: String? { Self.requestID(in: headers) }

    public var isJSON: Bool {
        guard let type = headers["Content-Type"]?.lowercased() else { return false }
        return type.hasPrefix("application/json") || type.contains("+json")
    }

    public func json() throws -> JSONValue { try JSONValue.parse(body) }

    public var text: String { String(decoding: body, as: UTF8.self) }

    static let requestIDHeaders = [
        "X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Amzn-RequestId", "X-Amz-Request-Id", "X-Ms-Request-Id",
        "Cf-Ray",
    ]

    static func requestID(in headers: HeaderFields) -> String? {
        for name in requestIDHeaders { if let v = headers[name], !v.isEmpty { return v } }
        return nil
    }
}

/// Reason phrases, so messages read "400 Bad Request" whatever the server sent.
public enum HTTPStatusText {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 423: "Locked"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }

    /// "404 Not Found", or "599" when the phrase is unknown.
    public static func line(_ status: Int) -> String {
        let r = reason(status)
        return r.isEmpty ? String(status) : "\(status) \(r)"
    }
}
