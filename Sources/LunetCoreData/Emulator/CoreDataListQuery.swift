import LunetJSON

/// `?limit=&offset=&…filters` of a list request, checked as Tastypie checks
/// them, and the page it selects with its `meta`.
struct CoreDataListQuery: Sendable {
    static let defaultLimit = 20
    /// Tastypie's default `max_limit`; `limit=0` also means this.
    static let maxLimit = 1000

    var limit = defaultLimit
    var offset = 0
    var filters: [Filter] = []
    /// The request's parameters in order, repeated in `meta.next`/`previous`.
    var parameters: [(name: String, value: String)]

    struct Filter: Sendable {
        enum Test: Sendable {
            case equals(String)
            case startsWith(String)
            case contains(String)
            case time(lowest: Double?, lowestIncluded: Bool, highest: Double?, highestIncluded: Bool)
        }
        var field: String
        var test: Test

        func matches(_ entry: CoreDataIndexEntry) -> Bool {
            switch test {
            case .equals(let value): return entry.string(field) == value
            case .startsWith(let prefix): return entry.string(field)?.hasPrefix(prefix) ?? false
            case .contains(let id): return field == "associated_contacts" && entry.contacts.contains(id)
            case .time(let lowest, let lowestIncluded, let highest, let highestIncluded):
                guard let time = entry.time(field) else { return false }
                if let lowest, lowestIncluded ? time < lowest : time <= lowest { return false }
                if let highest, highestIncluded ? time > highest : time >= highest { return false }
                return true
            }
        }
    }

    /// Names the filter set, so the index can remember what it matched.
    var filterKey: String { filters.map { "\($0.field) \($0.test)" }.joined(separator: "\n") }

    init(_ parameters: [(name: String, value: String)], resource: CoreDataResource) throws(CoreDataError) {
        self.parameters = parameters
        for (name, value) in parameters {
            switch name {
            case "limit":
                guard let number = Int(value), number >= 0 else {
                    throw .badRequest("Invalid limit '\(value)' provided. Please provide a positive integer.")
                }
                limit = number == 0 ? Self.maxLimit : min(number, Self.maxLimit)
            case "offset":
                guard let number = Int(value), number >= 0 else {
                    throw .badRequest("Invalid offset '\(value)' provided. Please provide a positive integer >= 0.")
                }
                offset = number
            default:
                if let filter = try Self.filter(name, value, resource) { filters.append(filter) }
            }
        }
    }

    private static func filter(_ name: String, _ value: String, _ resource: CoreDataResource) throws(CoreDataError)
        -> Filter?
    {
        let parts = name.components(separatedBy: "__")
        let field = parts[0]
        let lookup = parts.count > 1 ? parts[1...].joined(separator: "__") : "exact"
        guard let lookups = resource.filters[field] else {
            if resource.fields.contains(field) { throw .badRequest("The '\(field)' field does not allow filtering.") }
            return nil  // Tastypie ignores names that are not fields (format, cache busters…)
        }
        guard lookups.contains(lookup) else {
            throw .badRequest("'\(lookup)' is not an allowed filter on the '\(field)' field.")
        }
        switch (field, lookup) {
        case ("associated_contacts_id", _): return Filter(field: "associated_contacts", test: .contains(value))
        case (_, "startswith"): return Filter(field: field, test: .startsWith(value))
        case ("created", _), ("modified", _): return Filter(field: field, test: try timeTest(name, lookup, value))
        default: return Filter(field: field, test: .equals(value))
        }
    }

    private static func timeTest(_ name: String, _ lookup: String, _ value: String) throws(CoreDataError)
        -> Filter.Test
    {
        func time(_ text: String) throws(CoreDataError) -> Double {
            guard let time = CoreDataTime.parse(text) else {
                throw .badRequest(
                    "Invalid date '\(text)' for '\(name)': use ISO 8601, e.g. 2019-09-02T15:38:32Z.")
            }
            return time
        }
        switch lookup {
        case "gt": return .time(lowest: try time(value), lowestIncluded: false, highest: nil, highestIncluded: false)
        case "gte": return .time(lowest: try time(value), lowestIncluded: true, highest: nil, highestIncluded: false)
        case "lt": return .time(lowest: nil, lowestIncluded: false, highest: try time(value), highestIncluded: false)
        case "lte": return .time(lowest: nil, lowestIncluded: false, highest: try time(value), highestIncluded: true)
        case "range":
            // Django's __range is BETWEEN: both ends included.
            let ends = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard ends.count == 2 else {
                throw .badRequest("Invalid range '\(value)' for '\(name)': give two dates separated by a comma.")
            }
            return .time(
                lowest: try time(ends[0]), lowestIncluded: true, highest: try time(ends[1]), highestIncluded: true)
        default:
            let at = try time(value)
            return .time(lowest: at, lowestIncluded: true, highest: at, highestIncluded: true)
        }
    }

    /// The requested page as `{meta, objects}` text: `objects` are the
    /// page's objects as sent (serialized `CoreDataObject.visible`), in list
    /// order, `total` how many match the filters; `path` is the list's own
    /// path, so `next`/`previous` are paths a client can follow from the
    /// host root.
    func page(_ objects: [[UInt8]], total: Int, path: String) -> [UInt8] {
        let next: JSONValue = offset + limit < total ? .string(link(path, offset: offset + limit)) : .null
        let previous: JSONValue = offset > 0 ? .string(link(path, offset: max(0, offset - limit))) : .null
        let meta: JSONValue = [
            "limit": .integer(Int64(limit)), "next": next, "offset": .integer(Int64(offset)),
            "previous": previous, "total_count": .integer(Int64(total)),
        ]
        var out = Array(#"{"meta":"#.utf8)
        out.reserveCapacity(objects.reduce(512) { $0 + $1.count + 1 })
        out += meta.serialized()
        out += Array(#","objects":["#.utf8)
        for (n, object) in objects.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += object
        }
        out += Array("]}".utf8)
        return out
    }

    /// Tastypie keeps the request's parameters in order, replacing limit and
    /// offset where they were and appending them when they were not.
    private func link(_ path: String, offset: Int) -> String {
        var pairs = parameters
        for (name, value) in [("limit", String(limit)), ("offset", String(offset))] {
            if let at = pairs.firstIndex(where: { $0.name == name }) {
                pairs[at].value = value
                pairs.removeAll { $0.name == name && $0.value != value }
            } else {
                pairs.append((name, value))
            }
        }
        return path + "?" + CoreDataHTTP.encode(pairs)
    }
}
