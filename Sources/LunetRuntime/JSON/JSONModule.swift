import CLuaShim
import LunetBridge

/// `lunet.json`: a JSON codec written in Swift that reads and writes Lua
/// values directly (see docs/json.md).
///
///     local json = require "lunet.json"
///     json.decode(text)            --> value (arrays carry json.array's marker)
///     json.encode(value, { pretty = true, sort_keys = true, indent = "\t" })
///     json.null                    --> light userdata NULL (== cjson.null)
///     json.array(t), json.object(t) --> t, marked for the encoder
enum JSONModule {
    static func open(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        JSONCodec.ensureMarkers(L)
        lua_createtable(L, 0, 5)
        func field(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
            lua_pushstring(L, name)
            call.pushFunction("json.\(name)", body)
            lua_rawset(L, -3)
        }
        field("decode", JSONCodec.decode)
        field("encode", JSONCodec.encode)
        field("array") { try JSONCodec.mark($0, JSONCodec.arrayMarkerKey) }
        field("object") { try JSONCodec.mark($0, JSONCodec.objectMarkerKey) }
        lua_pushstring(L, "null")
        lua_pushlightuserdata(L, nil)
        lua_rawset(L, -3)
        return 1
    }
}

/// A codec failure: the problem and where (byte offset or path), without
/// the name of the function that failed; callers add theirs.
struct JSONCodecError: Error {
    var message: String
}

/// The codec's shared pieces: limits and the two marker metatables.
enum JSONCodec {
    /// Deepest nesting of arrays and objects, both ways.
    static let maxDepth = 1000

    /// Unique addresses: registry keys (lua_rawsetp) of the shared marker
    /// metatables `{ __jsontype = "array" }` and `{ __jsontype = "object" }`.
    nonisolated(unsafe) static let arrayMarkerKey = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
    nonisolated(unsafe) static let objectMarkerKey = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

    /// Create the two marker metatables in this state's registry if missing.
    static func ensureMarkers(_ L: OpaquePointer) {
        for (key, type) in [(arrayMarkerKey, "array"), (objectMarkerKey, "object")] {
            let present = lua_rawgetp(L, lunet_registryindex(), key) == LUA_TTABLE
            lunet_pop(L, 1)
            if !present {
                lua_createtable(L, 0, 1)
                lua_pushstring(L, "__jsontype")
                lua_pushstring(L, type)
                lua_rawset(L, -3)
                lua_rawsetp(L, lunet_registryindex(), key)
            }
        }
    }

    /// Push the marker metatable registered under `key`.
    @inline(__always)
    static func pushMarker(_ L: OpaquePointer, _ key: UnsafeRawPointer) {
        if lua_rawgetp(L, lunet_registryindex(), key) != LUA_TTABLE {
            lunet_pop(L, 1)
            ensureMarkers(L)
            lua_rawgetp(L, lunet_registryindex(), key)
        }
    }

    /// The address of the marker metatable under `key` (for comparisons).
    static func markerPointer(_ L: OpaquePointer, _ key: UnsafeRawPointer) -> UnsafeRawPointer? {
        pushMarker(L, key)
        defer { lunet_pop(L, 1) }
        return lua_topointer(L, -1)
    }

    /// json.array(t) / json.object(t): give t (or a new table) the marker.
    static func mark(_ call: LuaCall, _ key: UnsafeRawPointer) throws -> Int32 {
        let L = call.L
        if lua_checkstack(L, 4) == 0 { throw call.error("stack overflow") }
        if call.isNoneOrNil(1) {
            lua_createtable(L, 0, 0)
        } else {
            guard call.type(1) == LUA_TTABLE else { throw call.typeError(1, expected: "table or nil") }
            let t = call.index(1)
            if lua_getmetatable(L, t) != 0 {
                let current = lua_topointer(L, -1)
                lunet_pop(L, 1)
                if current != markerPointer(L, arrayMarkerKey) && current != markerPointer(L, objectMarkerKey) {
                    let kind = key == arrayMarkerKey ? "array" : "object"
                    throw call.argumentError(
                        1, "table already has a metatable; set __jsontype = \"\(kind)\" in it instead")
                }
            }
            lua_pushvalue(L, t)
        }
        pushMarker(L, key)
        lua_setmetatable(L, -2)
        return 1
    }
}
