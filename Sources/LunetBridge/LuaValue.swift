import CLuaShim

/// A Lua string: bytes, which may hold zeros and need not be UTF-8.
public struct LuaString: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(stringLiteral value: String) { self.init(value) }
    /// The bytes as text (invalid UTF-8 replaced with U+FFFD).
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}

/// A Lua table as a Swift value: the sequence 1...n and the other keys.
public struct LuaTable: Sendable, Hashable {
    public var array: [LuaValue]
    public var fields: [LuaValue: LuaValue]
    public init(array: [LuaValue] = [], fields: [LuaValue: LuaValue] = [:]) {
        self.array = array
        self.fields = fields
    }
    public subscript(key: String) -> LuaValue? { fields[.string(LuaString(key))] }
}

/// Lua values that have a Swift equivalent. Lua 5.4 numbers are integers or
/// floats, and the distinction is kept both ways.
public enum LuaValue: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(LuaString)
    case table(LuaTable)

    public init(stringLiteral value: String) { self = .string(LuaString(value)) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }

    public static func object(_ fields: [String: LuaValue]) -> LuaValue {
        .table(LuaTable(fields: Dictionary(uniqueKeysWithValues: fields.map { (.string(LuaString($0.key)), $0.value) })))
    }

    /// Maximum table nesting converted in either direction.
    public static let maxDepth = 200

    // MARK: Lua → Swift

    /// Read the value at `idx`. Functions, userdata and threads have no Swift
    /// value and raise an error naming where they were found; so do cycles.
    public static func read(_ L: OpaquePointer, _ idx: Int32) throws(LuaConversionError) -> LuaValue {
        var path: [UnsafeRawPointer] = []
        return try read(L, lua_absindex(L, idx), &path, "value")
    }

    private static func read(
        _ L: OpaquePointer, _ idx: Int32, _ path: inout [UnsafeRawPointer], _ where_: String
    ) throws(LuaConversionError) -> LuaValue {
        switch lua_type(L, idx) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, idx) != 0)
        case LUA_TNUMBER:
            return lua_isinteger(L, idx) != 0 ? .integer(lua_tointegerx(L, idx, nil)) : .number(lua_tonumberx(L, idx, nil))
        case LUA_TSTRING:
            var length = 0
            let p = lua_tolstring(L, idx, &length)!
            return .string(LuaString(bytes: Array(UnsafeRawBufferPointer(start: p, count: length))))
        case LUA_TTABLE:
            let identity = lua_topointer(L, idx)!
            if path.contains(identity) { throw .cycle(where_) }
            if path.count >= maxDepth { throw .tooDeep(where_) }
            if lua_checkstack(L, 4) == 0 { throw .tooDeep(where_) }
            path.append(identity)
            defer { path.removeLast() }
            return .table(try readTable(L, idx, &path, where_))
        default:
            throw .unsupported(String(cString: lua_typename(L, lua_type(L, idx))), where_)
        }
    }

    private static func readTable(
        _ L: OpaquePointer, _ idx: Int32, _ path: inout [UnsafeRawPointer], _ where_: String
    ) throws(LuaConversionError) -> LuaTable {
        var table = LuaTable()
        // The sequence 1...n first (stops at the first hole) ...
        var n: lua_Integer = 0
        while lua_rawgeti(L, idx, n + 1) != LUA_TNIL {
            n += 1
            table.array.append(try read(L, lua_gettop(L), &path, "\(where_)[\(n)]"))
            lunet_pop(L, 1)
        }
        lunet_pop(L, 1)
        // ... then every other key.
        lua_pushnil(L)
        while lua_next(L, idx) != 0 {
            let top = lua_gettop(L)
            if lua_isinteger(L, top - 1) != 0 {
                let k = lua_tointegerx(L, top - 1, nil)
                if k >= 1 && k <= n { lunet_pop(L, 1); continue }
            }
            let key = try read(L, top - 1, &path, "\(where_) key")
            table.fields[key] = try read(L, top, &path, "\(where_).\(key.shortDescription)")
            lunet_pop(L, 1)
        }
        return table
    }

    // MARK: Swift → Lua

    /// Push the value. A table key that Lua cannot store (nil, NaN) is an
    /// error, reported before anything is stored under it.
    public func push(_ L: OpaquePointer) throws(LuaConversionError) {
        if lua_checkstack(L, 3) == 0 { throw .tooDeep("value") }
        switch self {
        case .nil: lua_pushnil(L)
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, i)
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s):
            s.bytes.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
            }
        case .table(let t):
            lua_createtable(L, Int32(clamping: t.array.count), Int32(clamping: t.fields.count))
            let table = lua_gettop(L)
            for (i, v) in t.array.enumerated() {
                try v.push(L)
                lua_rawseti(L, table, lua_Integer(i + 1))
            }
            for (k, v) in t.fields {
                if case .nil = k { lunet_pop(L, 1); throw .invalidKey("nil") }
                if case .number(let d) = k, d.isNaN { lunet_pop(L, 1); throw .invalidKey("NaN") }
                try k.push(L)
                try v.push(L)
                lua_rawset(L, table)
            }
        }
    }

    var shortDescription: String {
        switch self {
        case .string(let s): s.description
        case .integer(let i): String(i)
        case .number(let d): String(d)
        case .boolean(let b): String(b)
        case .nil: "nil"
        case .table: "table"
        }
    }
}

public enum LuaConversionError: Error, Equatable, CustomStringConvertible {
    case unsupported(String, String)
    case cycle(String)
    case tooDeep(String)
    case invalidKey(String)

    public var description: String {
        switch self {
        case .unsupported(let type, let w): "cannot convert a \(type) (at \(w))"
        case .cycle(let w): "table cycle at \(w)"
        case .tooDeep(let w): "tables nested too deeply at \(w)"
        case .invalidKey(let k): "\(k) cannot be a table key"
        }
    }
}

extension LuaConversionError: LuaRaisable {
    public func raise(in call: LuaCall) -> Int32 {
        LuaError.message("\(call.displayName): \(description)").raise(in: call)
    }
}
