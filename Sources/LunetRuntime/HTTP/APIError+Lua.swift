import CLuaShim
import LunetBridge
import LunetJSON

/// In Lua an `APIError` is a plain table with the fields of lua-api.md
/// (`api`, `method`, `url`, `status`, `code`, `message`, `body`, `retryable`,
/// `attempts`, plus `request_id`), whose metatable has `__name =
/// "lunet.Error"` and a `__tostring` giving the one-line form. A table, not
/// userdata, so scripts can read, copy and serialise it like any result.
extension APIError: LuaRaisable {
    public func raise(in call: LuaCall) -> Int32 {
        push(call.L)
        return LUNET_RAISE
    }

    /// A binding's Lua half making its own `lunet.Error` (a job that timed
    /// out, an answer of the wrong shape): `core.error{ message =, method =,
    /// url =, status =, code =, retryable = }` pushes one for `api`. Not
    /// retryable unless it says so.
    public static func construct(_ call: LuaCall, api: APIName) throws -> Int32 {
        let o = try call.options(1, allowed: ["method", "url", "message", "status", "code", "retryable"])
        guard let message = try o.string("message") else { throw call.error("option 'message' is required") }
        let error = APIError(
            api: api, method: try o.string("method") ?? "GET", url: try o.string("url") ?? "",
            status: try o.integer("status").map { Int($0) }, code: try o.string("code"), message: message,
            retryable: try o.bool("retryable") ?? false)
        error.push(call.L)
        return 1
    }

    /// Push the error table. Uses only raw, non-raising API calls.
    public func push(_ L: OpaquePointer) {
        lua_createtable(L, 0, 11)
        let t = lua_gettop(L)
        func set(_ key: String, _ push: () -> Void) {
            pushText(L, key)
            push()
            lua_rawset(L, t)
        }
        set("api") { pushText(L, api.rawValue) }
        set("method") { pushText(L, method) }
        set("url") { pushText(L, url) }
        if let status { set("status") { lua_pushinteger(L, lua_Integer(status)) } }
        if let code { set("code") { pushText(L, code) } }
        set("message") { pushText(L, message) }
        if let body { set("body") { pushJSON(L, body, depth: 0) } }
        set("retryable") { lua_pushboolean(L, retryable ? 1 : 0) }
        set("attempts") { lua_pushinteger(L, lua_Integer(attempts)) }
        if let requestID { set("request_id") { pushText(L, requestID) } }
        Self.pushMetatable(L)
        lua_setmetatable(L, t)
    }

    /// The shared metatable: made once per state, kept in the registry under
    /// the address of `metatableKey`.
    static func pushMetatable(_ L: OpaquePointer) {
        if lua_rawgetp(L, lunet_registryindex(), metatableKey) == LUA_TTABLE { return }
        lunet_pop(L, 1)
        lua_createtable(L, 0, 2)
        pushText(L, "__name")
        pushText(L, "lunet.Error")
        lua_rawset(L, -3)
        pushText(L, "__tostring")
        let tostring = HostFunction(name: "lunet.Error.__tostring", isMethod: false) { call in
            call.pushString(APIError.line(fromTable: call.L, 1))
            return 1
        }
        lunet_pushhostfunction(L, Unmanaged.passRetained(tostring).toOpaque())
        lua_rawset(L, -3)
        lua_pushvalue(L, -1)
        lua_rawsetp(L, lunet_registryindex(), metatableKey)
    }

    /// The one line, read (raw) from the table a script may have changed.
    static func line(fromTable L: OpaquePointer, _ idx: Int32) -> String {
        guard lua_type(L, idx) == LUA_TTABLE else { return "lunet.Error" }
        func field(_ key: String) -> (type: Int32, text: String?, integer: Int?) {
            pushText(L, key)
            let type = lua_rawget(L, idx)
            defer { lunet_pop(L, 1) }
            var length = 0
            let text = type == LUA_TSTRING
                ? lua_tolstring(L, -1, &length).map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self)
                } : nil
            let integer = type == LUA_TNUMBER ? Int(exactly: lua_tonumberx(L, -1, nil)) : nil
            return (type, text, integer)
        }
        return line(
            api: field("api").text ?? "?", method: field("method").text ?? "?", url: field("url").text ?? "",
            status: field("status").integer, message: field("message").text ?? "", attempts: field("attempts").integer ?? 1)
    }
}

nonisolated(unsafe) private let metatableKey = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

private func pushText(_ L: OpaquePointer, _ text: String) {
    var text = text
    text.withUTF8 { buf in
        buf.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
    }
}

/// JSON as Lua values: objects and arrays as tables, null as the light
/// userdata NULL (what lua-cjson's `cjson.null` is), integers as integers.
private func pushJSON(_ L: OpaquePointer, _ value: JSONValue, depth: Int) {
    guard depth < 200, lua_checkstack(L, 3) != 0 else { lua_pushnil(L); return }
    switch value {
    case .null: lua_pushlightuserdata(L, nil)
    case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
    case .integer(let i): lua_pushinteger(L, i)
    case .double(let d): lua_pushnumber(L, d)
    case .string(let s): pushText(L, s)
    case .array(let items):
        lua_createtable(L, Int32(clamping: items.count), 0)
        for (i, item) in items.enumerated() {
            pushJSON(L, item, depth: depth + 1)
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
    case .object(let object):
        lua_createtable(L, 0, Int32(clamping: object.count))
        for (key, member) in object {
            pushText(L, key)
            pushJSON(L, member, depth: depth + 1)
            lua_rawset(L, -3)
        }
    }
}
