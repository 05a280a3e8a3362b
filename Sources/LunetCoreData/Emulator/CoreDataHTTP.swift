import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// A failure answered as CoreData answers errors: `{"error": message}` with
/// the status (the shape is assumed; see docs/emulators/coredata.md).
struct CoreDataError: Error {
    var status: HTTPResponse.Status
    var message: String

    static func badRequest(_ message: String) -> CoreDataError { .init(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> CoreDataError { .init(status: .notFound, message: message) }

    var response: Response { SandboxJSON.error(message, status: status) }
}

/// Query strings and bodies, read the way Django reads them.
enum CoreDataHTTP {
    /// The query's parameters in order, `+` as a space, percent-decoded.
    static func query(_ request: Request) -> [(name: String, value: String)] {
        (request.uri.query ?? "").split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Python's `urlencode` (quote_plus): what Tastypie puts in `meta.next`.
    static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { quotePlus($0.name) + "=" + quotePlus($0.value) }.joined(separator: "&")
    }

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~".utf8)

    static func quotePlus(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.append(Character(Unicode.Scalar(byte)))
            } else if byte == 0x20 {
                out.append("+")
            } else {
                out += "%" + String(format: "%02X", byte)
            }
        }
        return out
    }

    /// The JSON object in the body; 400 when it is not one.
    static func object(of request: Request) async throws -> JSONObject {
        let buffer = try await request.body.collect(upTo: 4 << 20)
        guard let value = try? JSONValue.parse(buffer.readableBytesView), let object = value.object else {
            throw CoreDataError.badRequest("The request body must be a JSON object.")
        }
        return object
    }
}
