import LunetSandbox
import Foundation

/// A `multipart/form-data` body read as it streams in. `feed` turns each
/// buffer into events (a part begins, some of its bytes, it ends) and keeps
/// at most a delimiter's length of unread input, so an upload of any size
/// passes through in bounded memory.
struct CoreDataMultipart {
    struct Part: Sendable {
        var name: String?
        var filename: String?
        var contentType: String?
    }

    enum Event {
        case begin(Part)
        case bytes([UInt8])
        case end
    }

    private enum State { case preamble, afterDelimiter, headers, body, done }

    private let delimiter: [UInt8]
    private var state = State.preamble
    // The first delimiter has no CR LF before it; pretend it has.
    private var pending: [UInt8] = [13, 10]
    private var start = 0
    private(set) var malformed: String?

    init(boundary: String) { delimiter = Array("\r\n--\(boundary)".utf8) }

    var isComplete: Bool { state == .done }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(from contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        return MultipartHeader.parameter("boundary", in: contentType)
    }

    mutating func feed(_ bytes: some Collection<UInt8>) -> [Event] {
        guard state != .done, malformed == nil else { return [] }
        if start > 0 {
            pending.removeFirst(start)
            start = 0
        }
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        while step(&events) {}
        return events
    }

    private mutating func step(_ events: inout [Event]) -> Bool {
        switch state {
        case .preamble:
            guard let at = find(delimiter) else {
                start = max(start, pending.count - delimiter.count)
                return false
            }
            start = at + delimiter.count
            state = .afterDelimiter
            return true
        case .afterDelimiter:
            guard pending.count - start >= 2 else { return false }
            if pending[start] == UInt8(ascii: "-") && pending[start + 1] == UInt8(ascii: "-") {
                state = .done
                return false
            }
            guard pending[start] == 13 && pending[start + 1] == 10 else {
                malformed = "a delimiter is not followed by CRLF or --"
                return false
            }
            start += 2
            state = .headers
            return true
        case .headers:
            let end: Int
            if pending.count - start >= 2 && pending[start] == 13 && pending[start + 1] == 10 {
                end = start  // no headers at all
            } else if let at = find([13, 10, 13, 10]) {
                end = at
            } else {
                if pending.count - start > 16 * 1024 { malformed = "part headers too long" }
                return false
            }
            let text = String(decoding: pending[start..<end], as: UTF8.self)
            start = end == start ? start + 2 : end + 4
            events.append(.begin(Self.part(fromHeaders: text)))
            state = .body
            return true
        case .body:
            if let at = find(delimiter) {
                if at > start { events.append(.bytes(Array(pending[start..<at]))) }
                events.append(.end)
                start = at + delimiter.count
                state = .afterDelimiter
                return true
            }
            // Keep what could be the start of a delimiter split across reads.
            let safe = pending.count - (delimiter.count - 1)
            if safe > start {
                events.append(.bytes(Array(pending[start..<safe])))
                start = safe
            }
            return false
        case .done:
            return false
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        pending.withUnsafeBytes { hay -> Int? in
            guard hay.count - start >= needle.count, let base = hay.baseAddress else { return nil }
            var offset = start
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

    private static func part(fromHeaders text: String) -> Part {
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

}
