import LunetJSON

/// The OData v3 query options of a listing (`$filter`, `$orderby`, `$top`,
/// `$skip`, `$inlinecount`) applied to rows, answering
/// `{__count, results}` or `{results}` (without `$inlinecount=allpages`).
struct ODataQuery {
    var filter: ODataFilter?
    var order: ODataOrder?
    var top: Int?
    var skip = 0
    var inlineCount = false

    init(_ query: [String: String]) throws(ICLError) {
        for name in query.keys where name.hasPrefix("$") {
            switch name {
            case "$filter", "$orderby", "$top", "$skip", "$inlinecount": continue
            case "$select", "$expand", "$format":
                throw ICLError.badRequest("Query option '\(name.dropFirst())' is not allowed.")
            default: throw ICLError.badRequest("The query parameter '\(name)' is not supported.")
            }
        }
        do {
            if let text = query["$filter"], !text.isEmpty { filter = try ODataFilter(text) }
            if let text = query["$orderby"], !text.isEmpty { order = try ODataOrder(text) }
        } catch {
            throw ICLError.badRequest("The query specified in the URI is not valid. \(error.message)")
        }
        if let text = query["$top"] {
            guard let n = Int(text), n >= 0 else { throw ICLError.badRequest("Invalid value '\(text)' for $top query option found.") }
            top = n
        }
        if let text = query["$skip"] {
            guard let n = Int(text), n >= 0 else { throw ICLError.badRequest("Invalid value '\(text)' for $skip query option found.") }
            skip = n
        }
        switch query["$inlinecount"] {
        case nil, "none": inlineCount = false
        case "allpages": inlineCount = true
        case let other?: throw ICLError.badRequest("'\(other)' is not a valid value for $inlinecount (allpages or none).")
        }
    }

    /// Refuses properties outside `allowed` (item field names, lower-camel).
    func check(allowed: Set<String>, refusal: (String) -> String) throws(ICLError) {
        var used = filter?.properties.map { ($0, ODataFilter.field($0)) } ?? []
        used += order?.keys.map { (Self.odataName($0.field), $0.field) } ?? []
        for (property, field) in used where !allowed.contains(field) {
            throw ICLError.badRequest(refusal(property))
        }
    }

    static func odataName(_ field: String) -> String {
        guard let first = field.first else { return field }
        return first.uppercased() + field.dropFirst()
    }

    /// Filters, sorts (ties keep the rows' order) and pages `rows`. The seed
    /// puts `__count` first for items and last for content types.
    func apply(_ rows: [JSONObject], countFirst: Bool = true) -> JSONValue {
        var matching = filter.map { f in rows.filter(f.matches) } ?? rows
        if let order {
            matching = matching.enumerated().sorted { a, b in
                if order.precedes(a.element, b.element) { return true }
                if order.precedes(b.element, a.element) { return false }
                return a.offset < b.offset
            }.map(\.element)
        }
        let page = matching.dropFirst(skip).prefix(top ?? Int.max)
        var result = JSONObject()
        if inlineCount, countFirst { result["__count"] = .integer(Int64(matching.count)) }
        result["results"] = .array(page.map { .object($0) })
        if inlineCount, !countFirst { result["__count"] = .integer(Int64(matching.count)) }
        return .object(result)
    }
}
