import Foundation

/// Reads a `multipart/form-data` body as it streams in, keeping only a
/// delimiter's length of it: each part is summarised (name, filename, type,
/// size, SHA-256) and its bytes are dropped, so the test API accepts uploads
/// of any size in constant memory.
struct MultipartScanner {
    struct Part: Sendable {
        var name: String?
        var filename: String?
        var contentType: String?
        var size = 0
        var sha256: String = ""
    }

    private enum State { case preamble, afterDelimiter, headers, body, done }

    private let delimiter: [UInt8]
    private var state = State.preamble
    // The first delimiter has no CR LF before it; pretend it has.
    private var pending: [UInt8] = [13, 10]
    private var current = Part()
    private var hasher = SandboxSHA256()
    private(set) var parts: [Part] = []
    private(set) var malformed: String?

    init(boundary: String) { delimiter = Array("\r\n--\(boundary)".utf8) }

    var isComplete: Bool { state == .done }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard state != .done, malformed == nil else { return }
        pending.append(contentsOf: bytes)
        while step() {}
    }

    /// Advance as far as the pending bytes allow; false when more are needed.
    private mutating func step() -> Bool {
        switch state {
        case .preamble:
            guard let at = find(delimiter) else {
                pending.removeFirst(max(0, pending.count - delimiter.count))
                return false
            }
            pending.removeFirst(at + delimiter.count)
            state = .afterDelimiter
            return true
        case .afterDelimiter:
            guard pending.count >= 2 else { return false }
            if pending[0] == UInt8(ascii: "-") && pending[1] == UInt8(ascii: "-") {
                state = .done
                pending = []
                return false
            }
            guard pending[0] == 13 && pending[1] == 10 else {
                malformed = "delimiter not followed by CRLF or --"
                return false
            }
            pending.removeFirst(2)
            state = .headers
            return true
        case .headers:
            guard let end = pending.starts(with: [13, 10]) ? -2 : find([13, 10, 13, 10]) else {
                if pending.count > 16 * 1024 { malformed = "part headers too long" }
                return false
            }
            let headerBytes = end < 0 ? [] : Array(pending[..<end])
            pending.removeFirst(end < 0 ? 2 : end + 4)
            current = Self.parseHeaders(String(decoding: headerBytes, as: UTF8.self))
            hasher = SandboxSHA256()
            state = .body
            return true
        case .body:
            if let at = find(delimiter) {
                consume(at)
                pending.removeFirst(delimiter.count)
                current.sha256 = SandboxSHA256.hex(hasher.finalize())
                parts.append(current)
                state = .afterDelimiter
                return true
            }
            // Keep what could be the start of a delimiter split across reads.
            consume(max(0, pending.count - (delimiter.count - 1)))
            return false
        case .done:
            return false
        }
    }

    private mutating func consume(_ count: Int) {
        guard count > 0 else { return }
        pending.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        current.size += count
        pending.removeFirst(count)
    }

    private func find(_ needle: [UInt8]) -> Int? {
        pending.withUnsafeBytes { hay -> Int? in
            guard hay.count >= needle.count, let base = hay.baseAddress else { return nil }
            var offset = 0
            let last = hay.count - needle.count
            while offset <= last {
                guard let hit = memchr(base + offset, Int32(needle[0]), last - offset + 1) else { return nil }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, needle, needle.count) == 0 { return at }
                offset = at + 1
            }
            return nil
        }
    }

    static func parseHeaders(_ text: String) -> Part {
        var part = Part()
        for line in text.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-type" { part.contentType = value }
            if name == "content-disposition" {
                part.name = MultipartHeader.parameter("name", in: value)
                part.filename = MultipartHeader.parameter("filename", in: value)
            }
        }
        return part
    }


    /// The boundary from a `multipart/form-data; boundary=…` content type.
    static func boundary(from contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/") else { return nil }
        return MultipartHeader.parameter("boundary", in: contentType)
    }
}
