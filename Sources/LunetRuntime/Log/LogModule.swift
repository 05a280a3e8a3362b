import CLuaShim
import LunetBridge
import LunetJSON

/// `lunet.log`: `debug/info/warn/error(msg, fields)` and `level([name])`.
/// A message that is not a string is converted as `tostring` would; fields
/// must be a table of JSON-able values (errors name the path).
enum LogModule {
    static func open(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        lua_createtable(L, 0, 5)
        func add(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
            lua_pushstring(L, name)
            call.pushFunction("lunet.log.\(name)", body)
            lua_rawset(L, -3)
        }
        for level in LogLevel.allCases {
            add(level.name) { call in try write(call, level) }
        }
        add("level", level)
        return 1
    }

    private static func write(_ call: LuaCall, _ level: LogLevel) throws -> Int32 {
        if call.type(1) == LUA_TNONE { throw call.argumentError(1, "message expected") }
        if !call.isNoneOrNil(2) && call.type(2) != LUA_TTABLE {
            throw call.typeError(2, expected: "table of fields")
        }
        let service = try self.service(call)
        guard service.isEnabled(level) else { return 0 }
        service.log(level, message(call), fields: try fields(call, 2))
        return 0
    }

    private static func level(_ call: LuaCall) throws -> Int32 {
        let service = try self.service(call)
        if let name = try call.optionalString(1) {
            guard let level = LogLevel(name: name) else {
                throw call.argumentError(1, "unknown level '\(name)'; known: \(LogLevel.knownNames)")
            }
            service.level = level
        }
        call.pushString(service.level.name)
        return 1
    }

    /// tostring(arg 1), run under protection (a failing __tostring gives a
    /// description instead of an error).
    private static func message(_ call: LuaCall) -> String {
        if call.type(1) == LUA_TSTRING, let text = try? call.string(1) { return text }
        var length = 0
        guard let p = lunet_safetostring(call.L, call.index(1), &length) else { return "?" }
        let text = String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
        lunet_pop(call.L, 1)
        return text
    }

    private static func fields(_ call: LuaCall, _ n: Int32) throws -> JSONObject {
        guard call.type(n) == LUA_TTABLE else { return [:] }
        let value: JSONValue
        do {
            value = try LuaJSON.jsonValue(call.L, at: call.index(n))
        } catch {
            throw call.error("fields: \(error)")
        }
        switch value {
        case .object(let object): return object
        case .array(let items) where items.isEmpty: return [:]
        default: throw call.argumentError(n, "table of fields expected, got an array")
        }
    }

    private static func service(_ call: LuaCall) throws(LuaError) -> LogService {
        guard let service = call.state.logService else { throw call.error("no log service in this runtime") }
        return service
    }
}
