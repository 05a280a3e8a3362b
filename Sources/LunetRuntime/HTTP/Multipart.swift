import Foundation
import NIOCore

/// A `multipart/form-data` body whose file parts are read from disk while
/// the request is sent, 64 KiB at a time (the transport gathers them into a
/// few writes of 512 KiB): a 5 GB upload holds about 2 MiB.
public struct Multipart: Sendable {
    public enum Part: Sendable {
        case field(name: String, value: String)
        case data(name: String, filename: String?, contentType: String, bytes: [UInt8])
        /// A file, or the byte range of one (an upload chunk).
        case file(name: String, filename: String, contentType: String, path: String, range: Range<Int64>? = nil)

        var traceLabel: String {
            switch self {
            case .field(let name, _): return name
            case .data(let name, _, _, let bytes): return "\(name) \(TraceLog.size(bytes.count))"
            case .file(let name, let filename, _, _, let range):
                return "\(name)=\(filename)" + (range.map { " \(TraceLog.size(Int($0.count)))" } ?? "")
            }
        }
    }

    public var parts: [Part]
    public var boundary: String

    public init(_ parts: [Part], boundary: String = "lunet-" + UUID().uuidString.lowercased()) {
        self.parts = parts
        self.boundary = boundary
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The body as pieces: literal bytes and file ranges (sizes checked now,
    /// so Content-Length is known and a missing file fails before sending).
    func segments() throws -> [BodySegment] {
        var out: [BodySegment] = []
        for part in parts {
            var head = "--\(boundary)\r\n"
            switch part {
            case .field(let name, let value):
                head += "Content-Disposition: form-data; name=\"\(Self.quote(name))\"\r\n\r\n"
                out.append(.bytes(Array(head.utf8) + Array(value.utf8) + Array("\r\n".utf8)))
            case .data(let name, let filename, let type, let bytes):
                head += disposition(name, filename) + "Content-Type: \(type)\r\n\r\n"
                out.append(.bytes(Array(head.utf8) + bytes + Array("\r\n".utf8)))
            case .file(let name, let filename, let type, let path, let range):
                head += disposition(name, filename) + "Content-Type: \(type)\r\n\r\n"
                out.append(.bytes(Array(head.utf8)))
                out.append(.file(path: path, range: try BodySegment.checkedRange(path, range)))
                out.append(.bytes(Array("\r\n".utf8)))
            }
        }
        out.append(.bytes(Array("--\(boundary)--\r\n".utf8)))
        return out
    }

    private func disposition(_ name: String, _ filename: String?) -> String {
        var line = "Content-Disposition: form-data; name=\"\(Self.quote(name))\""
        if let filename { line += "; filename=\"\(Self.quote(filename))\"" }
        return line + "\r\n"
    }

    /// The escaping browsers use (WHATWG HTML, multipart/form-data).
    static func quote(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }
}

/// A piece of a streamed request body.
enum BodySegment: Sendable {
    case bytes([UInt8])
    case file(path: String, range: Range<Int64>)

    var length: Int64 {
        switch self {
        case .bytes(let b): Int64(b.count)
        case .file(_, let range): Int64(range.count)
        }
    }

    static func checkedRange(_ path: String, _ range: Range<Int64>?) throws -> Range<Int64> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TransportFailure(.other, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let size = Int64(info.st_size)
        let wanted = range ?? 0..<size
        guard wanted.lowerBound >= 0, wanted.upperBound <= size else {
            throw TransportFailure(.other, "\(path): bytes \(wanted.lowerBound)..<\(wanted.upperBound) are beyond its end (\(size) bytes)")
        }
        return wanted
    }
}

/// The segments as an async sequence of buffers, read lazily; async-http-
/// client pulls the next buffer only when the previous one is written, which
/// is what bounds memory.
struct StreamedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let segments: [BodySegment]
    static let chunkSize = 64 * 1024

    var length: Int64 { segments.reduce(0) { $0 + $1.length } }

    func makeAsyncIterator() -> Iterator { Iterator(segments: segments) }

    struct Iterator: AsyncIteratorProtocol {
        var segments: [BodySegment]
        var index = 0
        var reader: FileReader?

        init(segments: [BodySegment]) { self.segments = segments }

        mutating func next() async throws -> ByteBuffer? {
            while index < segments.count {
                switch segments[index] {
                case .bytes(let bytes):
                    index += 1
                    if !bytes.isEmpty { return ByteBuffer(bytes: bytes) }
                case .file(let path, let range):
                    if reader == nil { reader = try FileReader(path: path, range: range) }
                    if let chunk = try reader!.read(max: StreamedBody.chunkSize) { return chunk }
                    reader = nil
                    index += 1
                }
            }
            return nil
        }
    }
}

/// Reads a byte range of a file; closes it when released, so an upload
/// abandoned midway leaks no descriptor.
final class FileReader {
    private let fd: Int32
    private let path: String
    private var offset: Int64
    private let end: Int64

    init(path: String, range: Range<Int64>) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TransportFailure(.other, "cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        offset = range.lowerBound
        end = range.upperBound
    }

    deinit { close(fd) }

    func read(max: Int) throws -> ByteBuffer? {
        guard offset < end else { return nil }
        let count = Int(min(Int64(max), end - offset))
        var buffer = ByteBuffer()
        let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            pread(fd, raw.baseAddress, count, off_t(offset))
        }
        if n < 0 { throw TransportFailure(.other, "cannot read \(path): \(String(cString: strerror(errno)))") }
        if n == 0 { throw TransportFailure(.other, "\(path) became shorter while it was being sent") }
        offset += Int64(n)
        return buffer
    }
}
