import Hummingbird
import LunetJSON
import LunetSandbox

/// `limit`/`skip` paging with an RFC 5988 `Link` header, as integrator.io
/// pages its lists. The documented default `limit` is contradictory (100 or
/// 1000); the sandbox uses 100 and caps at 1000, and always honours `limit`.
struct IntegratorPage {
    static let defaultLimit = 100
    static let maximumLimit = 1000

    var limit = defaultLimit
    var skip = 0

    init(_ request: Request) throws(IntegratorError) {
        if let text = IntegratorHTTP.query(request, "limit") {
            guard let value = Int(text), value >= 1 else {
                throw .badQuery("`limit` must be a whole number from 1.", field: "limit", code: "invalid_query_params")
            }
            limit = min(value, Self.maximumLimit)
        }
        if let text = IntegratorHTTP.query(request, "skip") {
            guard let value = Int(text), value >= 0 else {
                throw .badQuery("`skip` must be a whole number from 0.", field: "skip", code: "invalid_query_params")
            }
            skip = value
        }
    }

    func slice<T>(_ items: [T]) -> [T] {
        skip < items.count ? Array(items[skip..<min(items.count, skip + limit)]) : []
    }

    /// `<…?skip=N&limit=L>; rel="next"` (and `rel="prev"`), or nil when
    /// there is neither.
    func link(_ request: Request, total: Int) -> String? {
        var links: [String] = []
        if skip + limit < total { links.append("<\(url(request, skip: skip + limit))>; rel=\"next\"") }
        if skip > 0 { links.append("<\(url(request, skip: max(0, skip - limit)))>; rel=\"prev\"") }
        return links.isEmpty ? nil : links.joined(separator: ", ")
    }

    private func url(_ request: Request, skip: Int) -> String {
        var pairs = IntegratorHTTP.query(request).filter { $0.name != "skip" && $0.name != "limit" }
        pairs += [("skip", String(skip)), ("limit", String(limit))]
        let query = pairs.map { IntegratorHTTP.encode($0.name) + "=" + IntegratorHTTP.encode($0.value) }
        return IntegratorHTTP.origin(request) + request.uri.path + "?" + query.joined(separator: "&")
    }

    /// The page as a JSON array response with its Link header.
    func response(_ request: Request, _ items: [JSONValue]) -> Response {
        var headers: HTTPFields = [:]
        // HTTPField.Name has no constant for Link; HTTPTypes is not imported here.
        if let link = link(request, total: items.count) { headers[.init("Link")!] = link }
        return SandboxJSON.response(.array(slice(items)), headers: headers)
    }
}
