/// JSON as Swift values, for the parts of Lunet that handle JSON outside Lua:
/// the HTTP engine (error bodies, token responses, paging metadata), auth,
/// and the sandbox's API emulators. Lua code uses `lunet.json` instead, which
/// decodes straight onto the Lua stack.
///
/// Numbers keep their kind (integers stay exact up to 64 bits), objects keep
/// their key order (so what a server or emulator writes is stable).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var object: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { self == .null }

    /// The integer value, also for a float with an exact integer value.
    public var integer: Int64? {
        switch self {
        case .integer(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}

/// A JSON object that keeps its keys in insertion order. Most objects are
/// small (an item, a pointer, one entry of an answer): they are a list
/// searched by comparing keys, which costs less than hashing them (short
/// keys compare as two machine words). Beyond `indexedCount` keys, a
/// dictionary from key to position finds them.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    private var entries: [(key: String, value: JSONValue)] = []
    /// Each key's index in `entries`; only for objects of more than `indexedCount` keys.
    private var positions: [String: Int]?
    static let indexedCount = 16

    public init() {}
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
    public init(_ pairs: [(String, JSONValue)]) {
        entries.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return entries.firstIndex { $0.key == key }
    }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let index = position(of: key) {
                if let newValue {
                    entries[index].value = newValue
                } else {
                    entries.remove(at: index)
                    if positions != nil { reindex() }
                }
            } else if let newValue {
                entries.append((key, newValue))
                if positions != nil {
                    positions![key] = entries.count - 1
                } else if entries.count > Self.indexedCount {
                    reindex()
                }
            }
        }
    }

    /// Builds `positions` again (after a removal shifted the entries), or
    /// drops it when the object is small again.
    private mutating func reindex() {
        guard entries.count > Self.indexedCount else {
            positions = nil
            return
        }
        var built: [String: Int] = [:]
        built.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() { built[entry.key] = i }
        positions = built
    }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: JSONValue)> {
        entries.lazy.map { (key: $0.key, value: $0.value) }.makeIterator()
    }

    /// Key order does not make objects different.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.count == b.count && a.entries.allSatisfy { b[$0.key] == $0.value }
    }

    /// Independent of key order, as `==` is.
    public func hash(into h: inout Hasher) {
        var combined = 0
        for entry in entries {
            var element = Hasher()
            element.combine(entry.key)
            element.combine(entry.value)
            combined ^= element.finalize()
        }
        h.combine(entries.count)
        h.combine(combined)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral v: String) { self = .string(v) }
    public init(integerLiteral v: Int64) { self = .integer(v) }
    public init(floatLiteral v: Double) { self = .double(v) }
    public init(booleanLiteral v: Bool) { self = .bool(v) }
    public init(arrayLiteral v: JSONValue...) { self = .array(v) }
    public init(dictionaryLiteral v: (String, JSONValue)...) { self = .object(JSONObject(v)) }
    public init(nilLiteral: ()) { self = .null }
}
