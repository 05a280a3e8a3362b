import CLuaShim
import LunetBridge

/// `lunet.state`: durable key → JSON value storage for scripts.
///
///     state.get(key) → value | nil       state.set(key, value)   -- nil deletes
///     state.delete(key) → existed        state.keys([prefix]) → sorted array
///     state.use(location)                state.location() → string
///
/// Values are encoded on the Lua thread before the store is touched, so an
/// unencodable value fails before anything is written; the store call
/// itself goes through `LuaCall.await` like every other wait on I/O.
enum StateModule {
    static func open(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        lua_createtable(L, 0, 6)
        func add(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
            lua_pushstring(L, name)
            call.pushFunction("lunet.state.\(name)", body)
            lua_rawset(L, -3)
        }
        add("get", get)
        add("set", set)
        add("delete", delete)
        add("keys", keys)
        add("use", use)
        add("location", location)
        return 1
    }

    private static func get(_ call: LuaCall) throws -> Int32 {
        let key = try self.key(call, 1)
        let store = try self.store(call)
        return try call.await({ try await store.get(key) }) { call, entry in
            guard let entry else { call.pushNil(); return 1 }
            do {
                try Array(entry.json.utf8).withUnsafeBytes { bytes in try LuaJSON.pushDecoded(call.L, bytes) }
            } catch {
                throw call.error("value of '\(key)' in \(store.location): \(error)")
            }
            return 1
        }
    }

    private static func set(_ call: LuaCall) throws -> Int32 {
        let key = try self.key(call, 1)
        if call.type(2) == LUA_TNONE { throw call.argumentError(2, "value expected; use nil to delete") }
        let store = try self.store(call)
        if call.isNoneOrNil(2) {
            return try call.await({ try await store.delete(key) }) { _, _ in 0 }
        }
        let json: String
        do {
            json = String(decoding: try LuaJSON.encode(call.L, at: call.index(2)), as: UTF8.self)
        } catch {
            throw call.error("\(error)")
        }
        return try call.await({ try await store.set(key, json: json) }) { _, _ in 0 }
    }

    private static func delete(_ call: LuaCall) throws -> Int32 {
        let key = try self.key(call, 1)
        let store = try self.store(call)
        return try call.await({ try await store.delete(key) }) { call, existed in
            call.pushBoolean(existed)
            return 1
        }
    }

    private static func keys(_ call: LuaCall) throws -> Int32 {
        let prefix = try call.optionalString(1) ?? ""
        let store = try self.store(call)
        return try call.await({ try await store.keys(prefix: prefix) }) { call, keys in
            try call.reserve(2)
            lua_createtable(call.L, Int32(clamping: keys.count), 0)
            for (i, key) in keys.enumerated() {
                call.pushString(key)
                lua_rawseti(call.L, -2, lua_Integer(i + 1))
            }
            return 1
        }
    }

    private static func use(_ call: LuaCall) throws -> Int32 {
        let text = try call.string(1)
        let service = try self.service(call)
        service.use(try StateLocation.parse(text, source: "location", paths: service.paths))
        return 0
    }

    private static func location(_ call: LuaCall) throws -> Int32 {
        call.pushString(try self.service(call).location().description)
        return 1
    }

    // MARK: Helpers

    private static func key(_ call: LuaCall, _ n: Int32) throws(LuaError) -> String {
        let bytes = try call.bytes(n)
        guard let key = String(validating: bytes, as: UTF8.self) else {
            throw call.argumentError(n, "key must be valid UTF-8")
        }
        if let problem = StateKey.problem(key) { throw call.argumentError(n, problem) }
        return key
    }

    private static func service(_ call: LuaCall) throws(LuaError) -> StateService {
        guard let service = call.state.stateService else { throw call.error("no state service in this runtime") }
        return service
    }

    private static func store(_ call: LuaCall) throws -> any StateStore {
        try service(call).store()
    }
}
