import CLuaShim

/// One call of a host function: its arguments, helpers to check them with
/// Lua-style messages, and helpers to push results.
///
/// Argument numbers are the ones the script author sees: for a method called
/// with ':' the receiver is `self`, and argument 1 is the first after it.
public struct LuaCall {
    public let L: OpaquePointer
    public let function: HostFunction

    init(L: OpaquePointer, function: HostFunction) {
        self.L = L
        self.function = function
    }

    /// Builds a call view over `L` for code running inside a host function
    /// body that needs a fresh name (e.g. a module's own helper).
    public init(L: OpaquePointer, name: String) {
        self.init(L: L, function: HostFunction(name: name, body: { _ in 0 }))
    }

    public var state: LuaState { LuaState.owner(of: L) }
    /// "json.decode()" — how messages name the function.
    public var displayName: String { function.name + "()" }
    private var offset: Int32 { function.isMethod ? 1 : 0 }

    /// Stack index of user-visible argument `n`.
    public func index(_ n: Int32) -> Int32 { n + offset }
    /// Number of user-visible arguments.
    public var argumentCount: Int32 { max(0, lua_gettop(L) - offset) }

    public func type(_ n: Int32) -> Int32 { lua_type(L, index(n)) }
    public func typeName(_ n: Int32) -> String { Self.typeName(L, index(n)) }

    /// The type name Lua's messages use, with `__name` for userdata
    /// ("lunet.Cursor") where a metatable provides one.
    public static func typeName(_ L: OpaquePointer, _ idx: Int32) -> String {
        let t = lua_type(L, idx)
        if t == LUA_TUSERDATA, lua_getmetatable(L, idx) != 0 {
            lua_pushstring(L, "__name")
            let isString = lua_rawget(L, -2) == LUA_TSTRING
            let name = isString ? String(cString: lua_tolstring(L, -1, nil)) : nil
            lunet_pop(L, 2)
            if let name { return name }
        }
        if t == LUA_TNONE { return "no value" }
        return String(cString: lua_typename(L, t))
    }

    // MARK: Errors

    /// "json.decode(): bad argument #1 (string expected, got nil)"
    public func argumentError(_ n: Int32, _ problem: String) -> LuaError {
        if function.isMethod && n == 0 {
            return .message("\(displayName): bad self (\(problem)); call it with ':'")
        }
        return .message("\(displayName): bad argument #\(n) (\(problem))")
    }

    public func typeError(_ n: Int32, expected: String) -> LuaError {
        argumentError(n, "\(expected) expected, got \(typeName(n))")
    }

    /// "icl content(): type must be a string or nil, got number"
    public func error(_ text: String) -> LuaError { .message("\(displayName): \(text)") }

    // MARK: Reading arguments

    public func isNoneOrNil(_ n: Int32) -> Bool { lua_type(L, index(n)) <= LUA_TNIL }

    /// The raw bytes of string argument `n` (numbers are not converted).
    public func bytes(_ n: Int32) throws(LuaError) -> UnsafeRawBufferPointer {
        guard type(n) == LUA_TSTRING else { throw typeError(n, expected: "string") }
        var length = 0
        let p = lua_tolstring(L, index(n), &length)
        return UnsafeRawBufferPointer(start: p, count: length)
    }

    public func string(_ n: Int32) throws(LuaError) -> String {
        String(decoding: try bytes(n), as: UTF8.self)
    }

    public func optionalString(_ n: Int32) throws(LuaError) -> String? {
        isNoneOrNil(n) ? nil : try string(n)
    }

    public func integer(_ n: Int32) throws(LuaError) -> Int64 {
        let idx = index(n)
        if lua_isinteger(L, idx) != 0 { return lua_tointegerx(L, idx, nil) }
        if lua_type(L, idx) == LUA_TNUMBER {
            var ok: Int32 = 0
            let v = lua_tointegerx(L, idx, &ok)
            if ok != 0 { return v }
            throw argumentError(n, "number has no integer representation")
        }
        throw typeError(n, expected: "integer")
    }

    public func optionalInteger(_ n: Int32) throws(LuaError) -> Int64? {
        isNoneOrNil(n) ? nil : try integer(n)
    }

    public func number(_ n: Int32) throws(LuaError) -> Double {
        guard type(n) == LUA_TNUMBER else { throw typeError(n, expected: "number") }
        return lua_tonumberx(L, index(n), nil)
    }

    public func optionalNumber(_ n: Int32) throws(LuaError) -> Double? {
        isNoneOrNil(n) ? nil : try number(n)
    }

    public func boolean(_ n: Int32) -> Bool { lua_toboolean(L, index(n)) != 0 }

    public func table(_ n: Int32) throws(LuaError) {
        guard type(n) == LUA_TTABLE else { throw typeError(n, expected: "table") }
    }

    /// Check that argument `n` is a table of options (or nil) whose keys are
    /// all in `allowed`, and return an accessor for it.
    public func options(_ n: Int32, allowed: Set<String>) throws(LuaError) -> LuaOptions {
        if isNoneOrNil(n) { return LuaOptions(call: self, index: 0) }
        guard type(n) == LUA_TTABLE else { throw typeError(n, expected: "table of options") }
        let idx = index(n)
        lua_pushnil(L)
        while lua_next(L, idx) != 0 {
            // On a throw the stack is abandoned: the trampoline raises.
            guard lua_type(L, -2) == LUA_TSTRING else {
                throw argumentError(n, "option names must be strings")
            }
            let key = String(cString: lua_tolstring(L, -2, nil))
            if !allowed.contains(key) {
                let known = allowed.sorted().joined(separator: ", ")
                throw argumentError(n, "unknown option '\(key)'; known options: \(known)")
            }
            lunet_pop(L, 1)
        }
        return LuaOptions(call: self, index: idx)
    }

    /// The Swift object behind userdata argument `n`, if it is a `cls`.
    public func object<T: AnyObject>(_ n: Int32, _ cls: LuaClass<T>) throws(LuaError) -> T {
        guard let object = cls.object(L, index(n)) else {
            throw typeError(n, expected: cls.name)
        }
        return object
    }

    /// The receiver of a method call.
    public func this<T: AnyObject>(_ cls: LuaClass<T>) throws(LuaError) -> T {
        guard let object = cls.object(L, 1) else {
            throw argumentError(0, "\(cls.name) expected, got \(Self.typeName(L, 1))")
        }
        return object
    }

    // MARK: Pushing results

    /// Make room for `n` more values; false when Lua cannot grow the stack.
    public func reserve(_ n: Int32) throws(LuaError) {
        if lua_checkstack(L, n) == 0 { throw error("stack overflow") }
    }

    public func pushNil() { lua_pushnil(L) }
    public func pushBoolean(_ b: Bool) { lua_pushboolean(L, b ? 1 : 0) }
    public func pushInteger(_ i: Int64) { lua_pushinteger(L, i) }
    public func pushNumber(_ d: Double) { lua_pushnumber(L, d) }
    public func pushString(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }
    public func pushBytes(_ b: UnsafeRawBufferPointer) {
        _ = lua_pushlstring(L, b.baseAddress?.assumingMemoryBound(to: CChar.self), b.count)
    }
    public func pushValue(copyOf n: Int32) { lua_pushvalue(L, index(n)) }
    public func push(_ value: LuaValue) throws(LuaConversionError) { try value.push(L) }
    public func push<T: AnyObject>(_ object: T, as cls: LuaClass<T>) { cls.push(object, L) }
    public func pushFunction(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
        lunet_pushhostfunction(L, Unmanaged.passRetained(HostFunction(name: name, body: body)).toOpaque())
    }
}

/// Accessor over an options table already checked by `LuaCall.options`.
/// Every read is raw; a missing table (nil argument) reads as all-nil.
public struct LuaOptions {
    let call: LuaCall
    let index: Int32
    public var isPresent: Bool { index != 0 }

    private func withField<R>(_ key: String, _ read: (Int32) throws(LuaError) -> R) throws(LuaError) -> R? {
        guard index != 0 else { return nil }
        let L = call.L
        lua_pushstring(L, key)
        let t = lua_rawget(L, index)
        defer { lunet_pop(L, 1) }
        if t == LUA_TNIL { return nil }
        return try read(t)
    }

    private func bad(_ key: String, _ expected: String, _ t: Int32) -> LuaError {
        call.error("option '\(key)' must be \(expected), got \(String(cString: lua_typename(call.L, t)))")
    }

    public func bool(_ key: String) throws(LuaError) -> Bool? {
        try withField(key) { t throws(LuaError) in
            guard t == LUA_TBOOLEAN else { throw bad(key, "a boolean", t) }
            return lua_toboolean(call.L, -1) != 0
        }
    }

    public func integer(_ key: String) throws(LuaError) -> Int64? {
        try withField(key) { t throws(LuaError) in
            var ok: Int32 = 0
            let v = lua_tointegerx(call.L, -1, &ok)
            guard t == LUA_TNUMBER, ok != 0 else { throw bad(key, "an integer", t) }
            return v
        }
    }

    public func number(_ key: String) throws(LuaError) -> Double? {
        try withField(key) { t throws(LuaError) in
            guard t == LUA_TNUMBER else { throw bad(key, "a number", t) }
            return lua_tonumberx(call.L, -1, nil)
        }
    }

    public func string(_ key: String) throws(LuaError) -> String? {
        try withField(key) { t throws(LuaError) in
            guard t == LUA_TSTRING else { throw bad(key, "a string", t) }
            return String(cString: lua_tolstring(call.L, -1, nil))
        }
    }

    /// Push the raw field (nil when absent) and return its type.
    public func push(_ key: String) -> Int32 {
        guard index != 0 else { lua_pushnil(call.L); return LUA_TNIL }
        lua_pushstring(call.L, key)
        return lua_rawget(call.L, index)
    }
}
