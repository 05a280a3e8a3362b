import Foundation

/// A deliberately misbehaving HTTP server on plain sockets, for what a real
/// server framework will not do: close the connection right after reading a
/// request, or promise a body and hang up halfway.
final class RawServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        /// Read the request, then reset the connection without answering.
        case resetAfterRequest
        /// Answer 200 with `Content-Length: declared`, send `sent` bytes, close.
        case truncatedBody(declared: Int, sent: Int)
        /// Read the body into one small buffer, discarding it; answer
        /// `{"received": n}` (a sink that itself uses no memory).
        case discardBody
        /// Answer 200 with `size` bytes of a repeated 64 KiB pattern.
        case body(size: Int)
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var accepted = 0

    var connections: Int { lock.withLock { accepted } }

    init(_ behaviour: Behaviour) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop(behaviour) }
        thread.start()
    }

    /// Wakes the accept loop, which closes the socket itself: closing it
    /// here could let a loop that has not started yet accept on whatever
    /// socket reuses the descriptor number.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop(_ behaviour: Behaviour) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                close(listener)
                return
            }
            lock.withLock { accepted += 1 }
            if case .discardBody = behaviour {
                let received = discardRequest(client)
                let body = "{\"received\":\(received)}"
                writeAll(client, Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8))
                close(client)
                continue
            }
            readRequest(client)
            switch behaviour {
            case .resetAfterRequest:
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)  // close with RST
                setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            case .truncatedBody(let declared, let sent):
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: \(declared)\r\n\r\n"
                writeAll(client, Array(head.utf8))
                writeAll(client, [UInt8](repeating: 0x41, count: sent))
                usleep(20_000)
            case .body(let size):
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: \(size)\r\nConnection: close\r\n\r\n"
                writeAll(client, Array(head.utf8))
                let pattern = RawServer.pattern
                var sent = 0
                while sent < size {
                    let n = min(pattern.count, size - sent)
                    writeAll(client, n == pattern.count ? pattern : Array(pattern[0..<n]))
                    sent += n
                }
            case .discardBody: break
            }
            close(client)
        }
    }

    /// Read the head, then count and drop a Content-Length body.
    private func discardRequest(_ fd: Int32) -> Int {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var byte: UInt8 = 0
        while !head.reversed().starts(with: [10, 13, 10, 13]) {
            guard read(fd, &byte, 1) == 1 else { return 0 }
            head.append(byte)
        }
        let text = String(decoding: head, as: UTF8.self).lowercased()
        var remaining = text.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
        var received = 0
        while remaining > 0 {
            let n = read(fd, &buffer, min(buffer.count, remaining))
            if n <= 0 { break }
            received += n
            remaining -= n
        }
        return received
    }

    /// Read the head and a Content-Length body.
    private func readRequest(_ fd: Int32) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var needed: Int?
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return }
            data += buffer[0..<n]
            if needed == nil, let end = find(data, Array("\r\n\r\n".utf8)) {
                let head = String(decoding: data[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                needed = end + 4 + length
            }
            if let needed, data.count >= needed { return }
        }
    }

    private func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where Array(hay[i..<i + needle.count]) == needle { return i }
        return nil
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            done += n
        }
    }

    /// What `.body` repeats; byte i of the body is `pattern[i % 65536]`.
    static let pattern: [UInt8] = (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }

    /// A port nothing listens on (bound, then closed).
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length)
                return getsockname(fd, $0, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
