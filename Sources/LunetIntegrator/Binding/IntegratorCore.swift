import CLuaShim
import Foundation
import LunetBridge
import LunetRuntime

/// The Swift half handed to stdlib/lunet/integrator.lua as its chunk
/// argument: `connect` and the helpers the Lua half cannot do well itself.
///
///     core.connect(options)                → lunet.Connection
///     core.route(conn, name, params)       → method, path   (the route table, with profile overrides)
///     core.link(value, rel, base)          → target or nil  (RFC 8288 Link header)
///     core.member(json_text, key)          → the member's exact text or nil
///     core.error{ method=, url=, message=, retryable= } → a lunet.Error value (not raised; APIError.construct)
enum IntegratorCore {
    static func push(_ call: LuaCall) {
        let L = call.L
        lua_createtable(L, 0, 6)
        func set(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
            lua_pushstring(L, name)
            call.pushFunction("integrator.\(name)", body)
            lua_rawset(L, -3)
        }
        set("connect") { try APIBinding.connect(IntegratorBinding.self, $0) }
        set("route", route)
        set("link", link)
        set("member", member)
        set("error") { try APIError.construct($0, api: .integrator) }
    }

    static func route(_ call: LuaCall) throws -> Int32 {
        let conn = try call.object(1, APIConnection.luaClass)
        let name = try call.string(2)
        guard let route = conn.routes[name] else { throw call.error("unknown route '\(name)'") }
        var params: [String: String] = [:]
        if !call.isNoneOrNil(3) {
            try call.table(3)
            let L = call.L
            let t = call.index(3)
            lua_pushnil(L)
            while lua_next(L, t) != 0 {
                if lua_type(L, -2) == LUA_TSTRING, lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER {
                    var length = 0
                    let key = String(cString: lua_tolstring(L, -2, nil))
                    lua_pushvalue(L, -1)  // tolstring on a copy: never convert the key lua_next reads
                    let p = lua_tolstring(L, -1, &length)
                    params[key] = String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
                    lunet_pop(L, 1)
                }
                lunet_pop(L, 1)
            }
        }
        do {
            let path = try route.expand(params)
            call.pushString(route.method.rawValue)
            call.pushString(path)
            return 2
        } catch {
            throw call.error(error.description)
        }
    }

    static func link(_ call: LuaCall) throws -> Int32 {
        let value = try call.optionalString(1)
        let rel = try call.string(2)
        let base = try call.optionalString(3).flatMap { URL(string: $0) }
        if let target = LinkHeader.target(rel, in: value, base: base) { call.pushString(target) } else { call.pushNil() }
        return 1
    }

    static func member(_ call: LuaCall) throws -> Int32 {
        let text = try call.bytes(1)
        let key = try call.string(2)
        guard let found = RawJSONMember.find(key, in: text) else {
            call.pushNil()
            return 1
        }
        call.pushBytes(UnsafeRawBufferPointer(rebasing: found))
        return 1
    }
}
