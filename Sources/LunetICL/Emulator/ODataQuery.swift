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

    /// Neither `$filter` nor `$orderby`: a page is rows `skip..<skip+top` as stored.
    var isPlain: Bool { filter == nil && order == nil }

    /// The item fields (lower-camel) that `$filter` and `$orderby` read.
    var usedFields: Set<String> {
        Set((filter?.properties.map(ODataFilter.field) ?? []) + (order?.keys.map(\.field) ?? []))
    }

    /// Filters, sorts (ties keep the rows' order) and pages `rows`. The seed
    /// puts `__count` first for items and last for content types.
    func apply(_ rows: [JSONObject], countFirst: Bool = true) -> JSONValue {
        apply(rows, view: { $0 }, render: { $0 }, countFirst: countFirst)
    }

    /// The same for rows of any kind: filtered and sorted on `view(row)`
    /// (which needs only the properties the query uses), and only the rows
    /// of the page rendered in full.
    func apply<Row>(
        _ rows: [Row], view: (Row) -> JSONObject, render: (Row) -> JSONObject, countFirst: Bool = true
    ) -> JSONValue {
        if isPlain {
            return page(rows.dropFirst(skip).prefix(top ?? Int.max).map(render), total: rows.count, countFirst: countFirst)
        }
        var matching: [(row: Row, view: JSONObject)] = []
        for row in rows {
            let shown = view(row)
            if filter?.matches(shown) ?? true { matching.append((row, shown)) }
        }
        if let order {
            matching = matching.enumerated().sorted { a, b in
                if order.precedes(a.element.view, b.element.view) { return true }
                if order.precedes(b.element.view, a.element.view) { return false }
                return a.offset < b.offset
            }.map(\.element)
        }
        let page: [JSONObject] = matching.dropFirst(skip).prefix(top ?? Int.max).map { render($0.row) }
        return self.page(page, total: matching.count, countFirst: countFirst)
    }

    /// One page already cut (`skip` and `top` applied) of `total` matching rows.
    func page(_ rows: [JSONObject], total: Int, countFirst: Bool = true) -> JSONValue {
        var result = JSONObject()
        if inlineCount, countFirst { result["__count"] = .integer(Int64(total)) }
        result["results"] = .array(rows.map { .object($0) })
        if inlineCount, !countFirst { result["__count"] = .integer(Int64(total)) }
        return .object(result)
    }
}
