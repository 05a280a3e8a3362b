import CLuaShim
import Foundation
import LunetBridge
import LunetJSON

/// `lunet.http`: a connection to any HTTP/JSON service, with the same
/// engine as the API bindings (retries, redaction, tracing, statistics).
///
///     local http = require "lunet.http"
///     local api = http.connect{ url = "https://host/api", token = "…", headers = { ["X-Team"] = "ops" } }
///     local r = api:request{ method = "POST", path = "/items", body = { name = "x" } }   -- r.status, r.headers, r.body
enum HTTPModule {
    static func open(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        lua_createtable(L, 0, 2)
        lua_pushstring(L, "connect")
        call.pushFunction("http.connect", connect)
        lua_rawset(L, -3)
        return 1
    }

    static func connect(_ call: LuaCall) throws -> Int32 {
        let o = try call.options(1, allowed: ["url", "token", "api_key_header", "api_key", "headers"])
        guard o.isPresent, let url = try o.string("url") else { throw call.error("option 'url' is required") }
        guard let base = URL(string: url), base.scheme == "http" || base.scheme == "https" else {
            throw call.error("option 'url' must be an http or https URL, got '\(url)'")
        }
        guard let bindings = call.state.bindings else { throw call.error("connections need a lunet runtime") }
        var auth: (any AuthProvider)? = nil
        if let token = try o.string("token") {
            auth = HeaderCredential.bearer(token, redactor: bindings.engine.redactor)
        } else if let header = try o.string("api_key_header") {
            guard let key = try o.string("api_key") else { throw call.error("option 'api_key_header' needs 'api_key'") }
            auth = HeaderCredential(name: header, value: key, redactor: bindings.engine.redactor)
        }
        var headers = HeaderFields()
        let L = call.L
        if o.push("headers") == LUA_TTABLE {
            lua_pushnil(L)
            while lua_next(L, -2) != 0 {
                guard lua_type(L, -2) == LUA_TSTRING, lua_type(L, -1) == LUA_TSTRING else {
                    throw call.error("option 'headers' must map strings to strings")
                }
                headers[String(cString: lua_tolstring(L, -2, nil))] = String(cString: lua_tolstring(L, -1, nil))
                lunet_pop(L, 1)
            }
        }
        lunet_pop(L, 1)
        let client = APIClient(api: .http, baseURL: base, engine: bindings.engine, auth: auth, headers: headers)
        call.push(APIConnection(service: "http", client: client, routes: RouteTable([:]), profile: nil), as: APIConnection.luaClass)
        return 1
    }
}

/// `lunet`: facts about the run.
///
///     local lunet = require "lunet"
///     lunet.version            -- "0.1.0"
///     lunet.stats()            -- { requests=, retries=, failures=, bytes_sent=, bytes_received=, http_seconds=,
///                              --   items_read=, items_written= }
///     lunet.sandbox            -- the sandbox's base URL with --sandbox, else nil
enum LunetModule {
    public static let version = "0.1.0"

    static func open(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        lua_createtable(L, 0, 3)
        lua_pushstring(L, "version")
        lua_pushstring(L, version)
        lua_rawset(L, -3)
        lua_pushstring(L, "stats")
        call.pushFunction("lunet.stats", stats)
        lua_rawset(L, -3)
        lua_pushstring(L, "_count_items")
        call.pushFunction("lunet._count_items", countItems)
        lua_rawset(L, -3)
        if let sandbox = call.state.bindings?.sandboxURL {
            lua_pushstring(L, "sandbox")
            lua_pushstring(L, sandbox)
            lua_rawset(L, -3)
        }
        return 1
    }

    static func stats(_ call: LuaCall) throws -> Int32 {
        guard let bindings = call.state.bindings else { throw call.error("needs a lunet runtime") }
        let s = bindings.stats.snapshot
        let seconds = Double(s.httpTime.components.seconds) + Double(s.httpTime.components.attoseconds) / 1e18
        try call.push(.object([
            "requests": .integer(Int64(s.requests)), "retries": .integer(Int64(s.retries)),
            "failures": .integer(Int64(s.failures)), "bytes_sent": .integer(s.bytesSent),
            "bytes_received": .integer(s.bytesReceived), "http_seconds": .number(seconds),
            "items_read": .integer(Int64(s.itemsRead)), "items_written": .integer(Int64(s.itemsWritten)),
        ]))
        return 1
    }

    /// `lunet._count_items(read, written)`: lunet.paging's counts for the run summary.
    static func countItems(_ call: LuaCall) throws -> Int32 {
        guard let bindings = call.state.bindings else { throw call.error("needs a lunet runtime") }
        bindings.stats.countItems(read: Int(try call.optionalInteger(1) ?? 0), written: Int(try call.optionalInteger(2) ?? 0))
        return 0
    }
}
