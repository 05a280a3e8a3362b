import Foundation
import Hummingbird
import LunetJSON

/// `/test/items`: deterministic records for paging, by offset or by cursor.
extension TestAPI {
    func registerPaging(on group: RouterGroup<SandboxContext>) {
        group.get("items") { request, _ in Self.items(request) }
    }

    /// Record `i` of every listing: the same for every run and every caller.
    public static func item(_ i: Int) -> JSONValue {
        [
            "id": .integer(Int64(i)), "name": .string("item-\(i)"), "group": .integer(Int64(i % 7)),
            "even": .bool(i % 2 == 0), "score": .double(Double(i % 100) / 4),
        ]
    }

    /// `?offset=&limit=&total=` → `{items, offset, limit, total, next}`;
    /// `?cursor=` (empty for the first page) → `{items, next_cursor}`, the
    /// cursor opaque and null after the last page. `limit` is capped at 1000.
    static func items(_ request: Request) -> Response {
        let total = max(0, int(request, "total") ?? 1000)
        let limit = min(max(1, int(request, "limit") ?? 100), 1000)
        if let cursor = query(request, "cursor") {
            let offset = cursor.isEmpty ? 0 : decodeCursor(cursor) ?? -1
            guard offset >= 0 else { return json(["error": "invalid cursor"], status: 400) }
            let end = min(total, offset + limit)
            let page = offset < end ? (offset..<end).map(item) : []
            let next: JSONValue = end < total ? .string(encodeCursor(end)) : .null
            return json(["items": .array(page), "next_cursor": next])
        }
        let offset = max(0, int(request, "offset") ?? 0)
        let end = min(total, offset + limit)
        let page = offset < end ? (offset..<end).map(item) : []
        let next: JSONValue = end < total ? .string("/test/items?offset=\(end)&limit=\(limit)&total=\(total)") : .null
        return json([
            "items": .array(page), "offset": .integer(Int64(offset)), "limit": .integer(Int64(limit)),
            "total": .integer(Int64(total)), "next": next,
        ])
    }

    private static func encodeCursor(_ offset: Int) -> String {
        Data("offset:\(offset)".utf8).base64EncodedString()
    }

    private static func decodeCursor(_ cursor: String) -> Int? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("offset:")
        else { return nil }
        return Int(text.dropFirst(7))
    }
}
