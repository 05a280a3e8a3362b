import Foundation

#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
private let sendFlags = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
private let sendFlags: Int32 = 0
#endif

/// The redirect end of a native app's sign-in (RFC 8252 §7.3): a tiny HTTP
/// listener on 127.0.0.1 that waits for the browser to arrive at
/// `/callback?code=…&state=…`. It serves one request at a time on a thread
/// of its own (blocking sockets, never Swift's cooperative pool), answers
/// anything else with 404 and keeps waiting, and stops after the callback
/// or `close()`.
public final class LoopbackRedirectListener: @unchecked Sendable {
    public let port: Int
    public var redirectURI: String { "http://127.0.0.1:\(port)/callback" }

    private let lock = NSLock()
    private var fd: Int32

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Listen on 127.0.0.1:`port` (0: a free port chosen by the system).
    public init(port: Int = 0) throws {
        let s = socket(AF_INET, streamSocket, 0)
        guard s >= 0 else { throw Failure(description: "cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(s, 8) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = closeDescriptor(s)
            throw Failure(description: "cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &length) }
        }
        fd = s
        self.port = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit { close() }

    /// Stop listening (wakes a waiting `start`; idempotent).
    public func close() {
        lock.lock()
        let s = fd
        fd = -1
        lock.unlock()
        guard s >= 0 else { return }
        shutdown(s, Int32(SHUT_RDWR))
        _ = closeDescriptor(s)
    }

    /// Serve on a new thread until the first request for `/callback`:
    /// `page` turns its request target ("/callback?code=…") into the status
    /// and text shown in the browser, then `done` gets the target. `done`
    /// is not called when the listener is closed first.
    public func start(
        page: @escaping @Sendable (String) -> (status: Int, text: String),
        done: @escaping @Sendable (String) -> Void
    ) {
        Thread.detachNewThread { [self] in
            while true {
                lock.lock()
                let s = fd
                lock.unlock()
                guard s >= 0 else { return }
                let connection = accept(s, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return
                }
                let target = Self.readTarget(connection)
                guard let target, target == "/callback" || target.hasPrefix("/callback?") else {
                    Self.respond(connection, 404, "Not found. This listener only waits for the sign-in redirect.")
                    continue
                }
                let (status, text) = page(target)
                Self.respond(connection, status, text)
                close()
                done(target)
                return
            }
        }
    }

    /// The request target of a `GET target HTTP/1.x` head (at most 16 KiB
    /// read; nil for anything else).
    private static func readTarget(_ connection: Int32) -> String? {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.count < 16 * 1024 {
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            head += buffer[0..<n]
            if head.count >= 4, head.suffix(4) == [13, 10, 13, 10] { break }
            if let text = String(bytes: head, encoding: .utf8), text.contains("\r\n\r\n") { break }
        }
        guard let line = String(decoding: head, as: UTF8.self).split(separator: "\r\n").first else { return nil }
        let words = line.split(separator: " ")
        guard words.count == 3, words[0] == "GET" else { return nil }
        return String(words[1])
    }

    private static func respond(_ connection: Int32, _ status: Int, _ text: String) {
        let reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request"
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        let body = Array("<!doctype html><meta charset=utf-8><title>lunet</title><p>\(escaped)</p>\n".utf8)
        let head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: \(body.count)\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, sendFlags) }
            if n <= 0 { break }
            sent += n
        }
        _ = closeDescriptor(connection)
    }
}

#if canImport(Glibc)
private func closeDescriptor(_ fd: Int32) -> Int32 { Glibc.close(fd) }
#elseif canImport(Darwin)
private func closeDescriptor(_ fd: Int32) -> Int32 { Darwin.close(fd) }
#endif
