import CLuaShim
import LunetBridge
import LunetJSON

/// Reads the table a config file returned, with raw accesses only, and
/// checks every key against the schemas. All problems are collected (in key
/// order) and thrown together, each naming the file and the key.
struct ConfigReader {
    let L: OpaquePointer
    let file: String
    let references: ConfigReferences
    private var problems: [String] = []

    static let topLevelKeys = ["default_profile", "profiles", "state"]

    init(L: OpaquePointer, file: String, references: ConfigReferences) {
        self.L = L
        self.file = file
        self.references = references
    }

    mutating func read(at idx: Int32) throws(ConfigError) -> ConfigFile {
        guard lua_type(L, idx) == LUA_TTABLE else {
            throw ConfigError("\(file): must return a table, got \(LuaCall.typeName(L, idx))")
        }
        var config = ConfigFile(path: file)
        forEachField(idx, path: nil) { reader, key, value in
            switch key {
            case "profiles": config.profiles = reader.profiles(value)
            case "default_profile": config.defaultProfile = reader.text(value, key: key)
            case "state": config.state = reader.text(value, key: key)
            default:
                reader.problem(nil, "unknown key '\(key)' (known: \(Self.topLevelKeys.joined(separator: ", ")))")
            }
        }
        if !problems.isEmpty { throw ConfigError(problems: problems) }
        return config
    }

    private mutating func profiles(_ idx: Int32) -> [String: Profile] {
        guard expectTable(idx, key: "profiles") else { return [:] }
        var profiles: [String: Profile] = [:]
        forEachField(idx, path: "profiles") { reader, name, value in
            let path = "profiles.\(name)"
            guard reader.expectTable(value, key: path) else { return }
            var profile = Profile(name: name)
            reader.forEachField(value, path: path) { reader, serviceName, options in
                guard let service = ServiceName(rawValue: serviceName) else {
                    let known = ServiceName.allCases.map(\.rawValue).sorted().joined(separator: ", ")
                    reader.problem(path, "unknown service '\(serviceName)' (known: \(known))")
                    return
                }
                profile.services[service] = reader.options(options, schema: service.schema, path: "\(path).\(serviceName)")
            }
            profiles[name] = profile
        }
        return profiles
    }

    private mutating func options(_ idx: Int32, schema: ServiceSchema, path: String) -> [String: ConfigEntry] {
        guard expectTable(idx, key: path) else { return [:] }
        var entries: [String: ConfigEntry] = [:]
        forEachField(idx, path: path) { reader, name, value in
            guard let spec = schema.option(name) else {
                reader.problem(path, "unknown option '\(name)' (known: \(schema.knownList))")
                return
            }
            if let entry = reader.entry(value, spec: spec, key: "\(path).\(name)") { entries[name] = entry }
        }
        return entries
    }

    private mutating func entry(_ idx: Int32, spec: OptionSpec, key: String) -> ConfigEntry? {
        if let reason = references.unresolvedMessage(L, idx) {
            return ConfigEntry(.unresolved(reason), isSecret: spec.isSecret, key: key)
        }
        let raw: JSONValue
        do {
            raw = try LuaJSON.jsonValue(L, at: idx)
        } catch {
            problem(key, "\(spec.kind.described) expected, got \(LuaCall.typeName(L, idx)) (\(error))")
            return nil
        }
        let fromSecret = raw.string.map { references.secretValues.contains($0) } ?? false
        let isSecret = spec.isSecret || fromSecret
        guard let value = spec.kind.accept(raw) else {
            problem(key, "\(spec.kind.described) expected, got \(isSecret ? "a secret" : raw.describedForMessage)")
            return nil
        }
        return ConfigEntry(.value(value), isSecret: isSecret, key: key)
    }

    /// `default_profile` and `state`: a string, or an unresolved reference.
    private mutating func text(_ idx: Int32, key: String) -> ConfigEntry? {
        if let reason = references.unresolvedMessage(L, idx) {
            return ConfigEntry(.unresolved(reason), key: key)
        }
        guard lua_type(L, idx) == LUA_TSTRING, let s = lua_tolstring(L, idx, nil) else {
            problem(key, "a string expected, got \(LuaCall.typeName(L, idx))")
            return nil
        }
        return ConfigEntry(.value(.string(String(cString: s))), key: key)
    }

    // MARK: Walking

    private mutating func expectTable(_ idx: Int32, key: String) -> Bool {
        if lua_type(L, idx) == LUA_TTABLE && references.unresolvedMessage(L, idx) == nil { return true }
        problem(key, "a table expected, got \(LuaCall.typeName(L, idx))")
        return false
    }

    /// Visit the string keys of the table at `idx` in sorted order, the
    /// value pushed at an absolute index for the duration of `body`. Other
    /// keys are problems.
    private mutating func forEachField(
        _ idx: Int32, path: String?, _ body: (inout ConfigReader, String, Int32) -> Void
    ) {
        let table = lua_absindex(L, idx)
        var names: [String] = []
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            if lua_type(L, -2) == LUA_TSTRING {
                names.append(String(cString: lua_tolstring(L, -2, nil)))
            } else {
                problem(path, "keys must be strings, got \(LuaCall.typeName(L, -2))")
            }
            lunet_pop(L, 1)
        }
        for name in names.sorted() {
            guard lua_checkstack(L, 4) != 0 else { return }
            lua_pushstring(L, name)
            lua_rawget(L, table)
            body(&self, name, lua_gettop(L))
            lunet_pop(L, 1)
        }
    }

    private mutating func problem(_ key: String?, _ text: String) {
        problems.append(key.map { "\(file): \($0): \(text)" } ?? "\(file): \(text)")
    }
}
