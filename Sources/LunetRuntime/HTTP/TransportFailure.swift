import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request that got no HTTP response, sorted by what it tells us about
/// the server: whether the request can have reached it decides whether a
/// non-idempotent request may be sent again.
public struct TransportFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// DNS failure, connection refused, unreachable, connect timeout:
        /// no byte of the request left this machine for the server.
        case connect
        /// The response did not come in time (the server may be working on it).
        case timeout
        /// The connection broke after the request was (maybe) sent.
        case reset
        /// Anything else (TLS, malformed response, decoding): not retried.
        case other
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
    public var neverReachedServer: Bool { kind == .connect }

    /// Sort an error from async-http-client or NIO.
    static func classify(_ error: Error) -> TransportFailure {
        if let failure = error as? TransportFailure { return failure }
        if let e = error as? NIOConnectionError {
            if let dns = e.dnsAError ?? e.dnsAAAAError { return .init(.connect, "cannot resolve \(e.host): \(dns)") }
            let reasons = Set(e.connectionErrors.map { reason(of: $0.error) })
            let why = reasons.isEmpty ? "no address" : reasons.sorted().joined(separator: ", ")
            return .init(.connect, "cannot connect to \(e.host):\(e.port): \(why)")
        }
        if let e = error as? ChannelError {
            switch e {
            case .connectTimeout: return .init(.connect, "connect timed out")
            case .ioOnClosedChannel, .eof, .outputClosed, .alreadyClosed:
                return .init(.reset, "connection closed by the server")
            default: return .init(.other, "\(e)")
            }
        }
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return .init(.connect, "connect timed out")
            case .tlsHandshakeTimeout: return .init(.connect, "TLS handshake timed out")
            case .readTimeout: return .init(.timeout, "timed out waiting for the server")
            case .deadlineExceeded: return .init(.timeout, "timed out")
            case .remoteConnectionClosed: return .init(.reset, "connection closed by the server mid-response")
            case .cancelled: return .init(.other, "cancelled")
            default: return .init(.other, "\(e)")
            }
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL:
                return .init(.connect, reason(of: e))
            case ECONNRESET, EPIPE, ECONNABORTED: return .init(.reset, reason(of: e))
            case ETIMEDOUT: return .init(.timeout, reason(of: e))
            default: return .init(.other, reason(of: e))
            }
        }
        if error is HTTPParserError { return .init(.reset, "malformed or truncated response (\(error))") }
        return .init(.other, "\(error)")
    }

    private static func reason(of error: Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset by the server"
            case EPIPE: return "connection closed by the server"
            case ENETUNREACH: return "network unreachable"
            case EHOSTUNREACH: return "host unreachable"
            case ETIMEDOUT: return "connection timed out"
            default: return String(cString: strerror(io.errnoCode))
            }
        }
        if case ChannelError.connectTimeout = error { return "connect timed out" }
        return "\(error)"
    }
}
