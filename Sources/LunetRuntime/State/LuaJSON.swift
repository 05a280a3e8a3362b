import CLuaShim
import LunetBridge
import LunetJSON

/// The one step between Lua values and JSON text used by `lunet.state` and
/// `lunet.log`. Interim: a raw-access walk over `JSONValue` until the
/// `lunet.json` codec's Swift entry points (`JSONCodec.encodeValue`,
/// `JSONCodec.pushDecoded`) are on main; then both bodies become one call.
///
/// Rules (those of `lunet.json`): nil at the top and `json.null` (the NULL
/// light userdata) are null; a table whose metatable has
/// `__jsontype = "array"` or `"object"` is that; otherwise a non-empty
/// sequence is an array and anything else an object (integer keys written as
/// strings); functions, userdata, threads, NaN, infinities, strings that are
/// not UTF-8 and cycles are errors naming the path (`$.items[2].cb`).
enum LuaJSON {
    static func encode(_ L: OpaquePointer, at index: Int32) throws(LuaJSONError) -> [UInt8] {
        var open: [UnsafeRawPointer] = []
        return try value(L, lua_absindex(L, index), "$", &open).serialized()
    }

    /// The value at `index` as a `JSONValue` (for callers that work on the
    /// structure, like the log's redaction).
    static func jsonValue(_ L: OpaquePointer, at index: Int32) throws(LuaJSONError) -> JSONValue {
        var open: [UnsafeRawPointer] = []
        return try value(L, lua_absindex(L, index), "$", &open)
    }

    /// Decode `bytes` and push the value.
    static func pushDecoded(_ L: OpaquePointer, _ bytes: UnsafeRawBufferPointer) throws(LuaJSONError) {
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(bytes) } catch { throw LuaJSONError("stored value is not JSON: \(error)") }
        try push(L, parsed)
    }

    static let maxDepth = 200

    private static func value(
        _ L: OpaquePointer, _ idx: Int32, _ path: String, _ open: inout [UnsafeRawPointer]
    ) throws(LuaJSONError) -> JSONValue {
        switch lua_type(L, idx) {
        case LUA_TNIL, LUA_TNONE: return .null
        case LUA_TBOOLEAN: return .bool(lua_toboolean(L, idx) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, idx) != 0 { return .integer(lua_tointegerx(L, idx, nil)) }
            let d = lua_tonumberx(L, idx, nil)
            guard d.isFinite else { throw LuaJSONError("cannot encode \(d.isNaN ? "NaN" : "an infinite number") at \(path)") }
            return .double(d)
        case LUA_TSTRING:
            guard let s = string(L, idx) else { throw LuaJSONError("cannot encode a string that is not UTF-8 at \(path)") }
            return .string(s)
        case LUA_TLIGHTUSERDATA where lua_touserdata(L, idx) == nil:
            return .null
        case LUA_TTABLE:
            let identity = lua_topointer(L, idx)!
            if open.contains(identity) { throw LuaJSONError("table cycle at \(path)") }
            if open.count >= maxDepth || lua_checkstack(L, 6) == 0 {
                throw LuaJSONError("tables nested too deeply at \(path)")
            }
            open.append(identity)
            defer { open.removeLast() }
            return try table(L, idx, path, &open)
        default:
            throw LuaJSONError("cannot encode a \(LuaCall.typeName(L, idx)) at \(path)")
        }
    }

    private static func table(
        _ L: OpaquePointer, _ idx: Int32, _ path: String, _ open: inout [UnsafeRawPointer]
    ) throws(LuaJSONError) -> JSONValue {
        let marked = jsonType(L, idx)
        let length = lua_rawlen(L, idx)
        var count = 0
        lua_pushnil(L)
        while lua_next(L, idx) != 0 {
            count += 1
            lunet_pop(L, 1)
        }
        let isArray = marked == "array" || (marked != "object" && length > 0 && count == Int(length))
        if isArray {
            var items: [JSONValue] = []
            items.reserveCapacity(Int(length))
            for i in 0..<Int(length) {
                lua_rawgeti(L, idx, lua_Integer(i + 1))
                defer { lunet_pop(L, 1) }
                items.append(try value(L, lua_gettop(L), "\(path)[\(i + 1)]", &open))
            }
            return .array(items)
        }
        var fields: [(String, JSONValue)] = []
        lua_pushnil(L)
        while lua_next(L, idx) != 0 {
            let top = lua_gettop(L)
            let key: String
            switch lua_type(L, top - 1) {
            case LUA_TSTRING:
                guard let s = string(L, top - 1) else {
                    lunet_pop(L, 2)
                    throw LuaJSONError("cannot encode a key that is not UTF-8 at \(path)")
                }
                key = s
            case LUA_TNUMBER where lua_isinteger(L, top - 1) != 0:
                key = String(lua_tointegerx(L, top - 1, nil))
            default:
                let type = LuaCall.typeName(L, top - 1)
                lunet_pop(L, 2)
                throw LuaJSONError("cannot encode a table key of type \(type) at \(path)")
            }
            do {
                fields.append((key, try value(L, top, member(path, key), &open)))
            } catch {
                lunet_pop(L, 2)
                throw error
            }
            lunet_pop(L, 1)
        }
        // Sorted, so equal tables always store the same text.
        fields.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return .object(JSONObject(fields))
    }

    /// `__jsontype` from the metatable, read raw.
    private static func jsonType(_ L: OpaquePointer, _ idx: Int32) -> String? {
        guard lua_getmetatable(L, idx) != 0 else { return nil }
        lua_pushstring(L, "__jsontype")
        let type = lua_rawget(L, -2) == LUA_TSTRING ? string(L, -1) : nil
        lunet_pop(L, 2)
        return type
    }

    private static func member(_ path: String, _ key: String) -> String {
        let identifier = key.first.map { $0.isLetter || $0 == "_" } == true
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        if identifier { return path + "." + key }
        return path + "[" + JSONValue.string(key).serializedString() + "]"
    }

    private static func string(_ L: OpaquePointer, _ idx: Int32) -> String? {
        var length = 0
        guard let p = lua_tolstring(L, idx, &length) else { return nil }
        return String(validating: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
    }

    private static func push(_ L: OpaquePointer, _ value: JSONValue) throws(LuaJSONError) {
        if lua_checkstack(L, 3) == 0 { throw LuaJSONError("value nested too deeply") }
        switch value {
        case .null: lua_pushlightuserdata(L, nil)
        case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, i)
        case .double(let d): lua_pushnumber(L, d)
        case .string(let s): pushString(L, s)
        case .array(let items):
            lua_createtable(L, Int32(clamping: items.count), 0)
            for (i, item) in items.enumerated() {
                try push(L, item)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        case .object(let object):
            lua_createtable(L, 0, Int32(clamping: object.count))
            for (key, item) in object {
                pushString(L, key)
                try push(L, item)
                lua_rawset(L, -3)
            }
        }
    }
}

private func pushString(_ L: OpaquePointer, _ s: String) {
    var s = s
    s.withUTF8 { buf in
        buf.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
    }
}

struct LuaJSONError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
