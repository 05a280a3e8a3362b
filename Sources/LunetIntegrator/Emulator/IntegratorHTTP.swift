import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// Query strings, JSON bodies, ids and times as integrator.io writes them.
enum IntegratorHTTP {
    static func query(_ request: Request) -> [(name: String, value: String)] {
        (request.uri.query ?? "").split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func query(_ request: Request, _ name: String) -> String? {
        query(request).first { $0.name == name }?.value
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The JSON body; 400 when it is not JSON (an empty body is `null`).
    static func json(of request: Request) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: 16 << 20)
        if buffer.readableBytes == 0 { return .null }
        do {
            return try JSONValue.parse(buffer.readableBytesView)
        } catch {
            throw IntegratorError(status: .badRequest, code: "invalid_json", message: "Malformed JSON: \(error).")
        }
    }

    static func object(of request: Request) async throws -> JSONObject {
        guard let object = try await json(of: request).object else {
            throw IntegratorError(status: .badRequest, code: "invalid_json", message: "The body must be a JSON object.")
        }
        return object
    }

    /// `http://host` of the request, for absolute `Link` URLs.
    static func origin(_ request: Request) -> String {
        request.head.authority.map { "http://\($0)" } ?? ""
    }

    /// A 24-hex-digit id like MongoDB's ObjectId: seconds, then 16 digits.
    static func objectID(seconds: Int64, _ tail: UInt64) -> String {
        hex(UInt64(max(0, seconds)), 8) + hex(tail, 16)
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return objectID(seconds: Int64(Date().timeIntervalSince1970), generator.next())
    }

    static func hex(_ value: UInt64, _ width: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A 200 answer whose body is JSON already rendered to bytes.
    static func json(_ bytes: [UInt8]) -> Response { SandboxJSON.response(bytes: bytes) }

    static func text(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8", .contentLength: String(text.utf8.count)],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// `2015-05-02T05:13:43.736Z` for milliseconds since 1970, and back.
enum IntegratorTime {
    static func format(_ milliseconds: Int64) -> String {
        let seconds = floorDiv(milliseconds, 1000)
        let days = floorDiv(seconds, 86_400)
        let rest = seconds - days * 86_400
        let (y, m, d) = civil(days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(rest / 3600, 2) + ":"
            + pad(rest % 3600 / 60, 2)
            + ":" + pad(rest % 60, 2) + "." + pad(milliseconds - seconds * 1000, 3) + "Z"
    }

    /// ISO 8601 with or without milliseconds, a plain date, or epoch
    /// milliseconds (the forms the jobs API accepts); nil when malformed.
    static func parse(_ text: String) -> Int64? {
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) { return Int64(text) }
        let pattern =
            #"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ i: Int) -> String? {
            Range(match.range(at: i), in: text).map { String(text[$0]) }
        }
        let year = Int64(group(1)!)!
        let month = Int64(group(2)!)!
        let day = Int64(group(3)!)!
        let hour = Int64(group(4) ?? "0")!
        let minute = Int64(group(5) ?? "0")!
        let second = Int64(group(6) ?? "0")!
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var milliseconds = (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000
        if let fraction = group(7) { milliseconds += Int64((fraction + "00").prefix(3))! }
        if let zone = group(8), zone != "Z" {
            let digits = zone.dropFirst().replacingOccurrences(of: ":", with: "")
            let offset = (Int64(digits.prefix(2))! * 60 + Int64(digits.suffix(2))!) * 60_000
            milliseconds += zone.hasPrefix("-") ? offset : -offset
        }
        return milliseconds
    }

    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    private static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, doy - (153 * mp + 2) / 5 + 1)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
