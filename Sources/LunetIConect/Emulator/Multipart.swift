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
        let body = Data(buffer.readableBytesView)
        let delimiter = Data("--\(boundary)".utf8)
        guard var cursor = body.range(of: delimiter)?.upperBound else {
            throw IConectError.badRequest("Malformed multipart body: no boundary")
        }
        let crlf = Data("\r\n".utf8)
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: crlf) else { throw IConectError.badRequest("Malformed multipart body") }
            let headersStart = cursor + 2
            guard let headersEnd = body.range(of: Data("\r\n\r\n".utf8), in: headersStart..<body.endIndex) else {
                throw IConectError.badRequest("Malformed multipart body: part headers do not end")
            }
            guard let next = body.range(of: crlf + delimiter, in: headersEnd.upperBound..<body.endIndex) else {
                throw IConectError.badRequest("Malformed multipart body: the closing boundary is missing")
            }
            let headers = String(decoding: body[headersStart..<headersEnd.lowerBound], as: UTF8.self)
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
                part.bytes = Array(body[headersEnd.upperBound..<next.lowerBound])
                return part
            }
            cursor = next.upperBound
        }
        throw IConectError.badRequest("The request must contain a part named 'file'")
    }

}
