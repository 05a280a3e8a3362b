import LunetSandbox
import Foundation
import Hummingbird

/// The `file` part of a `multipart/form-data` upload (one chunk).
struct UploadedPart: Sendable {
    var filename: String?
    var contentType: String?
    var bytes: [UInt8]
}

enum Multipart {
    /// Largest chunk the sandbox takes in one request.
    static let chunkLimit = 128 * 1024 * 1024

    /// The part named `file`: 415 when the request is not multipart, 400
    /// when the body is malformed or has no such part.
    static func filePart(of request: Request) async throws -> UploadedPart {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("multipart/form-data"), let boundary = MultipartHeader.parameter("boundary", in: type) else {
            throw IConectError.unsupportedMediaType(
                "Unsupported media type '\(type)': send multipart/form-data with one part named 'file'")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: chunkLimit + 64 * 1024)
        } catch {
            throw IConectError.badRequest("The chunk is larger than \(chunkLimit / 1024 / 1024) MB: use more chunks")
        }
        // Parsed in place (an 8 MB chunk is searched with memmem, and only
        // the part's bytes are copied out once).
        let part = try buffer.withUnsafeReadableBytes { body in
            try Self.filePart(in: body, boundary: Array("--\(boundary)".utf8))
        }
        guard let part else {
            throw IConectError.badRequest("The request must contain a part named 'file'")
        }
        return part
    }

    /// The `file` part of `body`, nil when there is none.
    private static func filePart(in body: UnsafeRawBufferPointer, boundary delimiter: [UInt8]) throws -> UploadedPart? {
        let crlf: [UInt8] = [0x0D, 0x0A]
        guard var cursor = find(delimiter, in: body, from: 0).map({ $0 + delimiter.count }) else {
            throw IConectError.badRequest("Malformed multipart body: no boundary")
        }
        let separator = crlf + delimiter
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if starts(body, at: cursor, with: [0x2D, 0x2D]) { return nil }
            guard starts(body, at: cursor, with: crlf) else { throw IConectError.badRequest("Malformed multipart body") }
            let headersStart = cursor + 2
            guard let headersEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: headersStart) else {
                throw IConectError.badRequest("Malformed multipart body: part headers do not end")
            }
            let contentStart = headersEnd + 4
            guard let next = find(separator, in: body, from: contentStart) else {
                throw IConectError.badRequest("Malformed multipart body: the closing boundary is missing")
            }
            let headers = String(decoding: body[headersStart..<headersEnd], as: UTF8.self)
            var part = UploadedPart(bytes: [])
            var name: String?
            for line in headers.components(separatedBy: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if key == "content-type" { part.contentType = value }
                if key == "content-disposition" {
                    name = MultipartHeader.parameter("name", in: value)
                    part.filename = MultipartHeader.parameter("filename", in: value)
                }
            }
            if name == "file" {
                part.bytes = Array(body[contentStart..<next])
                return part
            }
            cursor = next + separator.count
        }
    }

    /// Where `needle` first occurs in `haystack` at or after `from`: memchr
    /// for its first byte, then a comparison (memmem is not in every libc's
    /// Swift module).
    static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let first = needle.first, let base = haystack.baseAddress else { return nil }
        var at = from
        while at + needle.count <= haystack.count {
            guard let hit = memchr(base + at, Int32(first), haystack.count - needle.count + 1 - at) else { return nil }
            at = base.distance(to: UnsafeRawPointer(hit))
            if needle.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, needle.count) == 0 }) { return at }
            at += 1
        }
        return nil
    }

    private static func starts(_ body: UnsafeRawBufferPointer, at index: Int, with prefix: [UInt8]) -> Bool {
        index + prefix.count <= body.count && body[index..<index + prefix.count].elementsEqual(prefix)
    }

}
