import CLuaShim
import Foundation
import LunetBridge
import LunetJSON

/// Runs a config file in its own fresh Lua state (standard libraries plus
/// `env` and `secret`) and reads the table it returns into a `ConfigFile`.
/// The state is closed afterwards: nothing of the config's Lua outlives the
/// load, and a script never sees it.
enum ConfigLoader {
    static func load(path: String, environment: [String: String], secrets: any SecretResolver) throws(ConfigError)
        -> ConfigFile
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(path): cannot read the config file")
        }
        let lua = LuaState()
        let references = ConfigReferences(environment: environment, secrets: secrets)
        references.install(in: lua)
        do {
            try lua.load(Array(data), name: "@" + path, mode: "t")
            try lua.call(nresults: 1)
        } catch {
            throw ConfigError(error.message)  // already "path:line: …"
        }
        var reader = ConfigReader(L: lua.L, file: path, references: references)
        return try reader.read(at: lua.top)
    }
}

/// `env "NAME"` / `env("NAME", default)` and `secret "NAME"`.
///
/// A name that cannot be found yields a placeholder (a table with a private
/// metatable) holding the reason and the file:line of the call; reading the
/// config turns it into an unresolved entry that fails only if used.
/// Concatenating a placeholder keeps the placeholder; indexing it raises.
final class ConfigReferences {
    let environment: [String: String]
    let secrets: any SecretResolver
    /// Every value `secret` returned: options holding one are shown as ••••.
    private(set) var secretValues: Set<String> = []
    private static let metatableKey = "lunet.config.unresolved"

    init(environment: [String: String], secrets: any SecretResolver) {
        self.environment = environment
        self.secrets = secrets
    }

    func install(in lua: LuaState) {
        lua.pushFunction("env") { [unowned self] call in try self.env(call) }
        lua.setGlobal("env")
        lua.pushFunction("secret") { [unowned self] call in try self.secret(call) }
        lua.setGlobal("secret")
        installMetatable(lua.L)
    }

    private func env(_ call: LuaCall) throws -> Int32 {
        let name = try call.string(1)
        if name.isEmpty { throw call.argumentError(1, "variable name must not be empty") }
        // Empty counts as unset, as for XDG_* and most tools.
        if let value = environment[name], !value.isEmpty {
            call.pushString(value)
        } else if call.argumentCount >= 2 {
            call.pushValue(copyOf: 2)
        } else {
            pushUnresolved(call.L, "environment variable \(name) is not set (\(Self.callerPosition(call.L)))")
        }
        return 1
    }

    private func secret(_ call: LuaCall) throws -> Int32 {
        let name = try call.string(1)
        if name.isEmpty { throw call.argumentError(1, "secret name must not be empty") }
        let position = Self.callerPosition(call.L)
        do {
            if let value = try secrets.secret(named: name) {
                secretValues.insert(value)
                call.pushString(value)
            } else {
                pushUnresolved(call.L, "secret '\(name)' not found in \(secrets.location) (\(position))")
            }
        } catch {
            pushUnresolved(call.L, "secret '\(name)': \(error) (\(position))")
        }
        return 1
    }

    // MARK: Placeholders

    private func installMetatable(_ L: OpaquePointer) {
        lua_createtable(L, 0, 4)
        func set(_ field: String, _ body: @escaping (LuaCall) throws -> Int32) {
            lua_pushstring(L, field)
            LuaState.owner(of: L).pushFunction("config value", body)
            lua_rawset(L, -3)
        }
        lua_pushstring(L, "__name")
        lua_pushstring(L, "lunet.unresolved")
        lua_rawset(L, -3)
        set("__tostring") { [unowned self] call in
            call.pushString("<\(self.unresolvedMessage(call.L, 1) ?? "unresolved")>")
            return 1
        }
        set("__concat") { [unowned self] call in
            call.pushValue(copyOf: self.unresolvedMessage(call.L, 1) != nil ? 1 : 2)
            return 1
        }
        set("__index") { [unowned self] call in
            throw LuaError.message(self.unresolvedMessage(call.L, 1) ?? "unresolved config value")
        }
        lua_pushstring(L, Self.metatableKey)
        lunet_insert(L, -2)
        lua_rawset(L, lunet_registryindex())
    }

    private func pushUnresolved(_ L: OpaquePointer, _ message: String) {
        lua_createtable(L, 1, 0)
        LuaCall(L: L, name: "config").pushString(message)
        lua_rawseti(L, -2, 1)
        lua_pushstring(L, Self.metatableKey)
        lua_rawget(L, lunet_registryindex())
        lua_setmetatable(L, -2)
    }

    /// The reason held by the placeholder at `idx`, or nil if it is not one.
    func unresolvedMessage(_ L: OpaquePointer, _ idx: Int32) -> String? {
        let idx = lua_absindex(L, idx)
        guard lua_type(L, idx) == LUA_TTABLE, lua_getmetatable(L, idx) != 0 else { return nil }
        lua_pushstring(L, Self.metatableKey)
        lua_rawget(L, lunet_registryindex())
        let isPlaceholder = lua_rawequal(L, -1, -2) != 0
        lunet_pop(L, 2)
        guard isPlaceholder else { return nil }
        lua_rawgeti(L, idx, 1)
        defer { lunet_pop(L, 1) }
        return lua_tolstring(L, -1, nil).map { String(cString: $0) }
    }

    /// "config.lua:12": where the Lua function calling the host function is.
    static func callerPosition(_ L: OpaquePointer) -> String {
        var ar = lua_Debug()
        guard lua_getstack(L, 1, &ar) != 0, lua_getinfo(L, "Sl", &ar) != 0 else { return "?" }
        let source = withUnsafeBytes(of: ar.short_src) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return ar.currentline > 0 ? "\(source):\(ar.currentline)" : source
    }
}
