import CLuaShim

/// Describes how Swift objects of type `Object` appear in Lua: a full
/// userdata holding a retained reference (released by `__gc`), with methods
/// reached through `__index`, optional properties, `__tostring`, `__call`
/// and any other metamethod.
///
///     static let cursorClass = LuaClass<Cursor>("lunet.Cursor", display: "cursor") {
///         $0.method("collect") { cursor, call in ... }
///         $0.tostring { cursor in "<cursor \(cursor.name)>" }
///         $0.call { cursor, call in ... }       // makes `for x in cursor` work
///     }
///
/// Each state builds the metatable the first time an object is pushed.
public final class LuaClass<Object: AnyObject>: @unchecked Sendable {
    public typealias Method = (Object, LuaCall) throws -> Int32

    public let name: String
    /// How messages name the receiver: "cursor" in "cursor:collect()".
    public let display: String
    /// A unique address: the registry key of this class's metatable.
    private let key = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
    private var methods: [(String, Method)] = []
    private var properties: [String: (Object) -> LuaValue] = [:]
    private var dynamicIndex: ((Object, String, LuaCall) throws -> Int32?)?
    private var metamethods: [(String, Method)] = []
    private var tostringBody: ((Object) -> String)?

    public init(_ name: String, display: String? = nil, _ define: (LuaClass) -> Void) {
        self.name = name
        self.display = display ?? name
        define(self)
    }

    // MARK: Definition (during init only)

    public func method(_ name: String, _ body: @escaping Method) { methods.append((name, body)) }
    /// A read-only field computed from the object (`feed.token`).
    public func property(_ name: String, _ get: @escaping (Object) -> LuaValue) { properties[name] = get }
    /// Fallback for keys that are neither methods nor properties; return nil
    /// for "no such key" (Lua then sees nil).
    public func index(_ body: @escaping (Object, String, LuaCall) throws -> Int32?) { dynamicIndex = body }
    public func tostring(_ body: @escaping (Object) -> String) { tostringBody = body }
    public func call(_ body: @escaping Method) { metamethods.append(("__call", body)) }
    public func metamethod(_ name: String, _ body: @escaping Method) { metamethods.append((name, body)) }

    // MARK: Use

    public func push(_ object: Object, _ L: OpaquePointer) {
        prepare(L)
        lunet_pushobject(L, Unmanaged.passRetained(object).toOpaque(), key)
    }

    public func object(_ L: OpaquePointer, _ idx: Int32) -> Object? {
        guard let p = lunet_toobject(L, idx, key) else { return nil }
        return Unmanaged<Object>.fromOpaque(p).takeUnretainedValue()
    }

    private func wrap(_ label: String, isMethod: Bool = true, _ body: @escaping Method) -> HostFunction {
        HostFunction(name: label, isMethod: isMethod) { [unowned self] call in
            try body(try call.this(self), call)
        }
    }

    private func prepare(_ L: OpaquePointer) {
        guard lunet_newclassmetatable(L, key, name) == 1 else { lunet_pop(L, 1); return }
        let mt = lua_gettop(L)
        func set(_ field: String, _ f: HostFunction) {
            lua_pushstring(L, field)
            lunet_pushhostfunction(L, Unmanaged.passRetained(f).toOpaque())
            lua_rawset(L, mt)
        }
        // methods table, kept in the metatable as __methods
        lua_createtable(L, 0, Int32(methods.count))
        for (name, body) in methods {
            lua_pushstring(L, name)
            lunet_pushhostfunction(L, Unmanaged.passRetained(wrap("\(display):\(name)", body)).toOpaque())
            lua_rawset(L, -3)
        }
        lua_pushstring(L, "__methods")
        lua_pushvalue(L, -2)
        lua_rawset(L, mt)
        if properties.isEmpty && dynamicIndex == nil {
            lua_pushstring(L, "__index")
            lua_pushvalue(L, -2)
            lua_rawset(L, mt)
            lunet_pop(L, 1)
        } else {
            lunet_pop(L, 1)
            set("__index", wrap("\(display).__index") { [unowned self] object, call in
                try self.lookup(object, call)
            })
        }
        if let tostringBody {
            set("__tostring", wrap("tostring") { object, call in
                call.pushString(tostringBody(object))
                return 1
            })
        }
        for (name, body) in metamethods {
            set(name, wrap(name == "__call" ? display : "\(display) \(name)", body))
        }
        lunet_pop(L, 1)
    }

    /// __index(self, key): methods, then properties, then the fallback.
    private func lookup(_ object: Object, _ call: LuaCall) throws -> Int32 {
        let L = call.L
        guard lua_type(L, 2) == LUA_TSTRING else { lua_pushnil(L); return 1 }
        _ = lua_getmetatable(L, 1)
        lua_pushstring(L, "__methods")
        lua_rawget(L, -2)
        lua_pushvalue(L, 2)
        if lua_rawget(L, -2) != LUA_TNIL { return 1 }
        let key = String(cString: lua_tolstring(L, 2, nil))
        if let get = properties[key] {
            try call.push(get(object))
            return 1
        }
        if let dynamicIndex, let n = try dynamicIndex(object, key, call) { return n }
        lua_pushnil(L)
        return 1
    }
}
