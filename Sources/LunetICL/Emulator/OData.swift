import Foundation
import LunetJSON

/// The OData v3 query options the iCL Portal emulator understands:
/// `$filter` (comparisons, and/or/not, parentheses, string functions,
/// literals) and `$orderby`. Property names are capitalised in OData
/// ("Title") and name the item's lower-camel fields ("title").
public struct ODataError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

indirect enum ODataExpression: Equatable, Sendable {
    case literal(JSONValue)
    case property(String)  // the OData name, e.g. "Title"
    case call(String, [ODataExpression])
    case compare(String, ODataExpression, ODataExpression)  // eq ne gt ge lt le
    case and(ODataExpression, ODataExpression)
    case or(ODataExpression, ODataExpression)
    case not(ODataExpression)
}

public struct ODataFilter: Sendable {
    let root: ODataExpression
    /// The OData property names the filter uses ("Title").
    public let properties: Set<String>

    public init(_ text: String) throws(ODataError) {
        var parser = ODataParser(text)
        root = try parser.parseFilter()
        properties = root.propertyNames
    }

    public func matches(_ item: JSONObject) -> Bool {
        root.evaluate(item) == .bool(true)
    }

    /// The JSON field an OData property name refers to: "Title" → "title".
    public static func field(_ property: String) -> String {
        guard let first = property.first else { return property }
        return first.lowercased() + property.dropFirst()
    }
}

public struct ODataOrder: Sendable {
    public let keys: [(field: String, descending: Bool)]

    /// "Title desc, ExternalId" → [(title, true), (externalId, false)]
    public init(_ text: String) throws(ODataError) {
        var keys: [(String, Bool)] = []
        for part in text.split(separator: ",") {
            let words = part.split(separator: " ").map(String.init)
            guard let name = words.first, words.count <= 2, ODataParser.isIdentifier(name) else {
                throw ODataError(message: "invalid $orderby clause '\(part.trimmingCharacters(in: .whitespaces))'")
            }
            let direction = words.count == 2 ? words[1].lowercased() : "asc"
            guard direction == "asc" || direction == "desc" else {
                throw ODataError(message: "invalid $orderby direction '\(words[1])' (asc or desc)")
            }
            keys.append((ODataFilter.field(name), direction == "desc"))
        }
        self.keys = keys
    }

    public func precedes(_ a: JSONObject, _ b: JSONObject) -> Bool {
        for (field, descending) in keys {
            let order = ODataValue.compare(a[field] ?? .null, b[field] ?? .null)
            if order != 0 { return descending ? order > 0 : order < 0 }
        }
        return false
    }
}

// MARK: Evaluation

enum ODataValue {
    /// Total order for sorting and comparison: null < numbers < strings <
    /// booleans; strings compared case-sensitively, like SQL Server's default.
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        func rank(_ v: JSONValue) -> Int {
            switch v {
            case .null: 0
            case .integer, .double: 1
            case .string: 2
            case .bool: 3
            default: 4
            }
        }
        if let x = a.double, let y = b.double { return x < y ? -1 : (x > y ? 1 : 0) }
        if case .string(let x) = a, case .string(let y) = b { return x < y ? -1 : (x > y ? 1 : 0) }
        if case .bool(let x) = a, case .bool(let y) = b { return x == y ? 0 : (x ? 1 : -1) }
        return rank(a) - rank(b)
    }
}

extension ODataExpression {
    var propertyNames: Set<String> {
        switch self {
        case .literal: []
        case .property(let p): [p]
        case .call(_, let args): args.reduce(into: []) { $0.formUnion($1.propertyNames) }
        case .compare(_, let l, let r), .and(let l, let r), .or(let l, let r): l.propertyNames.union(r.propertyNames)
        case .not(let e): e.propertyNames
        }
    }

    func evaluate(_ item: JSONObject) -> JSONValue {
        switch self {
        case .literal(let v): return v
        case .property(let p): return item[ODataFilter.field(p)] ?? .null
        case .and(let l, let r): return .bool(l.evaluate(item) == .bool(true) && r.evaluate(item) == .bool(true))
        case .or(let l, let r): return .bool(l.evaluate(item) == .bool(true) || r.evaluate(item) == .bool(true))
        case .not(let e): return .bool(e.evaluate(item) != .bool(true))
        case .compare(let op, let l, let r):
            let a = l.evaluate(item), b = r.evaluate(item)
            if op == "eq" { return .bool(a.isNull || b.isNull ? a == b : ODataValue.compare(a, b) == 0) }
            if op == "ne" { return .bool(a.isNull || b.isNull ? a != b : ODataValue.compare(a, b) != 0) }
            if a.isNull || b.isNull { return .bool(false) }
            let c = ODataValue.compare(a, b)
            switch op {
            case "gt": return .bool(c > 0)
            case "ge": return .bool(c >= 0)
            case "lt": return .bool(c < 0)
            default: return .bool(c <= 0)
            }
        case .call(let name, let args):
            let v = args.map { $0.evaluate(item) }
            func text(_ i: Int) -> String? {
                switch v[i] {
                case .string(let s): s
                case .integer(let n): String(n)
                case .double(let d): String(d)
                default: nil
                }
            }
            switch name {
            case "substringof":
                guard let needle = text(0), let hay = text(1) else { return .bool(false) }
                return .bool(needle.isEmpty || hay.contains(needle))
            case "startswith":
                guard let s = text(0), let p = text(1) else { return .bool(false) }
                return .bool(s.hasPrefix(p))
            case "endswith":
                guard let s = text(0), let p = text(1) else { return .bool(false) }
                return .bool(s.hasSuffix(p))
            case "tolower": return text(0).map { .string($0.lowercased()) } ?? .null
            case "toupper": return text(0).map { .string($0.uppercased()) } ?? .null
            case "trim": return text(0).map { .string($0.trimmingCharacters(in: .whitespaces)) } ?? .null
            case "length": return text(0).map { .integer(Int64($0.count)) } ?? .null
            case "indexof":
                guard let s = text(0), let p = text(1) else { return .null }
                guard let r = s.range(of: p) else { return .integer(-1) }
                return .integer(Int64(s.distance(from: s.startIndex, to: r.lowerBound)))
            default: return .null
            }
        }
    }
}

